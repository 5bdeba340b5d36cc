package testenv

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// keys lists a JSON object's keys, sorted.
func keys(t *testing.T, raw json.RawMessage) []string {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("%s is not an object: %v", raw, err)
	}
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func wantKeys(t *testing.T, what string, raw json.RawMessage, want ...string) {
	t.Helper()
	slices.Sort(want)
	if got := keys(t, raw); !slices.Equal(got, want) {
		t.Fatalf("%s keys\n got %v\nwant %v", what, got, want)
	}
}

type ghTestEnv struct {
	ID              int64             `json:"id"`
	Name            string            `json:"name"`
	URL             string            `json:"url"`
	HTMLURL         string            `json:"html_url"`
	CanAdminsBypass bool              `json:"can_admins_bypass"`
	ProtectionRules []json.RawMessage `json:"protection_rules"`
	Policy          *struct {
		Protected bool `json:"protected_branches"`
		Custom    bool `json:"custom_branch_policies"`
	} `json:"deployment_branch_policy"`
}

type ghTestRule struct {
	Type              string `json:"type"`
	WaitTimer         int    `json:"wait_timer"`
	PreventSelfReview bool   `json:"prevent_self_review"`
	Reviewers         []struct {
		Type     string `json:"type"`
		Reviewer struct {
			Login   string `json:"login"`
			Slug    string `json:"slug"`
			ID      int64  `json:"id"`
			HTMLURL string `json:"html_url"`
		} `json:"reviewer"`
	} `json:"reviewers"`
}

func TestGitHubEnvironment(t *testing.T) {
	g := newGitHubRepo(t)
	g.AddEnvironment("octo-org", "octo-repo", EmuEnvironment{
		Name:      "release-gate",
		Reviewers: []EmuReviewer{{Type: "User", Login: "alice", ID: 11}, {Type: "Team", Login: "release-team"}},
		WaitTimer: 10, PreventSelfReview: true, DeploymentPolicy: "custom", Policies: []EmuPolicy{{Name: "v*", Type: "tag"}},
	})
	r := ghCall(t, g, http.MethodGet, g.testRepoAPI()+"/environments/RELEASE-GATE", "", nil, nil).want(t, http.StatusOK)
	wantKeys(t, "environment", r.body, "id", "node_id", "name", "url", "html_url", "created_at", "updated_at",
		"can_admins_bypass", "protection_rules", "deployment_branch_policy")
	var env ghTestEnv
	r.decode(t, &env)
	if env.Name != "release-gate" || env.CanAdminsBypass || env.Policy == nil || env.Policy.Protected || !env.Policy.Custom ||
		env.URL != g.testRepoAPI()+"/environments/release-gate" || !strings.HasSuffix(env.HTMLURL, "/octo-org/octo-repo/deployments/activity_log?environments_filter=release-gate") {
		t.Fatalf("environment %s", r.body)
	}
	var types []string
	var rules []ghTestRule
	for _, raw := range env.ProtectionRules {
		var rule ghTestRule
		if err := json.Unmarshal(raw, &rule); err != nil {
			t.Fatal(err)
		}
		types, rules = append(types, rule.Type), append(rules, rule)
	}
	if !slices.Equal(types, []string{"wait_timer", "required_reviewers", "branch_policy"}) {
		t.Fatalf("rule types %v", types)
	}
	wantKeys(t, "wait_timer rule", env.ProtectionRules[0], "id", "node_id", "type", "wait_timer")
	wantKeys(t, "required_reviewers rule", env.ProtectionRules[1], "id", "node_id", "type", "prevent_self_review", "reviewers")
	wantKeys(t, "branch_policy rule", env.ProtectionRules[2], "id", "node_id", "type")
	rv := rules[1].Reviewers
	if rules[0].WaitTimer != 10 || !rules[1].PreventSelfReview || len(rv) != 2 ||
		rv[0].Type != "User" || rv[0].Reviewer.Login != "alice" || rv[0].Reviewer.ID != 11 ||
		rv[1].Type != "Team" || rv[1].Reviewer.Slug != "release-team" || rv[1].Reviewer.ID == 0 ||
		!strings.HasSuffix(rv[1].Reviewer.HTMLURL, "/orgs/octo-org/teams/release-team") {
		t.Fatalf("rules %+v", rules)
	}

	// New settings replace the old ones under the same ID.
	g.AddEnvironment("octo-org", "octo-repo", EmuEnvironment{Name: "release-gate", CanAdminsBypass: true})
	var again ghTestEnv
	ghCall(t, g, http.MethodGet, g.testRepoAPI()+"/environments/release-gate", "", nil, nil).want(t, http.StatusOK).decode(t, &again)
	if again.ID != env.ID || !again.CanAdminsBypass || again.Policy != nil || len(again.ProtectionRules) != 0 {
		t.Fatalf("replaced environment %+v", again)
	}
}

