package github

import (
	"fmt"
	"net/http"
	"reflect"
	"testing"

	"github.com/releaserhq/releaser/internal/testenv"
)

func TestRulesets(t *testing.T) {
	e := newEnv(t)
	tags := e.gh.AddRuleset(owner, repo, testenv.EmuRuleset{Name: "release tags", Target: "tag", Include: []string{"refs/tags/v*"},
		Exclude: []string{"refs/tags/v0.*"}, Rules: []string{"deletion", "update", "non_fast_forward"}})
	org := e.gh.AddRuleset(owner, repo, testenv.EmuRuleset{Name: "org branches", Enforcement: "evaluate", Include: []string{"~DEFAULT_BRANCH"},
		Rules: []string{"merge_queue", "pull_request"}, BypassActors: 2, Source: "Organization"})
	got, err := e.c.Rulesets(t.Context(), owner, repo)
	if err != nil {
		t.Fatal(err)
	}
	want := []Ruleset{
		{ID: tags, Name: "release tags", Target: "tag", Enforcement: "active", Include: []string{"refs/tags/v*"}, Exclude: []string{"refs/tags/v0.*"},
			Rules: []string{"deletion", "update", "non_fast_forward"}, CurrentUserCanBypass: "never", Source: "Repository", SourceName: owner + "/" + repo},
		// merge_queue is a rule type go-github v60 cannot decode.
		{ID: org, Name: "org branches", Target: "branch", Enforcement: "evaluate", Include: []string{"~DEFAULT_BRANCH"}, Exclude: []string{},
			Rules: []string{"merge_queue", "pull_request"}, BypassActors: 2, CurrentUserCanBypass: "never", Source: "Organization", SourceName: owner},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("\n got %+v\nwant %+v", got, want)
	}
}

func TestRulesetsNone(t *testing.T) {
	e := newEnv(t)
	got, err := e.c.Rulesets(t.Context(), owner, repo)
	if err != nil || got == nil || len(got) != 0 {
		t.Fatalf("Rulesets = %#v, %v; want an empty list", got, err)
	}
}

// TestRulesetsAllPages: every page of the list is read, then every ruleset.
func TestRulesetsAllPages(t *testing.T) {
	e := newEnv(t)
	for i := range 130 {
		e.gh.AddRuleset(owner, repo, testenv.EmuRuleset{Name: fmt.Sprintf("r%d", i), Target: "tag", Rules: []string{"deletion"}})
	}
	got, err := e.c.Rulesets(t.Context(), owner, repo)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 130 || got[129].Name != "r129" || got[129].Rules[0] != "deletion" {
		t.Fatalf("%d rulesets", len(got))
	}
	if n := e.gh.Requests(http.MethodGet, "/api/v3/repos/octo-org/octo-repo/rulesets"); n != 2 {
		t.Fatalf("%d list requests, want 2", n)
	}
}

// TestRulesetsHiddenBypassActors: a token that cannot write a ruleset is not shown its
// bypass list, and that is not mistaken for an empty one.
func TestRulesetsHiddenBypassActors(t *testing.T) {
	e := newEnv(t)
	e.gh.AddRuleset(owner, repo, testenv.EmuRuleset{Name: "tags", Target: "tag", BypassActors: 3})
	e.gh.HideBypassActors(true)
	got, err := e.c.Rulesets(t.Context(), owner, repo)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !got[0].BypassActorsHidden || got[0].BypassActors != 0 {
		t.Fatalf("rulesets %+v", got)
	}
	e.gh.HideBypassActors(false)
	got, err = e.c.Rulesets(t.Context(), owner, repo)
	if err != nil || got[0].BypassActorsHidden || got[0].BypassActors != 3 {
		t.Fatalf("rulesets %+v, %v", got, err)
	}
}

// TestRulesetDeletedMeanwhile: a ruleset listed but gone when read no longer applies.
func TestRulesetDeletedMeanwhile(t *testing.T) {
	e := newEnv(t)
	gone := e.gh.AddRuleset(owner, repo, testenv.EmuRuleset{Name: "gone", Target: "tag"})
	kept := e.gh.AddRuleset(owner, repo, testenv.EmuRuleset{Name: "kept", Target: "tag"})
	e.gh.Faults().Add(fmt.Sprintf("/api/v3/repos/octo-org/octo-repo/rulesets/%d", gone),
		testenv.Status(404, `{"message":"Not Found","documentation_url":"https://docs.github.com/rest/repos/rules#get-a-repository-ruleset"}`))
	got, err := e.c.Rulesets(t.Context(), owner, repo)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != kept {
		t.Fatalf("rulesets %+v, want only %d", got, kept)
	}
}
