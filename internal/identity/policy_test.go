package identity

import (
	"encoding/json"
	"strings"
	"testing"
)

// goodClaims is a token from the release workflow that satisfies goodPolicy.
func goodClaims() map[string]any {
	return map[string]any{
		"iss": "https://token.actions.githubusercontent.com", "jti": "j1", "sub": "repo:octo-org/octo-repo:environment:release",
		"repository": "octo-org/octo-repo", "repository_owner": "octo-org", "repository_owner_id": "65", "repository_id": "74",
		"workflow_ref":     "octo-org/octo-repo/.github/workflows/release.yml@refs/tags/v1.2.3",
		"job_workflow_ref": "octo-org/octo-repo/.github/workflows/release.yml@refs/tags/v1.2.3",
		"environment":      "release", "ref": "refs/tags/v1.2.3", "sha": "0123456789abcdef0123456789abcdef01234567",
		"event_name": "push", "runner_environment": "github-hosted", "run_id": "1", "run_attempt": "1", "actor": "octocat",
	}
}

func goodPolicy() Policy {
	return Policy{Provider: "github", Repository: "octo-org/octo-repo", RepositoryOwnerID: "65", RepositoryID: "74",
		Workflow: "release.yml", Environment: "release", AllowedEvents: []string{"push", "release", "workflow_dispatch"},
		RefPattern: "refs/tags/v*"}
}

var (
	pypi  = Target{Kind: "pypi", Name: "PyPI", WorkflowClaim: ClaimJobWorkflowRef}
	npm   = Target{Kind: "npm", Name: "npm", WorkflowClaim: ClaimWorkflowRef}
	crate = Target{Kind: "crates", Name: "crates.io", WorkflowClaim: ClaimWorkflowRef}
	gems  = Target{Kind: "rubygems", Name: "RubyGems", WorkflowClaim: ClaimJobWorkflowRef}
)