func TestGitHubEnvironmentNotFound(t *testing.T) {
	g := newGitHubRepo(t)
	ghCall(t, g, http.MethodGet, g.testRepoAPI()+"/environments/nope", "", nil, nil).
		wantBody(t, http.StatusNotFound, `{"message":"Not Found","documentation_url":"`+ghDocGetEnv+`"}`)
	ghCall(t, g, http.MethodGet, g.APIURL()+"repos/octo-org/other/environments/nope", "", nil, nil).want(t, http.StatusNotFound)
	ghCall(t, g, http.MethodGet, g.testRepoAPI()+"/environments/nope/deployment-branch-policies", "", nil, nil).
		wantBody(t, http.StatusNotFound, `{"message":"Not Found","documentation_url":"`+ghDocBranchPolicies+`"}`)
	g.AddEnvironment("octo-org", "octo-repo", EmuEnvironment{Name: "release"})
	ghCall(t, g, http.MethodDelete, g.testRepoAPI()+"/environments/release", "", nil, nil).want(t, http.StatusNotFound)
}

func TestGitHubBranchPoliciesPaginate(t *testing.T) {
	g := newGitHubRepo(t)
	var pols []EmuPolicy
	for i := range 35 {
		pols = append(pols, EmuPolicy{Name: fmt.Sprintf("v%d.*", i), Type: "tag"})
	}
	pols = append(pols, struct{ Name, Type string }{Name: "main"}) // the default type is branch
	g.AddEnvironment("octo-org", "octo-repo", EmuEnvironment{Name: "release", DeploymentPolicy: "custom", Policies: pols})
	type page struct {
		TotalCount int `json:"total_count"`
		Policies   []struct {
			ID     int64  `json:"id"`
			NodeID string `json:"node_id"`
			Name   string `json:"name"`
			Type   string `json:"type"`
		} `json:"branch_policies"`
	}
	url := g.testRepoAPI() + "/environments/release/deployment-branch-policies"
	var p1, p2 page
	r1 := ghCall(t, g, http.MethodGet, url, "", nil, nil).want(t, http.StatusOK)
	r1.decode(t, &p1)
	if p1.TotalCount != 36 || len(p1.Policies) != 30 || p1.Policies[0].Name != "v0.*" || p1.Policies[0].Type != "tag" || p1.Policies[0].ID == 0 ||
		!strings.Contains(r1.header.Get("Link"), `page=2&per_page=30>; rel="next"`) {
		t.Fatalf("page 1: %d of %d, Link %q", len(p1.Policies), p1.TotalCount, r1.header.Get("Link"))
	}
	ghCall(t, g, http.MethodGet, url+"?page=2", "", nil, nil).want(t, http.StatusOK).decode(t, &p2)
	if p2.TotalCount != 36 || len(p2.Policies) != 6 || p2.Policies[5].Name != "main" || p2.Policies[5].Type != "branch" {
		t.Fatalf("page 2: %+v", p2)
	}

	// Not a custom policy: nothing to list.
	g.AddEnvironment("octo-org", "octo-repo", EmuEnvironment{Name: "release", DeploymentPolicy: "protected", Policies: pols})
	ghCall(t, g, http.MethodGet, url, "", nil, nil).wantBody(t, http.StatusOK, `{"total_count":0,"branch_policies":[]}`)
}

func TestGitHubDenyPermission(t *testing.T) {
	g := newGitHubRepo(t)
	g.AddEnvironment("octo-org", "octo-repo", EmuEnvironment{Name: "release"})
	url := g.testRepoAPI() + "/environments/release"
	g.DenyPermission("GET /api/v3/repos/octo-org/octo-repo/environments/release", "actions=read")
	for range 2 { // every request, not just the next
		r := ghCall(t, g, http.MethodGet, url, "", nil, nil)
		r.wantBody(t, http.StatusForbidden, `{"message":"Resource not accessible by integration","documentation_url":"`+ghDocGetEnv+`"}`)
		if h := r.header.Get("X-Accepted-GitHub-Permissions"); h != "actions=read" {
			t.Fatalf("X-Accepted-GitHub-Permissions %q", h)
		}
	}
	// Credentials are checked first.
	ghCall(t, g, http.MethodGet, url, "Bearer ghs_wrong", nil, nil).want(t, http.StatusUnauthorized)
	// Other routes are untouched; lifting the denial restores the route.
	ghCall(t, g, http.MethodGet, g.testRepoAPI()+"/releases", "", nil, nil).want(t, http.StatusOK)
	g.DenyPermission("GET /api/v3/repos/octo-org/octo-repo/environments/release", "")
	ghCall(t, g, http.MethodGet, url, "", nil, nil).want(t, http.StatusOK)
	// A path without a method denies every method, releases included.
	g.DenyPermission("/api/v3/repos/octo-org/octo-repo/releases", "contents=write")
	r := ghCall(t, g, http.MethodGet, g.testRepoAPI()+"/releases", "", nil, nil).want(t, http.StatusForbidden)
	if h := r.header.Get("X-Accepted-GitHub-Permissions"); h != "contents=write" {
		t.Fatalf("X-Accepted-GitHub-Permissions %q", h)
	}
}
