package testenv

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

type ghTestRuleset struct {
	ID                   int64            `json:"id"`
	Name                 string           `json:"name"`
	Target               string           `json:"target"`
	SourceType           string           `json:"source_type"`
	Source               string           `json:"source"`
	Enforcement          string           `json:"enforcement"`
	BypassActors         *[]ghBypassActor `json:"bypass_actors"`
	CurrentUserCanBypass string           `json:"current_user_can_bypass"`
	Conditions           struct {
		RefName struct {
			Include []string `json:"include"`
			Exclude []string `json:"exclude"`
		} `json:"ref_name"`
	} `json:"conditions"`
	Rules []struct {
		Type       string         `json:"type"`
		Parameters map[string]any `json:"parameters"`
	} `json:"rules"`
	Links struct {
		Self struct {
			Href string `json:"href"`
		} `json:"self"`
	} `json:"_links"`
}

func TestGitHubRulesets(t *testing.T) {
	g := newGitHubRepo(t)
	tags := g.AddRuleset("octo-org", "octo-repo", EmuRuleset{Name: "release tags", Target: "tag", Include: []string{"refs/tags/v*"}, Rules: []string{"deletion", "update"}, BypassActors: 1})
	org := g.AddRuleset("octo-org", "octo-repo", EmuRuleset{Name: "org", Include: []string{"~ALL"}, Rules: []string{"creation"}, Source: "Organization", Enforcement: "evaluate"})

	// The list is the summary: no conditions, rules or bypass actors.
	r := ghCall(t, g, http.MethodGet, g.testRepoAPI()+"/rulesets", "", nil, nil).want(t, http.StatusOK)
	var list []json.RawMessage
	r.decode(t, &list)
	if len(list) != 2 {
		t.Fatalf("list %s", r.body)
	}
	wantKeys(t, "listed ruleset", list[0], "id", "name", "target", "source_type", "source", "enforcement", "node_id", "_links", "created_at", "updated_at")
	var first, second ghTestRuleset
	json.Unmarshal(list[0], &first)
	json.Unmarshal(list[1], &second)
	if first.ID != tags || first.Source != "octo-org/octo-repo" || first.SourceType != "Repository" || first.Target != "tag" || first.Enforcement != "active" ||
		second.ID != org || second.Source != "octo-org" || second.SourceType != "Organization" || second.Target != "branch" {
		t.Fatalf("list %s", r.body)
	}
	if first.Links.Self.Href != fmt.Sprintf("%s/rulesets/%d", g.testRepoAPI(), tags) {
		t.Fatalf("self link %s", first.Links.Self.Href)
	}

	// One ruleset in full.
	r = ghCall(t, g, http.MethodGet, fmt.Sprintf("%s/rulesets/%d", g.testRepoAPI(), tags), "", nil, nil).want(t, http.StatusOK)
	wantKeys(t, "ruleset", r.body, "id", "name", "target", "source_type", "source", "enforcement", "bypass_actors", "current_user_can_bypass",
		"node_id", "_links", "conditions", "rules", "created_at", "updated_at")
	var full ghTestRuleset
	r.decode(t, &full)
	if full.BypassActors == nil || len(*full.BypassActors) != 1 || (*full.BypassActors)[0].ActorType != "RepositoryRole" ||
		strings.Join(full.Conditions.RefName.Include, ",") != "refs/tags/v*" || full.Conditions.RefName.Exclude == nil ||
		len(full.Rules) != 2 || full.Rules[0].Type != "deletion" || full.Rules[1].Type != "update" || full.Rules[1].Parameters == nil {
		t.Fatalf("ruleset %s", r.body)
	}

	// A token that cannot write rulesets is not shown their bypass actors.
	g.HideBypassActors(true)
	r = ghCall(t, g, http.MethodGet, fmt.Sprintf("%s/rulesets/%d", g.testRepoAPI(), tags), "", nil, nil).want(t, http.StatusOK)
	if strings.Contains(string(r.body), "bypass_actors") {
		t.Fatalf("bypass_actors shown: %s", r.body)
	}
}

func TestGitHubRulesetsFilters(t *testing.T) {
	g := newGitHubRepo(t)
	g.AddRuleset("octo-org", "octo-repo", EmuRuleset{Name: "tags", Target: "tag"})
	org := g.AddRuleset("octo-org", "octo-repo", EmuRuleset{Name: "org", Source: "Organization"})
	names := func(query string) string {
		var list []ghTestRuleset
		ghCall(t, g, http.MethodGet, g.testRepoAPI()+"/rulesets"+query, "", nil, nil).want(t, http.StatusOK).decode(t, &list)
		var out []string
		for _, r := range list {
			out = append(out, r.Name)
		}
		return strings.Join(out, ",")
	}
	for query, want := range map[string]string{
		"":                        "tags,org",
		"?includes_parents=true":  "tags,org",
		"?includes_parents=false": "tags",
		"?targets=tag":            "tags",
		"?targets=branch,push":    "org",
		"?targets=push":           "",
	} {
		if got := names(query); got != want {
			t.Errorf("rulesets%s: %q, want %q", query, got, want)
		}
	}
	orgURL := fmt.Sprintf("%s/rulesets/%d", g.testRepoAPI(), org)
	ghCall(t, g, http.MethodGet, orgURL, "", nil, nil).want(t, http.StatusOK)
	ghCall(t, g, http.MethodGet, orgURL+"?includes_parents=false", "", nil, nil).
		wantBody(t, http.StatusNotFound, `{"message":"Not Found","documentation_url":"`+ghDocGetRuleset+`"}`)
	ghCall(t, g, http.MethodGet, g.testRepoAPI()+"/rulesets/12", "", nil, nil).want(t, http.StatusNotFound)
	ghCall(t, g, http.MethodGet, g.testRepoAPI()+"/rulesets/x", "", nil, nil).want(t, http.StatusNotFound)
	ghCall(t, g, http.MethodGet, g.APIURL()+"repos/octo-org/nope/rulesets", "", nil, nil).
		wantBody(t, http.StatusNotFound, `{"message":"Not Found","documentation_url":"`+ghDocListRulesets+`"}`)
}

func TestGitHubRulesetsPaginate(t *testing.T) {
	g := newGitHubRepo(t)
	for i := range 45 {
		g.AddRuleset("octo-org", "octo-repo", EmuRuleset{Name: fmt.Sprintf("r%d", i)})
	}
	var p1, p2 []ghTestRuleset
	r := ghCall(t, g, http.MethodGet, g.testRepoAPI()+"/rulesets?per_page=40", "", nil, nil).want(t, http.StatusOK)
	r.decode(t, &p1)
	ghCall(t, g, http.MethodGet, g.testRepoAPI()+"/rulesets?per_page=40&page=2", "", nil, nil).want(t, http.StatusOK).decode(t, &p2)
	if len(p1) != 40 || len(p2) != 5 || p2[4].Name != "r44" || !strings.Contains(r.header.Get("Link"), `rel="next"`) {
		t.Fatalf("pages of %d and %d; Link %q", len(p1), len(p2), r.header.Get("Link"))
	}
}
