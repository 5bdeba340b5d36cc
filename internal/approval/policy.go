package approval

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/releaserhq/releaser/internal/github"
)

// Policy is [approval] from release.toml, plus what the release is.
type Policy struct {
	Required               int
	Environments           []string
	Reviewers              []string // logins, or @org/team
	WaitTimer              int      // minutes; 0 = not checked
	AllowProtectedBranches bool
	// TagPattern is the release tags' pattern ("v*" for tag_format v{version});
	// Tag the tag being released, when known.
	TagPattern string
	Tag        string
	// RulesetSeverity for a release tag without a protecting ruleset:
	// "error" or "warning".
	RulesetSeverity string
}

// Finding is one setting that makes approvals meaningless, with where it is
// in GitHub's UI and the REST call that fixes it.
type Finding struct {
	Setting string
	Message string
	Fix     string
	// Unverifiable marks a setting that looks right but that this token
	// cannot fully read: a warning, not a failure.
	Unverifiable bool
}

func (f Finding) String() string { return f.Message + " — fix: " + f.Fix }

// Environment judges one deployment environment of owner/repo.
func (p Policy) Environment(owner, repo string, env *github.Environment) []Finding {
	ui := fmt.Sprintf("Settings → Environments → %s", env.Name)
	api := fmt.Sprintf("gh api -X PUT repos/%s/%s/environments/%s", owner, repo, env.Name)
	var fs []Finding
	if len(env.Reviewers) == 0 {
		fs = append(fs, Finding{Setting: "required reviewers",
			Message: fmt.Sprintf("environment %s has no required reviewers: anyone who can run the workflow deploys without approval", env.Name),
			Fix:     fmt.Sprintf("%s → Required reviewers; or %s -F 'reviewers[][type]=Team' -F 'reviewers[][id]=<team id>' -F prevent_self_review=true", ui, api)})
	}
	for _, want := range p.Reviewers {
		if !hasReviewer(env.Reviewers, want) {
			fs = append(fs, Finding{Setting: "required reviewers",
				Message: fmt.Sprintf("environment %s does not list %s among its required reviewers", env.Name, want),
				Fix:     fmt.Sprintf("%s → Required reviewers → add %s", ui, want)})
		}
	}
	if len(env.Reviewers) > 0 && !env.PreventSelfReview {
		fs = append(fs, Finding{Setting: "prevent self-review",
			Message: fmt.Sprintf("environment %s lets the person who triggered the run approve it", env.Name),
			Fix:     fmt.Sprintf("%s → tick \"Prevent self-review\"; or %s -F prevent_self_review=true (with its reviewers)", ui, api)})
	}
	if env.CanAdminsBypass {
		fs = append(fs, Finding{Setting: "admin bypass",
			Message: fmt.Sprintf("environment %s lets administrators deploy without approval", env.Name),
			Fix:     fmt.Sprintf("%s → untick \"Allow administrators to bypass configured protection rules\"; or %s -F can_admins_bypass=false", ui, api)})
	}
	if p.WaitTimer > 0 && env.WaitTimer < p.WaitTimer {
		fs = append(fs, Finding{Setting: "wait timer",
			Message: fmt.Sprintf("environment %s waits %d minute(s), release.toml requires %d", env.Name, env.WaitTimer, p.WaitTimer),
			Fix:     fmt.Sprintf("%s → Wait timer → %d; or %s -F wait_timer=%d", ui, p.WaitTimer, api, p.WaitTimer)})
	}
	fs = append(fs, p.deployment(owner, repo, env, ui)...)
	return fs
}

func hasReviewer(rs []github.Reviewer, want string) bool {
	if team, ok := strings.CutPrefix(want, "@"); ok {
		return slices.ContainsFunc(rs, func(r github.Reviewer) bool { return r.Type == "Team" && strings.EqualFold(r.Login, team) })
	}
	return slices.ContainsFunc(rs, func(r github.Reviewer) bool { return r.Type == "User" && strings.EqualFold(r.Login, want) })
}

