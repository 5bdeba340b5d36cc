package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/releaserhq/releaser/internal/testenv"
)

const runID = 4242

// approveEnv is a GitHub emulator with three well-protected environments,
// a tag ruleset and run 4242 started by carol.
type approveEnv struct {
	t  *testing.T
	gh *testenv.GitHub
	p  *project
}

func goodEmuEnv(name string) testenv.EmuEnvironment {
	return testenv.EmuEnvironment{Name: name, PreventSelfReview: true, DeploymentPolicy: "custom",
		Reviewers: []testenv.EmuReviewer{{Type: "Team", Login: "octo-org/release-team", ID: 77}},
		Policies:  []testenv.EmuPolicy{{Name: "v*", Type: "tag"}}}
}

func newApproveEnv(t *testing.T, timeout string, edit func(envs map[string]*testenv.EmuEnvironment)) *approveEnv {
	return newApproveEnvRuleset(t, timeout, edit, true)
}

func newApproveEnvRuleset(t *testing.T, timeout string, edit func(envs map[string]*testenv.EmuEnvironment), ruleset bool) *approveEnv {
	t.Helper()
	gh := testenv.NewGitHub(t)
	gh.AddRepo("octo-org", "octo-repo")
	envs := map[string]*testenv.EmuEnvironment{}
	for _, name := range []string{"gate-1", "gate-2", "release"} {
		e := goodEmuEnv(name)
		envs[name] = &e
	}
	if edit != nil {
		edit(envs)
	}
	for _, name := range []string{"gate-1", "gate-2", "release"} {
		if e := envs[name]; e != nil {
			gh.AddEnvironment("octo-org", "octo-repo", *e)
		}
	}
	if ruleset {
		gh.AddRuleset("octo-org", "octo-repo", testenv.EmuRuleset{Name: "release tags", Target: "tag", Enforcement: "active",
			Include: []string{"refs/tags/v*"}, Rules: []string{"update", "deletion"}, Source: "Repository"})
	}
	gh.AddRun("octo-org", "octo-repo", runID, "carol", "carol", 1)
	p := newProject(t, projectConfig+fmt.Sprintf(`
[approval]
required = 2
environments = ["gate-1", "gate-2", "release"]
reviewers = ["@octo-org/release-team"]
timeout = %q
poll_interval = "50ms"

[github]
repository = "octo-org/octo-repo"
api_url = %q
`, timeout, gh.APIURL()))
	return &approveEnv{t: t, gh: gh, p: p}
}

func (e *approveEnv) run() result {
	e.t.Helper()
	res := runBin(e.t, e.p.dir, []string{"GITHUB_ACTIONS=true", "GITHUB_TOKEN=" + e.gh.Token(), "GITHUB_REPOSITORY=octo-org/octo-repo",
		fmt.Sprintf("GITHUB_RUN_ID=%d", runID), "GITHUB_ACTOR=carol", "GITHUB_REF=refs/tags/v1.0.0"}, "run", "--only", "approve")
	// The token may appear only in the ::add-mask:: line that hides it.
	testenv.AssertNoSecrets(e.t, "output", []byte(withoutLines(res.all(), "::add-mask::")), e.gh)
	if !strings.Contains(res.stdout, "::add-mask::"+e.gh.Token()) {
		e.t.Errorf("the GitHub token was not masked")
	}
	return res
}

func (e *approveEnv) approve(user string, id int64, envs ...string) {
	e.gh.Approve("octo-org", "octo-repo", runID, user, id, "lgtm", envs...)
}

