package approval

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/releaserhq/releaser/internal/github"
)

var policy = Policy{Required: 2, Environments: []string{"gate-1", "gate-2", "release"}, Reviewers: []string{"@octo-org/release-team"},
	TagPattern: "v*", Tag: "v1.2.3", RulesetSeverity: "error"}

func approved(user string, id int64, envs ...string) github.Approval {
	return github.Approval{User: user, UserID: id, State: "approved", Environments: envs}
}

func TestCount(t *testing.T) {
	tests := []struct {
		name       string
		approvals  []github.Approval
		counted    string
		enough     bool
		rejected   bool
		discounted []string
		waiting    string
	}{
		{name: "two distinct", approvals: []github.Approval{approved("alice", 1, "gate-1"), approved("bob", 2, "gate-2")},
			counted: "alice bob", enough: true, waiting: "release"},
		{name: "same person twice", approvals: []github.Approval{approved("alice", 1, "gate-1"), approved("alice", 1, "gate-2")},
			counted: "alice", discounted: []string{"alice approved gate-1 and gate-2: one person counts once"}, waiting: "release"},
		{name: "renamed account counts once (by id)", approvals: []github.Approval{approved("alice", 1, "gate-1"), approved("alice-new", 1, "gate-2")},
			counted: "alice"},
		{name: "the actor", approvals: []github.Approval{approved("carol", 3, "gate-1"), approved("bob", 2, "gate-2")},
			counted: "bob", discounted: []string{"carol started the run"}},
		{name: "other environments do not count", approvals: []github.Approval{approved("alice", 1, "staging"), approved("bob", 2, "gate-2")},
			counted: "bob", waiting: "gate-1 release"},
		{name: "one approval of two gates at once", approvals: []github.Approval{approved("alice", 1, "gate-1", "gate-2")},
			counted: "alice", waiting: "release"},
		{name: "a rejection", approvals: []github.Approval{approved("alice", 1, "gate-1"), {User: "bob", UserID: 2, State: "rejected", Environments: []string{"gate-2"}}},
			counted: "alice", rejected: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Count(tt.approvals, policy, []string{"carol"})
			var names []string
			for _, a := range got.Counted {
				names = append(names, a.Login)
			}
			if strings.Join(names, " ") != tt.counted {
				t.Errorf("counted %v, want %s", names, tt.counted)
			}
			if got.Enough(policy) != tt.enough || (got.Rejected != nil) != tt.rejected {
				t.Errorf("enough %v rejected %v", got.Enough(policy), got.Rejected)
			}
			for _, d := range tt.discounted {
				if !strings.Contains(strings.Join(got.Discounted, "; "), d) {
					t.Errorf("discounted %v, want it to say %q", got.Discounted, d)
				}
			}
			if tt.waiting != "" && strings.Join(got.Waiting, " ") != tt.waiting {
				t.Errorf("waiting %v, want %s", got.Waiting, tt.waiting)
			}
		})
	}
}

func TestStatus(t *testing.T) {
	got := Count([]github.Approval{approved("alice", 1, "gate-1")}, policy, nil).Status(policy)
	want := "1 of 2 approvals: alice (gate-1); waiting for: gate-2, release, reviewers: @octo-org/release-team"
	if got != want {
		t.Errorf("Status = %q\nwant %q", got, want)
	}
}

func goodEnv(name string) *github.Environment {
	return &github.Environment{Name: name, Reviewers: []github.Reviewer{{Type: "Team", Login: "octo-org/release-team", ID: 9}},
		PreventSelfReview: true, DeploymentPolicy: "custom", Policies: []github.DeploymentPolicy{{Name: "v*", Type: "tag"}}}
}

