package stages

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/releaserhq/releaser/internal/approval"
	"github.com/releaserhq/releaser/internal/github"
)

// Approve requires Required distinct people, none of them the one who
// started the run, to have approved this run's deployments: it checks that
// the environments and the tag ruleset make such approvals meaningful, then
// counts the approvals and waits for missing ones.
type Approve struct{}

func (Approve) Name() string { return "approve" }

func (r *Release) approvalPolicy() approval.Policy {
	a := r.Config.Approval
	return approval.Policy{
		Required: a.Required, Environments: a.Environments, Reviewers: a.Reviewers, WaitTimer: a.WaitTimer,
		AllowProtectedBranches: a.AllowProtectedBranches, RulesetSeverity: a.RulesetSeverity,
		TagPattern: strings.ReplaceAll(r.Config.Project.TagFormat, "{version}", "*"), Tag: r.Tag,
	}
}

func (Approve) Check(ctx context.Context, r *Release) []Check {
	a := r.Config.Approval
	if a.Required == 0 {
		return []Check{{Name: "approvals", Code: CodeApproveApprovals, Status: StatusSkipped, Detail: "[approval].required = 0"}}
	}
	owner, repo, ok := r.githubRepo()
	if !ok {
		status := StatusNeedsCI
		if r.Env.InCI() {
			status = StatusFailed
		}
		return []Check{{Name: "GitHub repository", Code: CodeApproveRepository, Status: status, Detail: "unknown", Fix: `set repository = "owner/name" under [github] (or [identity])`}}
	}
	c, err := r.githubClient(true)
	if err != nil {
		// In CI a missing token is the workflow's mistake; locally the
		// checks could run with the developer's token.
		status := StatusFailed
		if errors.Is(err, errNoGitHubToken) && !r.Env.InCI() {
			status = StatusNeedsToken
		}
		return []Check{{Name: "environment protections", Code: CodeApproveGitHubToken, Status: status, Detail: err.Error(),
			Fix: "pass `env: GITHUB_TOKEN: ${{ github.token }}` (with actions: read) to the releaser step; locally, `gh auth login`"}}
	}
	p := r.approvalPolicy()
	var checks []Check
	for _, name := range a.Environments {
		checks = append(checks, environmentChecks(ctx, c, p, owner, repo, name)...)
	}
	checks = append(checks, rulesetCheck(ctx, c, p, owner, repo))
	if runID := r.Env.Get("GITHUB_RUN_ID"); runID != "" {
		checks = append(checks, Check{Name: "approvals of this run", Code: CodeApproveRunApprovals, Status: StatusOK,
			Detail: fmt.Sprintf("run %s: %d distinct approver(s) needed, not the one who started it", runID, a.Required)})
	} else {
		checks = append(checks, Check{Name: "approvals of this run", Code: CodeApproveRunApprovals, Status: StatusNeedsCI,
			Detail: fmt.Sprintf("counted in the release job: %d distinct approver(s) across %s, not the one who started it", a.Required, strings.Join(a.Environments, ", "))})
	}
	return checks
}

// environmentChecks judges one environment: one check when it holds or
// cannot be read, else one per finding, each with its setting's code.
func environmentChecks(ctx context.Context, c *github.Client, p approval.Policy, owner, repo, name string) []Check {
	chk := Check{Name: "environment " + name, Code: CodeApproveEnvironment}
	env, err := c.Environment(ctx, owner, repo, name)
	if err != nil {
		chk.Status, chk.Detail, chk.Fix = StatusFailed, err.Error(), apiFix(err)
		var ae *github.APIError
		if errors.As(err, &ae) && ae.Status == 404 {
			chk.Detail = fmt.Sprintf("environment %s does not exist in %s/%s", name, owner, repo)
			chk.Fix = fmt.Sprintf("Settings → Environments → New environment %q, with required reviewers and prevent self-review; or gh api -X PUT repos/%s/%s/environments/%s", name, owner, repo, name)
		}
		return []Check{chk}
	}
	fs := p.Environment(owner, repo, env)
	if len(fs) == 0 {
		chk.Status = StatusOK
		var who []string
		for _, rv := range env.Reviewers {
			who = append(who, rv.Login)
		}
		chk.Detail = fmt.Sprintf("reviewers %s, self-review prevented, no admin bypass, deployments from %s", strings.Join(who, ", "), describeDeployment(env))
		return []Check{chk}
	}
	checks := make([]Check, len(fs))
	for i, f := range fs {
		checks[i] = findingCheck(chk.Name, f)
	}
	return checks
}

