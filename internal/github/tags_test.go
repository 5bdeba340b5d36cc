package github

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

const commitB = "89abcdef0123456789abcdef0123456789abcdef"

func TestTagCommit(t *testing.T) {
	e := newEnv(t)
	e.gh.AddTag(owner, repo, "v1.0.0", commitA, false)
	e.gh.AddTag(owner, repo, "v2.0.0", strings.ToUpper(commitB), true)
	e.gh.AddTag(owner, repo, "demo/v3.0.0", commitA, true)
	for _, tc := range []struct{ tag, want string }{
		{"v1.0.0", commitA},
		{"v2.0.0", commitB},
		{"refs/tags/v2.0.0", commitB},
		{"demo/v3.0.0", commitA},
	} {
		got, err := e.c.TagCommit(t.Context(), owner, repo, tc.tag)
		if err != nil || got != tc.want {
			t.Errorf("%s: %q, %v; want %s", tc.tag, got, err, tc.want)
		}
	}
}

func TestTagCommitFollowsAMove(t *testing.T) {
	e := newEnv(t)
	e.gh.AddTag(owner, repo, "v1.2.3", commitA, false)
	draft := e.draft()
	if _, err := e.c.PublishRelease(t.Context(), draft, PublishOptions{}); err != nil {
		t.Fatal(err)
	}
	e.gh.AddTag(owner, repo, "v1.2.3", commitB, true) // moved behind releaser's back
	if got, err := e.c.TagCommit(t.Context(), owner, repo, "v1.2.3"); err != nil || got != commitB {
		t.Fatalf("%q, %v; want %s", got, err, commitB)
	}
}

func TestTagCommitMissing(t *testing.T) {
	e := newEnv(t)
	e.gh.AddTag(owner, repo, "v1.2.3", commitA, false)
	_, err := e.c.TagCommit(t.Context(), owner, repo, "v1.2")
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusNotFound || !strings.Contains(ae.Fix(), "the tag v1.2 does not exist in octo-org/octo-repo: push it") {
		t.Fatalf("error %v", err)
	}
}

func TestTagCommitBadNames(t *testing.T) {
	e := newEnv(t)
	for _, tag := range []string{"", "refs/tags/", "a//b", "../x", "v1/.", "/v1"} {
		if _, err := e.c.TagCommit(t.Context(), owner, repo, tag); err == nil || !strings.Contains(err.Error(), "tag name") {
			t.Errorf("%q: %v", tag, err)
		}
	}
	if _, err := e.c.TagCommit(t.Context(), "..", repo, "v1"); err == nil {
		t.Error("a bad owner was accepted")
	}
}

// TestTagCommitAnswers covers answers the emulator does not give: tags of tags, a
// tag of a tree, a loop, another ref, a bad sha.
func TestTagCommitAnswers(t *testing.T) {
	const (
		tagX = "1111111111111111111111111111111111111111"
		tagY = "2222222222222222222222222222222222222222"
		loop = "3333333333333333333333333333333333333333"
	)
	objects := map[string]string{
		"/git/tags/" + tagX: `{"sha":"` + tagX + `","object":{"type":"tag","sha":"` + tagY + `"}}`,
		"/git/tags/" + tagY: `{"sha":"` + tagY + `","object":{"type":"commit","sha":"` + commitB + `"}}`,
		"/git/tags/" + loop: `{"sha":"` + loop + `","object":{"type":"tag","sha":"` + loop + `"}}`,
	}
	for _, tc := range []struct{ name, ref, want, err string }{
		{"tag of a tag", `{"ref":"refs/tags/v1","object":{"type":"tag","sha":"` + tagX + `"}}`, commitB, ""},
		{"tree", `{"ref":"refs/tags/v1","object":{"type":"tree","sha":"` + commitA + `"}}`, "", "points at a tree"},
		{"loop", `{"ref":"refs/tags/v1","object":{"type":"tag","sha":"` + loop + `"}}`, "", "more than 10 annotated tags"},
		{"another ref", `{"ref":"refs/tags/v1.0","object":{"type":"commit","sha":"` + commitA + `"}}`, "", "answered with refs/tags/v1.0"},
		{"bad sha", `{"ref":"refs/tags/v1","object":{"type":"commit","sha":"HEAD"}}`, "", `"HEAD" is not a commit sha`},
		{"sha-256 repository", `{"ref":"refs/tags/v1","object":{"type":"commit","sha":"` + commitA + `0123456789abcdef01234567"}}`, commitA + "0123456789abcdef01234567", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				rest := strings.TrimPrefix(r.URL.Path, repoAPIPath)
				if rest == "/git/ref/tags/v1" {
					_, _ = w.Write([]byte(tc.ref))
					return
				}
				if body, ok := objects[rest]; ok {
					_, _ = w.Write([]byte(body))
					return
				}
				w.WriteHeader(http.StatusNotFound)
				_, _ = w.Write([]byte(`{"message":"Not Found"}`))
			}))
			defer srv.Close()
			c, err := New(srv.URL+"/api/v3/", "ghs_test", nil, "releaser-tests")
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.TagCommit(t.Context(), owner, repo, "v1")
			switch {
			case tc.err == "" && (err != nil || got != tc.want):
				t.Fatalf("%q, %v; want %s", got, err, tc.want)
			case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
				t.Fatalf("%q, %v; want an error with %q", got, err, tc.err)
			}
		})
	}
}