func TestApproveE2E(t *testing.T) {
	tests := []struct {
		name    string
		timeout string
		envs    func(map[string]*testenv.EmuEnvironment)
		setup   func(e *approveEnv)
		during  func(e *approveEnv) // while releaser waits
		code    int
		mention []string
		counted int
	}{
		{name: "two distinct approvers", setup: func(e *approveEnv) {
			e.approve("alice", 1, "gate-1")
			e.approve("bob", 2, "gate-2")
		}, code: 0, counted: 2, mention: []string{"2 of 2 approvals: alice (gate-1), bob (gate-2)", "approved by alice, bob"}},
		{name: "same person approved two gates", setup: func(e *approveEnv) {
			e.approve("alice", 1, "gate-1")
			e.approve("alice", 1, "gate-2")
		}, code: 1, counted: 1, mention: []string{"alice approved gate-1 and gate-2: one person counts once", "no deployment of this run is still waiting"}},
		{name: "the actor approved", setup: func(e *approveEnv) {
			e.approve("carol", 3, "gate-1")
			e.approve("bob", 2, "gate-2")
		}, code: 1, counted: 1, mention: []string{"carol started the run, so their approval of gate-1 does not count"}},
		{name: "rejected while waiting", setup: func(e *approveEnv) {
			e.approve("alice", 1, "gate-1")
			e.gh.SetPending("octo-org", "octo-repo", runID, "gate-2")
		}, during: func(e *approveEnv) {
			e.gh.Reject("octo-org", "octo-repo", runID, "bob", 2, "wrong version", "gate-2")
		}, code: 1, counted: 1, mention: []string{`bob rejected the deployment to gate-2 ("wrong version")`}},
		{name: "approval arrives while waiting", setup: func(e *approveEnv) {
			e.approve("alice", 1, "gate-1")
			e.gh.SetPending("octo-org", "octo-repo", runID, "gate-2")
		}, during: func(e *approveEnv) { e.approve("bob", 2, "gate-2") },
			code: 0, counted: 2, mention: []string{"1 of 2 approvals: alice (gate-1); waiting for: gate-2, release, reviewers: @octo-org/release-team", "2 of 2 approvals"}},
		{name: "timeout", timeout: "1s", setup: func(e *approveEnv) {
			e.approve("alice", 1, "gate-1")
			e.gh.SetPending("octo-org", "octo-repo", runID, "gate-2")
		}, code: 1, counted: 1, mention: []string{"timed out after 1s", "waiting for: gate-2"}},
		{name: "self-review allowed", envs: func(m map[string]*testenv.EmuEnvironment) { m["gate-2"].PreventSelfReview = false },
			code: 1, mention: []string{"environment gate-2 lets the person who triggered the run approve it", `tick "Prevent self-review"`}},
		{name: "admin bypass", envs: func(m map[string]*testenv.EmuEnvironment) { m["release"].CanAdminsBypass = true },
			code: 1, mention: []string{"environment release lets administrators deploy without approval", "can_admins_bypass=false"}},
		{name: "no tag policy", envs: func(m map[string]*testenv.EmuEnvironment) {
			m["gate-1"].DeploymentPolicy = "all"
			m["gate-1"].Policies = nil
		},
			code: 1, mention: []string{"environment gate-1 accepts deployments from every branch and tag", "type=tag"}},
		{name: "missing environment", envs: func(m map[string]*testenv.EmuEnvironment) { delete(m, "gate-2") },
			code: 1, mention: []string{"environment gate-2 does not exist in octo-org/octo-repo"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newApproveEnv(t, orDefault(tt.timeout, "20s"), tt.envs)
			if tt.setup != nil {
				tt.setup(e)
			}
			if tt.during != nil {
				go func() {
					time.Sleep(400 * time.Millisecond)
					tt.during(e)
				}()
			}
			res := e.run()
			if res.code != tt.code {
				t.Fatalf("exit %d, want %d\n%s", res.code, tt.code, brief(res))
			}
			for _, m := range tt.mention {
				if !strings.Contains(res.all(), m) {
					t.Errorf("output does not say %q:\n%s", m, brief(res))
				}
			}
			if got := strings.Count(e.p.read(".releaser/audit.jsonl"), `"type":"approval.counted"`); got != tt.counted {
				t.Errorf("audit log counts %d approvals, want %d", got, tt.counted)
			}
		})
	}
}

func TestApproveRulesetAndAPIErrors(t *testing.T) {
	t.Run("no tag ruleset", func(t *testing.T) {
		e := newApproveEnvRuleset(t, "5s", nil, false)
		res := e.run()
		if res.code != 1 || !strings.Contains(res.all(), "no active tag ruleset protects refs/tags/v1.0.0") {
			t.Fatalf("exit %d\n%s", res.code, brief(res))
		}
	})
	t.Run("token without actions: read", func(t *testing.T) {
		e := newApproveEnv(t, "5s", nil)
		e.approve("alice", 1, "gate-1")
		e.approve("bob", 2, "gate-2")
		e.gh.DenyPermission(fmt.Sprintf("/api/v3/repos/octo-org/octo-repo/actions/runs/%d/approvals", runID), "actions=read")
		res := e.run()
		if res.code != 1 || !strings.Contains(res.all(), "actions") || !strings.Contains(res.all(), "read") {
			t.Fatalf("exit %d\n%s", res.code, brief(res))
		}
	})
	t.Run("bad token", func(t *testing.T) {
		e := newApproveEnv(t, "5s", nil)
		res := runBin(t, e.p.dir, []string{"GITHUB_ACTIONS=true", "GITHUB_TOKEN=ghs_wrong", "GITHUB_RUN_ID=4242", "GITHUB_REF=refs/tags/v1.0.0"}, "run", "--only", "approve")
		if res.code != 1 || !strings.Contains(res.all(), "Bad credentials") {
			t.Fatalf("exit %d\n%s", res.code, brief(res))
		}
	})
	t.Run("secondary rate limit is waited out", func(t *testing.T) {
		e := newApproveEnv(t, "10s", nil)
		e.approve("alice", 1, "gate-1")
		e.approve("bob", 2, "gate-2")
		e.gh.Faults().Add(fmt.Sprintf("/api/v3/repos/octo-org/octo-repo/actions/runs/%d/approvals", runID),
			testenv.TooManyRequests("1").WithBody(`{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.","documentation_url":"https://docs.github.com/rest"}`))
		res := e.run()
		if res.code != 0 {
			t.Fatalf("exit %d\n%s", res.code, brief(res))
		}
	})
}
