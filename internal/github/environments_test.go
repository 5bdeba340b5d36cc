package github

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/releaserhq/releaser/internal/testenv"
)

func TestEnvironment(t *testing.T) {
	for _, tc := range []struct {
		name string
		emu  testenv.EmuEnvironment
		ask  string // the name releaser asks for; "" = emu.Name
		want Environment
	}{
		{
			name: "gate with custom tag policy",
			emu: testenv.EmuEnvironment{
				Name: "release-gate-1",
				Reviewers: []testenv.EmuReviewer{
					{Type: "User", Login: "alice", ID: 11},
					{Type: "Team", Login: "octo-org/release-team", ID: 77},
					{Type: "Team", Login: "maintainers", ID: 78}, // a team of the repository's owner
				},
				PreventSelfReview: true, WaitTimer: 15, DeploymentPolicy: "custom",
				Policies: []testenv.EmuPolicy{{Name: "v*", Type: "tag"}, {Name: "release/*"}},
			},
			want: Environment{
				Name: "release-gate-1",
				Reviewers: []Reviewer{
					{Type: "User", Login: "alice", ID: 11},
					{Type: "Team", Login: "octo-org/release-team", ID: 77},
					{Type: "Team", Login: "octo-org/maintainers", ID: 78},
				},
				PreventSelfReview: true, WaitTimer: 15, DeploymentPolicy: PolicyCustom,
				Policies: []DeploymentPolicy{{Name: "v*", Type: "tag"}, {Name: "release/*", Type: "branch"}},
			},
		},
		{
			name: "unprotected",
			emu:  testenv.EmuEnvironment{Name: "staging", CanAdminsBypass: true},
			want: Environment{Name: "staging", CanAdminsBypass: true, DeploymentPolicy: PolicyAll},
		},
		{
			name: "protected branches, case-insensitive name",
			emu:  testenv.EmuEnvironment{Name: "Release", DeploymentPolicy: "protected", Reviewers: []testenv.EmuReviewer{{Type: "User", Login: "bob", ID: 12}}},
			ask:  "release",
			want: Environment{Name: "Release", Reviewers: []Reviewer{{Type: "User", Login: "bob", ID: 12}}, DeploymentPolicy: PolicyProtected},
		},
		{
			name: "name with a space",
			emu:  testenv.EmuEnvironment{Name: "release gate", DeploymentPolicy: "custom", Policies: []testenv.EmuPolicy{{Name: "v*", Type: "tag"}}},
			want: Environment{Name: "release gate", DeploymentPolicy: PolicyCustom, Policies: []DeploymentPolicy{{Name: "v*", Type: "tag"}}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.gh.AddEnvironment(owner, repo, testenv.EmuEnvironment{Name: "other", DeploymentPolicy: "custom", Policies: []testenv.EmuPolicy{{Name: "main"}}})
			e.gh.AddEnvironment(owner, repo, tc.emu)
			ask := tc.ask
			if ask == "" {
				ask = tc.emu.Name
			}
			got, err := e.c.Environment(t.Context(), owner, repo, ask)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(*got, tc.want) {
				t.Fatalf("\n got %+v\nwant %+v", *got, tc.want)
			}
		})
	}
}

// TestEnvironmentPoliciesAllPages: a custom policy's patterns are read page by page.
func TestEnvironmentPoliciesAllPages(t *testing.T) {
	e := newEnv(t)
	var pols []testenv.EmuPolicy
	for i := range 230 {
		pols = append(pols, testenv.EmuPolicy{Name: fmt.Sprintf("v%d.*", i), Type: "tag"})
	}
	e.gh.AddEnvironment(owner, repo, testenv.EmuEnvironment{Name: "release", DeploymentPolicy: "custom", Policies: pols})
	env, err := e.c.Environment(t.Context(), owner, repo, "release")
	if err != nil {
		t.Fatal(err)
	}
	if len(env.Policies) != 230 || env.Policies[0].Name != "v0.*" || env.Policies[229].Name != "v229.*" {
		t.Fatalf("%d policies: first %+v", len(env.Policies), env.Policies[:1])
	}
	if n := e.gh.Requests(http.MethodGet, "/api/v3/repos/octo-org/octo-repo/environments/release/deployment-branch-policies"); n != 3 {
		t.Fatalf("%d page requests, want 3", n)
	}
}

// TestEnvironmentAnswers: answers the emulator does not produce: fields GitHub may omit,
// and a policy that is neither protected nor custom.
func TestEnvironmentAnswers(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		want       *Environment
		err        string
	}{
		{
			name: "can_admins_bypass absent means GitHub's default, true",
			body: `{"name":"release","protection_rules":[],"deployment_branch_policy":null}`,
			want: &Environment{Name: "release", CanAdminsBypass: true, DeploymentPolicy: PolicyAll},
		},
		{
			name: "reviewer without type, team without html_url, custom rule",
			body: `{"name":"release","can_admins_bypass":false,"protection_rules":[{"id":1,"type":"required_reviewers","prevent_self_review":true,
				"reviewers":[{"reviewer":{"login":"ghost","id":5}},{"type":"Team","reviewer":{"slug":"core","id":6}}]},{"id":2,"type":"custom","app":{}}],
				"deployment_branch_policy":{"protected_branches":true,"custom_branch_policies":false}}`,
			want: &Environment{Name: "release", Reviewers: []Reviewer{{Login: "ghost", ID: 5}, {Type: "Team", Login: "octo-org/core", ID: 6}},
				PreventSelfReview: true, DeploymentPolicy: PolicyProtected},
		},
		{
			name: "neither protected nor custom",
			body: `{"name":"release","can_admins_bypass":false,"deployment_branch_policy":{"protected_branches":false,"custom_branch_policies":false}}`,
			err:  "exactly one must be true",
		},
		{
			name: "not JSON",
			body: `<html>`,
			err:  "not the JSON releaser expects",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			c, err := New(srv.URL+"/api/v3/", "ghs_CANARYanswersanswersanswers123456", nil, "")
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.Environment(t.Context(), owner, repo, "release")
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("\n got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}