func TestEnvironment(t *testing.T) {
	tests := []struct {
		name     string
		edit     func(e *github.Environment)
		policy   func(p *Policy)
		settings string
		mention  string
	}{
		{name: "good"},
		{name: "no reviewers", edit: func(e *github.Environment) { e.Reviewers = nil }, settings: "required reviewers,required reviewers", mention: "no required reviewers"},
		{name: "reviewer missing", edit: func(e *github.Environment) { e.Reviewers = []github.Reviewer{{Type: "User", Login: "alice"}} },
			settings: "required reviewers", mention: "does not list @octo-org/release-team"},
		{name: "self review allowed", edit: func(e *github.Environment) { e.PreventSelfReview = false }, settings: "prevent self-review", mention: "Prevent self-review"},
		{name: "admin bypass", edit: func(e *github.Environment) { e.CanAdminsBypass = true }, settings: "admin bypass", mention: "can_admins_bypass=false"},
		{name: "wait timer short", edit: func(e *github.Environment) { e.WaitTimer = 5 }, policy: func(p *Policy) { p.WaitTimer = 10 },
			settings: "wait timer", mention: "waits 5 minute(s), release.toml requires 10"},
		{name: "any branch deploys", edit: func(e *github.Environment) { e.DeploymentPolicy = "all" }, settings: "deployment policy", mention: "every branch and tag"},
		{name: "protected branches", edit: func(e *github.Environment) { e.DeploymentPolicy = "protected" }, settings: "deployment policy", mention: "allow_protected_branches"},
		{name: "protected branches allowed", edit: func(e *github.Environment) { e.DeploymentPolicy = "protected" }, policy: func(p *Policy) { p.AllowProtectedBranches = true }},
		{name: "branch rule", edit: func(e *github.Environment) {
			e.Policies = append(e.Policies, github.DeploymentPolicy{Name: "main", Type: "branch"})
		},
			settings: "deployment policy", mention: `lets branch "main" deploy`},
		{name: "no tag rule", edit: func(e *github.Environment) { e.Policies = nil }, settings: "deployment policy", mention: "no tag rule"},
		{name: "tag rule misses the tag", edit: func(e *github.Environment) { e.Policies = []github.DeploymentPolicy{{Name: "release-*", Type: "tag"}} },
			settings: "deployment policy", mention: "matches the release tag v1.2.3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := goodEnv("gate-1")
			if tt.edit != nil {
				tt.edit(e)
			}
			p := policy
			if tt.policy != nil {
				tt.policy(&p)
			}
			fs := p.Environment("octo-org", "octo-repo", e)
			var settings, text []string
			for _, f := range fs {
				settings, text = append(settings, f.Setting), append(text, f.String())
				if f.Fix == "" {
					t.Errorf("finding without a fix: %s", f.Message)
				}
			}
			if strings.Join(settings, ",") != tt.settings {
				t.Fatalf("findings %v, want %s:\n%s", settings, tt.settings, strings.Join(text, "\n"))
			}
			if tt.mention != "" && !strings.Contains(strings.Join(text, "\n"), tt.mention) {
				t.Errorf("findings do not say %q:\n%s", tt.mention, strings.Join(text, "\n"))
			}
		})
	}
}

func TestRulesets(t *testing.T) {
	good := github.Ruleset{Name: "release tags", Target: "tag", Enforcement: "active", Include: []string{"refs/tags/v*"}, Rules: []string{"update", "deletion"}}
	tests := []struct {
		name    string
		rs      []github.Ruleset
		ok      bool
		mention string
	}{
		{name: "protected", rs: []github.Ruleset{good}, ok: true},
		{name: "all tags", rs: []github.Ruleset{{Name: "all", Target: "tag", Enforcement: "active", Include: []string{"~ALL"}, Rules: []string{"deletion", "update", "creation"}}}, ok: true},
		{name: "none", mention: "no active tag ruleset protects refs/tags/v1.2.3"},
		{name: "branch ruleset", rs: []github.Ruleset{{Name: "b", Target: "branch", Enforcement: "active", Include: []string{"~ALL"}, Rules: []string{"update", "deletion"}}}},
		{name: "evaluate mode", rs: []github.Ruleset{func() github.Ruleset { r := good; r.Enforcement = "evaluate"; return r }()}},
		{name: "excluded", rs: []github.Ruleset{func() github.Ruleset { r := good; r.Exclude = []string{"refs/tags/v1.*"}; return r }()}},
		{name: "no deletion rule", rs: []github.Ruleset{func() github.Ruleset { r := good; r.Rules = []string{"update"}; return r }()}, mention: `ruleset "release tags" needs restrict deletions`},
		{name: "bypass actors", rs: []github.Ruleset{func() github.Ruleset { r := good; r.BypassActors = 1; return r }()}, mention: "no bypass list (it has 1)"},
		{name: "bypass list hidden from the token", rs: []github.Ruleset{func() github.Ruleset { r := good; r.BypassActorsHidden = true; return r }()},
			mention: "hides its bypass list from this token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := policy.Rulesets("octo-org", "octo-repo", tt.rs)
			if (f == nil) != tt.ok {
				t.Fatalf("finding %v, want ok=%v", f, tt.ok)
			}
			if f != nil && (!strings.Contains(f.Message, tt.mention) || f.Fix == "") {
				t.Errorf("finding %q, want it to say %q, with a fix", f.Message, tt.mention)
			}
		})
	}
}

