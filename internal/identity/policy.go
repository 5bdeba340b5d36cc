package identity

import (
	"fmt"
	"path"
	"slices"
	"strings"
)

// ForbiddenEvents run with the base repository's privileges on behalf of
// code from elsewhere; no release may start from them, whatever the config.
var ForbiddenEvents = []string{"pull_request_target", "workflow_run"}

// Policy is [identity] from release.toml: what a token must say before it
// is exchanged anywhere.
type Policy struct {
	Provider          string
	Repository        string
	RepositoryOwnerID string
	RepositoryID      string
	Workflow          string
	Environment       string
	AllowedEvents     []string
	RefPattern        string
	AllowSelfHosted   bool
}

// Target is the registry a token is judged for: registries bind different
// claims, so one token can be right for crates.io and wrong for PyPI.
type Target struct {
	Kind          string // pypi, testpypi, npm, crates, rubygems
	Name          string // PyPI, npm, crates.io, ...
	WorkflowClaim string // ClaimWorkflowRef or ClaimJobWorkflowRef
	Workflow      string // the file registered there; "" means Policy.Workflow
}

// Finding is one claim that would make the registry refuse the token, with
// what to change and where.
type Finding struct {
	Claim   string
	Got     string
	Want    string
	Message string
	Fix     string
}

func (f Finding) String() string {
	if f.Fix == "" {
		return f.Message
	}
	return f.Message + " — fix: " + f.Fix
}

// FormatFindings joins findings into one line for an error.
func FormatFindings(fs []Finding) string {
	s := make([]string, len(fs))
	for i, f := range fs {
		s[i] = f.String()
	}
	return strings.Join(s, "; ")
}

// Evaluate lists every way c falls short of the policy for target t. No
// findings means the registry, configured as release.toml says, should
// accept the token.
func (p Policy) Evaluate(c *Claims, t Target) []Finding {
	var fs []Finding
	add := func(f Finding) { fs = append(fs, f) }

	switch {
	case c.Repository == "":
		add(Finding{Claim: "repository", Want: p.Repository, Message: "the token has no repository claim"})
	case !strings.EqualFold(c.Repository, p.Repository):
		add(Finding{Claim: "repository", Got: c.Repository, Want: p.Repository,
			Message: fmt.Sprintf("the token comes from repository %s, release.toml expects %s", q(c.Repository), p.Repository),
			Fix:     fmt.Sprintf("release from %s, or correct [identity].repository", p.Repository)})
	}
	if p.RepositoryOwnerID != "" && c.RepositoryOwnerID != p.RepositoryOwnerID {
		add(Finding{Claim: "repository_owner_id", Got: c.RepositoryOwnerID, Want: p.RepositoryOwnerID,
			Message: fmt.Sprintf("repository_owner_id is %s, release.toml expects %s: the owner account is not the one the trusted publisher was registered for (deleted and re-created, or the repository was transferred)", q(c.RepositoryOwnerID), p.RepositoryOwnerID),
			Fix:     fmt.Sprintf("if the move is intended, re-register the trusted publisher at %s (it stores the owner id) and update [identity].repository_owner_id; otherwise do not release", t.Name)})
	}
	if p.RepositoryID != "" && c.RepositoryID != p.RepositoryID {
		add(Finding{Claim: "repository_id", Got: c.RepositoryID, Want: p.RepositoryID,
			Message: fmt.Sprintf("repository_id is %s, release.toml expects %s: this is a different repository under the same name (deleted and re-created?)", q(c.RepositoryID), p.RepositoryID),
			Fix:     "if the repository was re-created on purpose, update [identity].repository_id and re-register the trusted publishers"})
	}
	fs = append(fs, p.workflow(c, t)...)
	fs = append(fs, p.environment(c, t)...)
	fs = append(fs, p.event(c)...)
	if p.RefPattern != "" {
		if ok, _ := path.Match(p.RefPattern, c.Ref); !ok {
			add(Finding{Claim: "ref", Got: c.Ref, Want: p.RefPattern,
				Message: fmt.Sprintf("ref is %s, which does not match [identity].ref_pattern %q", q(c.Ref), p.RefPattern),
				Fix:     "start the release from a tag that matches ref_pattern (git push origin <tag>)"})
		}
	}
	if c.SHA == "" {
		add(Finding{Claim: "sha", Message: "the token has no sha claim; PyPI and crates.io refuse such tokens"})
	}
	fs = append(fs, p.runner(c, t)...)
	return fs
}

