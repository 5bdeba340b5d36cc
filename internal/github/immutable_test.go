package github

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/releaserhq/releaser/internal/testenv"
)

const (
	repoAPIPath      = "/api/v3/repos/octo-org/octo-repo"
	immutableAPIPath = repoAPIPath + "/immutable-releases"
)

func TestImmutableReleasesSetting(t *testing.T) {
	for _, tc := range []struct {
		name       string
		setup      func(g *testenv.GitHub)
		want       ImmutableSetting
		repoChecks int // GET /repos/o/r, made only to tell "off" from "no such repository"
	}{
		{"off", func(*testenv.GitHub) {}, ImmutableSetting{}, 1},
		{"on", func(g *testenv.GitHub) { g.SetImmutableReleases(owner, repo, true) }, ImmutableSetting{Enabled: true}, 0},
		{"enforced by the owner", func(g *testenv.GitHub) { g.EnforceImmutableReleases(owner, repo) }, ImmutableSetting{Enabled: true, EnforcedByOwner: true}, 0},
		{"on after a 502", func(g *testenv.GitHub) {
			g.SetImmutableReleases(owner, repo, true)
			g.Faults().Add("GET "+immutableAPIPath, testenv.Status(http.StatusBadGateway, ""))
		}, ImmutableSetting{Enabled: true}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			tc.setup(e.gh)
			got, err := e.c.ImmutableReleases(t.Context(), owner, repo)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
			if n := e.gh.Requests(http.MethodGet, repoAPIPath); n != tc.repoChecks {
				t.Fatalf("%d repository reads, want %d", n, tc.repoChecks)
			}
		})
	}
}

func TestImmutableReleasesRefusals(t *testing.T) {
	const forbidden = `{"message":"Resource not accessible by integration","documentation_url":"https://docs.github.com/rest"}`
	for _, tc := range []struct {
		name   string
		setup  func(e *env) (c *Client, repoName string)
		status int
		fix    string
	}{
		{
			name:   "no such repository",
			setup:  func(e *env) (*Client, string) { return e.c, "nope" },
			status: 404, fix: "check the repository name: octo-org/nope was not found",
		},
		{
			name: "403 naming administration",
			setup: func(e *env) (*Client, string) {
				e.gh.DenyPermission("GET "+immutableAPIPath, "administration=read")
				return e.c, repo
			},
			status: 403, fix: "the token needs administration: read, which a workflow's GITHUB_TOKEN can never be given",
		},
		{
			name: "403 without the header names the documented permission",
			setup: func(e *env) (*Client, string) {
				e.gh.Faults().Add("GET "+immutableAPIPath, testenv.Status(http.StatusForbidden, forbidden))
				return e.c, repo
			},
			status: 403, fix: "the token needs administration: read, which",
		},
		{
			name:   "bad credentials",
			setup:  func(e *env) (*Client, string) { return e.client(wrongToken), repo },
			status: 401, fix: "GITHUB_TOKEN: ${{ github.token }}",
		},
		{
			name: "setting off but the repository unreadable",
			setup: func(e *env) (*Client, string) {
				for range 5 {
					e.gh.Faults().Add("GET "+repoAPIPath, testenv.Status(http.StatusInternalServerError, `{"message":"Server Error"}`))
				}
				return e.c, repo
			},
			status: 500, fix: "run releaser again",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			c, name := tc.setup(e)
			got, err := c.ImmutableReleases(t.Context(), owner, name)
			var ae *APIError
			if !errors.As(err, &ae) || ae.Status != tc.status {
				t.Fatalf("got %+v, %v; want an *APIError with status %d", got, err, tc.status)
			}
			if !strings.Contains(ae.Fix(), tc.fix) || !strings.Contains(err.Error(), tc.fix) {
				t.Fatalf("error %q, fix %q; want %q", err, ae.Fix(), tc.fix)
			}
			for _, secret := range []string{e.gh.Token(), wrongToken} {
				if strings.Contains(err.Error(), secret) {
					t.Fatal("the error quotes a token")
				}
			}
		})
	}
}

// TestImmutableReleasesAnswers covers answers the emulator does not give: "enabled":
// false with 200 (seen from GitHub, though the docs describe 404), an answer without
// "enabled", and 404 for the repository too.
func TestImmutableReleasesAnswers(t *testing.T) {
	for _, tc := range []struct {
		name          string
		setting, repo string // bodies; "" = 404
		want          ImmutableSetting
		err           string
	}{
		{"200 disabled", `{"enabled":false,"enforced_by_owner":false}`, `{}`, ImmutableSetting{}, ""},
		{"200 enabled", `{"enabled":true}`, `{}`, ImmutableSetting{Enabled: true}, ""},
		{"no enabled field", `{"enforced_by_owner":true}`, `{}`, ImmutableSetting{}, `the answer has no "enabled"`},
		{"not JSON", `<html>`, `{}`, ImmutableSetting{}, "not the JSON releaser expects"},
		{"repository 404 too", "", "", ImmutableSetting{}, "HTTP 404"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body := map[string]string{immutableAPIPath: tc.setting, repoAPIPath: tc.repo}[r.URL.Path]
				w.Header().Set("Content-Type", "application/json")
				if body == "" {
					w.WriteHeader(http.StatusNotFound)
					_, _ = w.Write([]byte(`{"message":"Not Found"}`))
					return
				}
				_, _ = w.Write([]byte(body))
			}))
			defer srv.Close()
			c, err := New(srv.URL+"/api/v3/", "ghs_test", nil, "releaser-tests")
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.ImmutableReleases(t.Context(), owner, repo)
			switch {
			case tc.err == "" && err != nil:
				t.Fatal(err)
			case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
				t.Fatalf("error %v, want %q", err, tc.err)
			case got != tc.want:
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestImmutableReleasesBadNames(t *testing.T) {
	e := newEnv(t)
	for _, r := range [][2]string{{"", repo}, {owner, ""}, {owner, ".."}, {owner, "a/b"}} {
		if _, err := e.c.ImmutableReleases(t.Context(), r[0], r[1]); err == nil {
			t.Errorf("%q/%q: no error", r[0], r[1])
		}
	}
	if n := e.gh.Requests(http.MethodGet, immutableAPIPath); n != 0 {
		t.Fatalf("%d requests for bad names", n)
	}
}