// findingCodes maps approval.Finding.Setting to the finding's code.
var findingCodes = map[string]string{
	"required reviewers":  CodeApproveRequiredReviewers,
	"prevent self-review": CodeApprovePreventSelfReview,
	"admin bypass":        CodeApproveAdminBypass,
	"wait timer":          CodeApproveWaitTimer,
	"deployment policy":   CodeApproveDeploymentPolicy,
	"tag ruleset":         CodeApproveRuleset,
}

// findingCheck is the failed check for one finding. A setting without a
// code of its own (a test keeps findingCodes complete) is still reported,
// under the environment's code.
func findingCheck(name string, f approval.Finding) Check {
	code, ok := findingCodes[f.Setting]
	if !ok {
		code = CodeApproveEnvironment
	}
	return Check{Name: name, Code: code, Status: StatusFailed, Detail: f.Message, Fix: f.Fix}
}

func describeDeployment(env *github.Environment) string {
	switch env.DeploymentPolicy {
	case "protected":
		return "protected branches"
	case "custom":
		var names []string
		for _, p := range env.Policies {
			names = append(names, p.Type+" "+p.Name)
		}
		return strings.Join(names, ", ")
	}
	return "anywhere"
}

func rulesetCheck(ctx context.Context, c *github.Client, p approval.Policy, owner, repo string) Check {
	chk := Check{Name: "release tags protected by a ruleset", Code: CodeApproveRuleset}
	rs, err := c.Rulesets(ctx, owner, repo)
	if err != nil {
		chk.Status, chk.Detail, chk.Fix = StatusFailed, err.Error(), apiFix(err)
		return chk
	}
	f := p.Rulesets(owner, repo, rs)
	if f == nil {
		chk.Status, chk.Detail = StatusOK, "an active tag ruleset restricts updates and deletions, with no bypass"
		return chk
	}
	chk.Status, chk.Detail, chk.Fix = StatusFailed, f.Message, f.Fix
	if p.RulesetSeverity == "warning" || f.Unverifiable {
		chk.Status = StatusWarning
	}
	return chk
}

func apiFix(err error) string {
	var ae *github.APIError
	if errors.As(err, &ae) {
		return ae.Fix()
	}
	return ""
}