func (p Policy) workflow(c *Claims, t Target) []Finding {
	want := t.Workflow
	if want == "" {
		want = p.Workflow
	}
	claim := t.WorkflowClaim
	val := c.JobWorkflowRef
	if claim == ClaimWorkflowRef {
		val = c.WorkflowRef
	}
	bound, ok := ParseWorkflowRef(val)
	if !ok {
		return []Finding{{Claim: claim, Got: val, Want: want,
			Message: fmt.Sprintf("%s is %s, not OWNER/REPO/.github/workflows/FILE@REF; %s cannot match it to a workflow file", claim, q(val), t.Name)}}
	}
	caller, _ := ParseWorkflowRef(c.WorkflowRef)
	called, _ := ParseWorkflowRef(c.JobWorkflowRef)
	reusable := !strings.EqualFold(caller.Repository+"/"+caller.Path, called.Repository+"/"+called.Path)

	var fs []Finding
	if bound.File != want {
		f := Finding{Claim: claim, Got: bound.File, Want: want}
		if reusable {
			f.Message = fmt.Sprintf("%s matches the workflow file in %s, which is %s; this job runs in the reusable workflow %s (job_workflow_ref) called from %s (workflow_ref), so the two claims name different files",
				t.Name, claim, bound.File, called.Repository+"/"+called.Path, caller.Repository+"/"+caller.Path)
			f.Fix = fmt.Sprintf("register %s as the trusted publisher's workflow at %s and set workflow = %q in this [[registry]] entry", bound.File, t.Name, bound.File)
		} else {
			f.Message = fmt.Sprintf("%s names %s, release.toml expects %s", claim, bound.File, want)
			f.Fix = fmt.Sprintf("run the release from .github/workflows/%s, or if %s is your release workflow, set workflow = %q (and register it at %s)", want, bound.File, bound.File, t.Name)
		}
		fs = append(fs, f)
	}
	// PyPI keeps job_workflow_ref to the publisher's own repository: a
	// reusable workflow from elsewhere can never match.
	if (t.Kind == "pypi" || t.Kind == "testpypi") && claim == ClaimJobWorkflowRef &&
		!strings.EqualFold(bound.Repository, p.Repository) {
		fs = append(fs, Finding{Claim: claim, Got: bound.Repository, Want: p.Repository,
			Message: fmt.Sprintf("%s only accepts a workflow from the publishing repository itself, and job_workflow_ref is in %s", t.Name, bound.Repository),
			Fix:     fmt.Sprintf("publish to %s from a workflow file in %s, not from a reusable workflow in another repository", t.Name, p.Repository)})
	}
	return fs
}

func (p Policy) environment(c *Claims, t Target) []Finding {
	if p.Environment == "" {
		return nil
	}
	if c.Environment == "" {
		return []Finding{{Claim: "environment", Want: p.Environment,
			Message: fmt.Sprintf("the job has no environment, and release.toml (like the trusted publisher at %s) expects %q", t.Name, p.Environment),
			Fix:     fmt.Sprintf("add `environment: %s` to the publishing job", p.Environment)}}
	}
	if c.Environment != p.Environment {
		return []Finding{{Claim: "environment", Got: c.Environment, Want: p.Environment,
			Message: fmt.Sprintf("the job runs in environment %s, release.toml expects %q", q(c.Environment), p.Environment),
			Fix:     fmt.Sprintf("bind the publishing job to environment %s, or change [identity].environment and the trusted publisher at %s together", p.Environment, t.Name)}}
	}
	return nil
}

func (p Policy) event(c *Claims) []Finding {
	ev := c.EventName
	if slices.Contains(ForbiddenEvents, ev) {
		return []Finding{{Claim: "event_name", Got: ev,
			Message: fmt.Sprintf("the workflow was started by %s, which runs with the repository's privileges on behalf of code from elsewhere; releaser and the registries never publish from it", ev),
			Fix:     "release from a tag push, a release event or workflow_dispatch"}}
	}
	if !slices.Contains(p.AllowedEvents, ev) {
		return []Finding{{Claim: "event_name", Got: ev, Want: strings.Join(p.AllowedEvents, ", "),
			Message: fmt.Sprintf("the workflow was started by %s, not one of [identity].allowed_events (%s)", q(ev), strings.Join(p.AllowedEvents, ", ")),
			Fix:     "start the release with an allowed event, or add this one to allowed_events"}}
	}
	return nil
}

func (p Policy) runner(c *Claims, t Target) []Finding {
	hosted := "github-hosted"
	if p.Provider == "gitlab" {
		hosted = "gitlab-hosted"
	}
	if c.RunnerEnvironment == hosted {
		return nil
	}
	got := c.RunnerEnvironment
	if t.Kind == "npm" {
		return []Finding{{Claim: "runner_environment", Got: got, Want: hosted,
			Message: fmt.Sprintf("runner_environment is %s; npm accepts trusted publishing only from cloud-hosted runners", q(got)),
			Fix:     "run the publishing job on a " + hosted + " runner"}}
	}
	if !p.AllowSelfHosted {
		return []Finding{{Claim: "runner_environment", Got: got, Want: hosted,
			Message: fmt.Sprintf("runner_environment is %s: whoever controls that machine can mint release tokens", q(got)),
			Fix:     "run the publishing job on a " + hosted + " runner, or set allow_self_hosted = true under [identity] if you trust the runner"}}
	}
	return nil
}

// q quotes a claim value for a message, bounding untrusted input.
func q(s string) string {
	if s == "" {
		return "empty"
	}
	return fmt.Sprintf("%q", safe(s))
}