// fakeRun is a run whose approvals a test adds while Await polls.
type fakeRun struct {
	mu        sync.Mutex
	approvals []github.Approval
	pending   []string
	polls     int
	onPoll    func(polls int, r *fakeRun)
}

func (f *fakeRun) RunApprovals(context.Context) ([]github.Approval, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.polls++
	if f.onPoll != nil {
		f.onPoll(f.polls, f)
	}
	return append([]github.Approval(nil), f.approvals...), nil
}

func (f *fakeRun) PendingDeployments(context.Context) ([]github.PendingDeployment, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []github.PendingDeployment
	for _, e := range f.pending {
		out = append(out, github.PendingDeployment{Environment: e})
	}
	return out, nil
}

func TestAwait(t *testing.T) {
	opts := AwaitOptions{PollInterval: time.Millisecond, MaxInterval: 2 * time.Millisecond, Timeout: time.Minute, Excluded: []string{"carol"}}
	t.Run("approvals arrive while waiting", func(t *testing.T) {
		run := &fakeRun{approvals: []github.Approval{approved("alice", 1, "gate-1")}, pending: []string{"gate-2"},
			onPoll: func(n int, r *fakeRun) {
				if n == 3 {
					r.approvals = append(r.approvals, approved("bob", 2, "gate-2"))
				}
			}}
		var said []string
		o := opts
		o.OnStatus = func(t Tally) { said = append(said, t.Status(policy)) }
		tally, err := Await(context.Background(), run, policy, o)
		if err != nil || len(tally.Counted) != 2 {
			t.Fatalf("Await = %+v, %v", tally, err)
		}
		if len(said) != 2 || !strings.HasPrefix(said[0], "1 of 2") || !strings.HasPrefix(said[1], "2 of 2") {
			t.Errorf("status lines %q", said)
		}
	})
	t.Run("rejection stops at once", func(t *testing.T) {
		run := &fakeRun{pending: []string{"gate-1"}, onPoll: func(n int, r *fakeRun) {
			if n == 2 {
				r.approvals = append(r.approvals, github.Approval{User: "bob", UserID: 2, State: "rejected", Environments: []string{"gate-1"}, Comment: "not today"})
			}
		}}
		_, err := Await(context.Background(), run, policy, opts)
		var rej *RejectedError
		if !errors.As(err, &rej) || !strings.Contains(err.Error(), `bob rejected the deployment to gate-1 ("not today")`) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("nothing pending: refused without waiting", func(t *testing.T) {
		run := &fakeRun{approvals: []github.Approval{approved("alice", 1, "gate-1"), approved("alice", 1, "gate-2")}}
		_, err := Await(context.Background(), run, policy, opts)
		var na *NotApprovedError
		if !errors.As(err, &na) || !strings.Contains(err.Error(), "one person counts once") || run.polls != 1 {
			t.Errorf("err = %v after %d polls", err, run.polls)
		}
	})
	t.Run("timeout says who is missing", func(t *testing.T) {
		run := &fakeRun{approvals: []github.Approval{approved("alice", 1, "gate-1")}, pending: []string{"gate-2"}}
		o := opts
		o.Timeout = 20 * time.Millisecond
		_, err := Await(context.Background(), run, policy, o)
		if err == nil || !strings.Contains(err.Error(), "timed out after 20ms") || !strings.Contains(err.Error(), "waiting for: gate-2, release") {
			t.Errorf("err = %v", err)
		}
	})
}