// deployment requires that only release tags (or, if allowed, protected
// branches) can deploy to the environment.
func (p Policy) deployment(owner, repo string, env *github.Environment, ui string) []Finding {
	pattern := or(p.TagPattern, "v*")
	fix := fmt.Sprintf("%s → Deployment branches and tags → Selected branches and tags → add tag rule %q; or gh api -X PUT repos/%s/%s/environments/%s -F 'deployment_branch_policy[protected_branches]=false' -F 'deployment_branch_policy[custom_branch_policies]=true' then gh api repos/%s/%s/environments/%s/deployment-branch-policies -f name=%q -f type=tag",
		ui, pattern, owner, repo, env.Name, owner, repo, env.Name, pattern)
	switch env.DeploymentPolicy {
	case "protected":
		if p.AllowProtectedBranches {
			return nil
		}
		return []Finding{{Setting: "deployment policy",
			Message: fmt.Sprintf("environment %s accepts deployments from any protected branch, not only release tags", env.Name),
			Fix:     fix + " (or set allow_protected_branches = true under [approval])"}}
	case "custom":
		var fs []Finding
		tags := 0
		for _, pol := range env.Policies {
			if pol.Type != "tag" {
				fs = append(fs, Finding{Setting: "deployment policy",
					Message: fmt.Sprintf("environment %s lets branch %q deploy", env.Name, pol.Name),
					Fix:     fmt.Sprintf("%s → remove the branch rule %q", ui, pol.Name)})
				continue
			}
			tags++
		}
		if tags == 0 {
			fs = append(fs, Finding{Setting: "deployment policy",
				Message: fmt.Sprintf("environment %s has no tag rule, so the release tag cannot deploy to it", env.Name), Fix: fix})
		} else if p.Tag != "" && !slices.ContainsFunc(env.Policies, func(pol github.DeploymentPolicy) bool {
			ok, _ := path.Match(pol.Name, p.Tag)
			return pol.Type == "tag" && ok
		}) {
			fs = append(fs, Finding{Setting: "deployment policy",
				Message: fmt.Sprintf("no tag rule of environment %s matches the release tag %s", env.Name, p.Tag), Fix: fix})
		}
		return fs
	}
	return []Finding{{Setting: "deployment policy",
		Message: fmt.Sprintf("environment %s accepts deployments from every branch and tag: a workflow on any branch can ask for its approval", env.Name),
		Fix:     fix}}
}

// Rulesets requires an active tag ruleset covering the release tags that
// blocks updating and deleting them, with nobody allowed to bypass it. It
// returns nil when one exists.
func (p Policy) Rulesets(owner, repo string, rs []github.Ruleset) *Finding {
	ref := "refs/tags/" + or(p.Tag, strings.ReplaceAll(or(p.TagPattern, "v*"), "*", "1.0.0"))
	var near, hidden []string
	for _, r := range rs {
		if r.Target != "tag" || r.Enforcement != "active" || !covers(r, ref) {
			continue
		}
		var lacks []string
		for _, rule := range []string{"update", "deletion"} {
			if !slices.Contains(r.Rules, rule) {
				lacks = append(lacks, "restrict "+map[string]string{"update": "updates", "deletion": "deletions"}[rule])
			}
		}
		if r.BypassActors > 0 {
			lacks = append(lacks, fmt.Sprintf("no bypass list (it has %d)", r.BypassActors))
		}
		if len(lacks) == 0 && r.BypassActorsHidden {
			// GitHub shows bypass actors only to tokens that can edit the
			// ruleset; the workflow's token never can. Unknown is not "none".
			hidden = append(hidden, r.Name)
			continue
		}
		if len(lacks) == 0 {
			return nil
		}
		near = append(near, fmt.Sprintf("ruleset %q needs %s", r.Name, strings.Join(lacks, " and ")))
	}
	if len(hidden) > 0 {
		return &Finding{Setting: "tag ruleset", Unverifiable: true,
			Message: fmt.Sprintf("ruleset %q restricts updates and deletions of %s, but GitHub hides its bypass list from this token, so releaser cannot tell whether anyone may bypass it", hidden[0], ref),
			Fix:     fmt.Sprintf("check Settings → Rules → Rulesets → %s → Bypass list is empty (gh api repos/%s/%s/rulesets/<id> with an admin token)", hidden[0], owner, repo)}
	}
	msg := fmt.Sprintf("no active tag ruleset protects %s from being moved or deleted, so a published release could be re-pointed", ref)
	if len(near) > 0 {
		msg += " (" + strings.Join(near, "; ") + ")"
	}
	return &Finding{Setting: "tag ruleset", Message: msg,
		Fix: fmt.Sprintf("Settings → Rules → Rulesets → New tag ruleset: target %q, rules \"Restrict updates\" and \"Restrict deletions\", no bypass list, enforcement Active; or gh api repos/%s/%s/rulesets --input ruleset.json",
			"refs/tags/"+or(p.TagPattern, "v*"), owner, repo)}
}

// covers reports whether a ruleset's ref conditions include ref.
func covers(r github.Ruleset, ref string) bool {
	match := func(pats []string) bool {
		for _, pat := range pats {
			if pat == "~ALL" {
				return true
			}
			if ok, _ := path.Match(pat, ref); ok {
				return true
			}
			// GitHub's fnmatch lets * cross "/" in ref names.
			if strings.HasSuffix(pat, "*") && strings.HasPrefix(ref, strings.TrimSuffix(pat, "*")) {
				return true
			}
		}
		return false
	}
	return match(r.Include) && !match(r.Exclude)
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