func claimsOf(t *testing.T, m map[string]any, provider string) *Claims {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	c, err := ParseClaims(b, provider)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestEvaluate(t *testing.T) {
	const reusable = "octo-org/shared/.github/workflows/publish.yml@refs/heads/main"
	tests := []struct {
		name    string
		edit    func(m map[string]any)
		policy  func(p *Policy)
		target  Target
		claims  []string // the claims the findings must name, in order; nil = accepted
		mention []string // substrings of the joined messages and fixes
	}{
		{name: "accepted", target: pypi},
		{name: "accepted npm", target: npm},
		{name: "repository case differs", edit: func(m map[string]any) { m["repository"] = "Octo-Org/Octo-Repo" }, target: crate},
		{name: "wrong repository", edit: func(m map[string]any) { m["repository"] = "evil/fork" }, target: pypi,
			claims: []string{"repository"}, mention: []string{`"evil/fork"`, "octo-org/octo-repo"}},
		{name: "no repository", edit: func(m map[string]any) { delete(m, "repository") }, target: pypi,
			claims: []string{"repository"}, mention: []string{"no repository claim"}},
		{name: "wrong owner id", edit: func(m map[string]any) { m["repository_owner_id"] = "66" }, target: crate,
			claims: []string{"repository_owner_id"}, mention: []string{`"66"`, "re-register the trusted publisher at crates.io"}},
		{name: "owner id not configured", edit: func(m map[string]any) { m["repository_owner_id"] = "66" },
			policy: func(p *Policy) { p.RepositoryOwnerID = "" }, target: crate},
		{name: "wrong repository id", edit: func(m map[string]any) { m["repository_id"] = "75" }, target: npm,
			claims: []string{"repository_id"}},
		{name: "other workflow file", edit: func(m map[string]any) {
			m["workflow_ref"] = "octo-org/octo-repo/.github/workflows/ci.yml@refs/tags/v1.2.3"
			m["job_workflow_ref"] = m["workflow_ref"]
		}, target: pypi, claims: []string{"job_workflow_ref"}, mention: []string{"job_workflow_ref names ci.yml, release.toml expects release.yml"}},
		{name: "reusable workflow at PyPI", edit: func(m map[string]any) { m["job_workflow_ref"] = reusable }, target: pypi,
			claims:  []string{"job_workflow_ref", "job_workflow_ref"},
			mention: []string{"reusable workflow octo-org/shared/.github/workflows/publish.yml", "register publish.yml", "PyPI only accepts a workflow from the publishing repository"}},
		{name: "reusable workflow at RubyGems", edit: func(m map[string]any) { m["job_workflow_ref"] = reusable }, target: gems,
			claims: []string{"job_workflow_ref"}, mention: []string{"RubyGems matches the workflow file in job_workflow_ref, which is publish.yml", `workflow = "publish.yml"`}},
		{name: "reusable workflow registered at RubyGems", edit: func(m map[string]any) { m["job_workflow_ref"] = reusable },
			target: Target{Kind: "rubygems", Name: "RubyGems", WorkflowClaim: ClaimJobWorkflowRef, Workflow: "publish.yml"}},
		{name: "reusable workflow at crates.io binds the caller", edit: func(m map[string]any) { m["job_workflow_ref"] = reusable }, target: crate},
		{name: "reusable workflow at npm binds the caller", edit: func(m map[string]any) { m["job_workflow_ref"] = reusable }, target: npm},
		{name: "malformed workflow_ref", edit: func(m map[string]any) { m["workflow_ref"] = "release.yml" }, target: crate,
			claims: []string{"workflow_ref"}},
		{name: "missing environment", edit: func(m map[string]any) { delete(m, "environment") }, target: pypi,
			claims: []string{"environment"}, mention: []string{"add `environment: release`"}},
		{name: "other environment", edit: func(m map[string]any) { m["environment"] = "staging" }, target: npm,
			claims: []string{"environment"}, mention: []string{`"staging"`}},
		{name: "environment not required", edit: func(m map[string]any) { delete(m, "environment") },
			policy: func(p *Policy) { p.Environment = "" }, target: crate},
		{name: "pull_request_target", edit: func(m map[string]any) { m["event_name"] = "pull_request_target" }, target: pypi,
			claims: []string{"event_name"}, mention: []string{"never publish"}},
		{name: "workflow_run even if allowed", edit: func(m map[string]any) { m["event_name"] = "workflow_run" },
			policy: func(p *Policy) { p.AllowedEvents = append(p.AllowedEvents, "workflow_run") }, target: crate,
			claims: []string{"event_name"}},
		{name: "event not allowed", edit: func(m map[string]any) { m["event_name"] = "schedule" }, target: crate,
			claims: []string{"event_name"}, mention: []string{"allowed_events"}},
		{name: "branch ref", edit: func(m map[string]any) { m["ref"] = "refs/heads/main" }, target: crate,
			claims: []string{"ref"}, mention: []string{"refs/tags/v*"}},
		{name: "no sha", edit: func(m map[string]any) { delete(m, "sha") }, target: crate, claims: []string{"sha"}},
		{name: "self-hosted", edit: func(m map[string]any) { m["runner_environment"] = "self-hosted" }, target: pypi,
			claims: []string{"runner_environment"}, mention: []string{"allow_self_hosted"}},
		{name: "self-hosted allowed", edit: func(m map[string]any) { m["runner_environment"] = "self-hosted" },
			policy: func(p *Policy) { p.AllowSelfHosted = true }, target: pypi},
		{name: "self-hosted never at npm", edit: func(m map[string]any) { m["runner_environment"] = "self-hosted" },
			policy: func(p *Policy) { p.AllowSelfHosted = true }, target: npm,
			claims: []string{"runner_environment"}, mention: []string{"npm accepts trusted publishing only from cloud-hosted runners"}},
		{name: "everything wrong at once", edit: func(m map[string]any) {
			m["repository"], m["environment"], m["event_name"] = "a/b", "x", "pull_request_target"
		}, target: pypi, claims: []string{"repository", "environment", "event_name"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := goodClaims()
			if tt.edit != nil {
				tt.edit(m)
			}
			p := goodPolicy()
			if tt.policy != nil {
				tt.policy(&p)
			}
			fs := p.Evaluate(claimsOf(t, m, "github"), tt.target)
			var got []string
			for _, f := range fs {
				got = append(got, f.Claim)
				if f.Message == "" {
					t.Errorf("finding on %s has no message", f.Claim)
				}
			}
			if strings.Join(got, ",") != strings.Join(tt.claims, ",") {
				t.Fatalf("findings on %v, want %v:\n%s", got, tt.claims, FormatFindings(fs))
			}
			text := FormatFindings(fs)
			for _, s := range tt.mention {
				if !strings.Contains(text, s) {
					t.Errorf("findings do not mention %q:\n%s", s, text)
				}
			}
		})
	}
}

func TestParseClaimsGitLab(t *testing.T) {
	m := map[string]any{
		"iss": "https://gitlab.com", "jti": "j", "project_path": "group/sub/project", "namespace_id": 42, "project_id": "7",
		"ci_config_ref_uri": "gitlab.com/group/sub/project//.gitlab-ci.yml@refs/tags/v1.0.0", "ref_path": "refs/tags/v1.0.0",
		"pipeline_source": "push", "environment": "release", "sha": "abc", "runner_environment": "gitlab-hosted",
	}
	c := claimsOf(t, m, "gitlab")
	if c.Repository != "group/sub/project" || c.RepositoryOwner != "group/sub" || c.RepositoryOwnerID != "42" || c.RepositoryID != "7" {
		t.Errorf("repository mapping: %+v", c)
	}
	p := Policy{Provider: "gitlab", Repository: "group/sub/project", Workflow: ".gitlab-ci.yml", Environment: "release",
		AllowedEvents: []string{"push"}, RefPattern: "refs/tags/v*"}
	if fs := p.Evaluate(c, Target{Kind: "pypi", Name: "PyPI", WorkflowClaim: ClaimJobWorkflowRef}); len(fs) != 0 {
		t.Errorf("GitLab token refused: %s", FormatFindings(fs))
	}
}

func TestParseWorkflowRef(t *testing.T) {
	tests := []struct {
		in   string
		ok   bool
		want WorkflowRef
	}{
		{"o/r/.github/workflows/release.yml@refs/tags/v1", true, WorkflowRef{"o/r", ".github/workflows/release.yml", "release.yml", "refs/tags/v1"}},
		{"o/r/.github/workflows/a.yaml@0123abc", true, WorkflowRef{"o/r", ".github/workflows/a.yaml", "a.yaml", "0123abc"}},
		{"gitlab.com/g/p//ci/release.yml@refs/heads/main", true, WorkflowRef{"g/p", "ci/release.yml", "release.yml", "refs/heads/main"}},
		{"o/r/.github/workflows/release.yml", false, WorkflowRef{}},
		{"release.yml@v1", false, WorkflowRef{}},
		{"o/r/.github/workflows/script.sh@v1", false, WorkflowRef{}},
		{"", false, WorkflowRef{}},
	}
	for _, tt := range tests {
		got, ok := ParseWorkflowRef(tt.in)
		if ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("ParseWorkflowRef(%q) = %+v, %v; want %+v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// FuzzEvaluate feeds arbitrary payloads through claim parsing and the
// policy: never a panic, every finding explained, and the forbidden events
// are refused whatever else the token says.
func FuzzEvaluate(f *testing.F) {
	good, _ := json.Marshal(goodClaims())
	f.Add(good, "github", "npm")
	f.Add([]byte(`{"event_name":"pull_request_target","workflow_ref":"@@//","job_workflow_ref":"a//b@"}`), "github", "pypi")
	f.Add([]byte(`{"project_path":"/","ci_config_ref_uri":"//.yml@","namespace_id":1e400}`), "gitlab", "crates")
	f.Add([]byte(`{"repository":["x"],"environment":null,"ref":"refs/tags/[","sha":{}}`), "github", "rubygems")
	f.Fuzz(func(t *testing.T, payload []byte, provider, kind string) {
		c, err := ParseClaims(payload, provider)
		if err != nil {
			return
		}
		tgt := Target{Kind: kind, Name: kind, WorkflowClaim: ClaimJobWorkflowRef}
		if kind == "npm" || kind == "crates" {
			tgt.WorkflowClaim = ClaimWorkflowRef
		}
		fs := goodPolicy().Evaluate(c, tgt)
		for _, f := range fs {
			if f.Message == "" || f.Claim == "" {
				t.Fatalf("unexplained finding %+v", f)
			}
		}
		forbidden := c.EventName == "pull_request_target" || c.EventName == "workflow_run"
		if forbidden {
			found := false
			for _, f := range fs {
				found = found || f.Claim == "event_name"
			}
			if !found {
				t.Fatalf("event %q accepted", c.EventName)
			}
		}
	})
}