func (Approve) Run(ctx context.Context, r *Release) (Outcome, error) {
	a := r.Config.Approval
	if a.Required == 0 {
		return Outcome{Summary: "no approvals required"}, nil
	}
	p := r.approvalPolicy()
	if r.DryRun {
		return Outcome{Plan: []string{fmt.Sprintf("wait up to %s for %d distinct approvals of this run in %s, none by the person who started it",
			a.Timeout.Duration, a.Required, strings.Join(a.Environments, ", "))}}, nil
	}
	owner, repo, _ := r.githubRepo()
	runID, err := strconv.ParseInt(r.Env.Get("GITHUB_RUN_ID"), 10, 64)
	if err != nil {
		return Outcome{}, fmt.Errorf("approvals are counted for a GitHub Actions run: GITHUB_RUN_ID is %q", r.Env.Get("GITHUB_RUN_ID"))
	}
	c, err := r.githubClient(false)
	if err != nil {
		return Outcome{}, err
	}
	run, err := c.Run(ctx, owner, repo, runID)
	if err != nil {
		return Outcome{}, githubFailure("read the workflow run", err)
	}
	excluded := nonEmpty(run.Actor, run.TriggeringActor, r.Env.Get("GITHUB_ACTOR"), r.Env.Get("GITHUB_TRIGGERING_ACTOR"))
	src := runSource{c: c, owner: owner, repo: repo, run: runID}
	t, err := approval.Await(ctx, src, p, approval.AwaitOptions{
		PollInterval: a.PollInterval.Duration, Timeout: a.Timeout.Duration, Excluded: excluded,
		OnStatus: func(t approval.Tally) { r.UI.Infof("  %s", t.Status(p)) },
	})
	for _, ap := range t.Counted {
		if rerr := r.Record("approve", "approval.counted", map[string]any{
			"login": ap.Login, "id": ap.ID, "environments": ap.Environments, "comment": ap.Comment, "run_id": runID, "run_attempt": run.Attempt,
		}); rerr != nil {
			return Outcome{}, rerr
		}
	}
	for _, d := range t.Discounted {
		_ = r.Record("approve", "approval.discounted", map[string]any{"reason": d, "run_id": runID})
	}
	var logins []string
	for _, ap := range t.Counted {
		logins = append(logins, ap.Login)
	}
	if rerr := r.Record("approve", "approval.result", map[string]any{
		"required": a.Required, "counted": len(t.Counted), "approvers": logins, "excluded": excluded,
		"environments": a.Environments, "approved": err == nil, "run_id": runID,
	}); rerr != nil {
		return Outcome{}, rerr
	}
	var rej *approval.RejectedError
	var na *approval.NotApprovedError
	switch {
	case errors.As(err, &rej):
		_ = r.Record("approve", "approval.rejected", map[string]any{"login": rej.Approval.User, "id": rej.Approval.UserID,
			"environments": rej.Approval.Environments, "comment": rej.Approval.Comment, "run_id": runID})
		return Outcome{}, fmt.Errorf("the release was rejected: %w", err)
	case errors.As(err, &na):
		return Outcome{}, fmt.Errorf("not approved: %w", err)
	case err != nil:
		return Outcome{}, githubFailure("read the run's approvals", err)
	}
	var who []string
	for _, ap := range t.Counted {
		who = append(who, ap.Login)
	}
	return Outcome{Summary: fmt.Sprintf("approved by %s (%d required; %s did not count)", strings.Join(who, ", "), a.Required, strings.Join(excluded, ", "))}, nil
}

// githubFailure maps a GitHub API failure onto the exit codes: a token or
// setting the user fixes is 1, GitHub being unavailable is 3.
func githubFailure(what string, err error) error {
	var ae *github.APIError
	if errors.As(err, &ae) && (ae.Status == 0 || ae.Status >= 500 || ae.Retryable) {
		return &RemoteError{Service: "GitHub", Err: fmt.Errorf("%s: %w", what, err)}
	}
	if fix := apiFix(err); fix != "" {
		return fmt.Errorf("%s: %w — fix: %s", what, err, fix)
	}
	return fmt.Errorf("%s: %w", what, err)
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" && !containsFold(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func containsFold(ss []string, s string) bool {
	for _, x := range ss {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

type runSource struct {
	c           *github.Client
	owner, repo string
	run         int64
}

func (s runSource) RunApprovals(ctx context.Context) ([]github.Approval, error) {
	return s.c.RunApprovals(ctx, s.owner, s.repo, s.run)
}

func (s runSource) PendingDeployments(ctx context.Context) ([]github.PendingDeployment, error) {
	return s.c.PendingDeployments(ctx, s.owner, s.repo, s.run)
}

// errNoGitHubToken: no token at all, as opposed to one GitHub refuses.
var errNoGitHubToken = errors.New("no GitHub token: GITHUB_TOKEN is not set")

// githubClient is a GitHub API client with the job's token. Outside CI the
// read-only checks may use the developer's `gh auth token` (local=true).
func (r *Release) githubClient(local bool) (*github.Client, error) {
	token := r.githubToken()
	if token == "" && local && !r.Env.InCI() {
		token = r.ghAuthToken()
	}
	if token == "" {
		return nil, errNoGitHubToken
	}
	r.secret(token)
	c, err := github.New(r.githubAPI(), token, r.httpClient(), r.userAgent())
	if err != nil {
		return nil, fmt.Errorf("GitHub: %w", err)
	}
	return c, nil
}

// ghAuthToken asks the GitHub CLI for the developer's token, if it is
// installed and logged in (tests replace it: Release.ghAuth).
func (r *Release) ghAuthToken() string {
	if r.ghAuth != nil {
		return r.ghAuth()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "gh", "auth", "token").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}
