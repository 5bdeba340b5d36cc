package github

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/releaserhq/releaser/internal/testenv"
)

const releasesPath = "/api/v3/repos/octo-org/octo-repo/releases"

func TestDraftReleaseCreatesThenFinds(t *testing.T) {
	e := newEnv(t)
	rel, err := e.c.DraftRelease(t.Context(), owner, repo, "v1.2.3", "Demo 1.2.3", "the notes", true)
	if err != nil {
		t.Fatal(err)
	}
	if !rel.Draft || !rel.Prerelease || rel.Tag != "v1.2.3" || rel.Name != "Demo 1.2.3" || rel.Immutable ||
		rel.Repository() != owner+"/"+repo || !strings.Contains(rel.HTMLURL, "untagged-") {
		t.Fatalf("release %+v", rel)
	}
	emu := e.gh.Releases(owner, repo)
	if len(emu) != 1 || emu[0].Body != "the notes" || !emu[0].Draft || !emu[0].Prerelease {
		t.Fatalf("emulator has %+v", emu)
	}
	again, err := e.c.DraftRelease(t.Context(), owner, repo, "v1.2.3", "other name", "", false)
	if err != nil {
		t.Fatal(err)
	}
	if again.ID != rel.ID || len(e.gh.Releases(owner, repo)) != 1 || e.gh.Requests(http.MethodPost, releasesPath) != 1 {
		t.Fatalf("second call: id %d (want %d), %d releases, %d creates", again.ID, rel.ID, len(e.gh.Releases(owner, repo)), e.gh.Requests(http.MethodPost, releasesPath))
	}
}

func TestDraftReleaseFindsExisting(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(g *testenv.GitHub) (want int64)
		draft bool
		err   string
	}{
		{
			name: "draft invisible by tag",
			setup: func(g *testenv.GitHub) int64 {
				g.AddRelease(owner, repo, "v0.9.0", false)
				return g.AddRelease(owner, repo, "v1.2.3", true)
			},
			draft: true,
		},
		{
			name: "published returned as is",
			setup: func(g *testenv.GitHub) int64 {
				g.AddRelease(owner, repo, "v1.2.3", true)
				return g.AddRelease(owner, repo, "v1.2.3", false)
			},
		},
		{
			name: "two drafts",
			setup: func(g *testenv.GitHub) int64 {
				g.AddRelease(owner, repo, "v1.2.3", true)
				g.AddRelease(owner, repo, "v1.2.3", true)
				return 0
			},
			err: "2 draft releases for tag v1.2.3",
		},
		{
			name: "beyond the first page",
			setup: func(g *testenv.GitHub) int64 {
				id := g.AddRelease(owner, repo, "v1.2.3", true) // the oldest: listed last
				for i := range 120 {
					g.AddRelease(owner, repo, fmt.Sprintf("v0.0.%d", i), i%3 == 0)
				}
				return id
			},
			draft: true,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			want := tc.setup(e.gh)
			before := len(e.gh.Releases(owner, repo))
			rel, err := e.c.DraftRelease(t.Context(), owner, repo, "v1.2.3", "v1.2.3", "", false)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
			} else if err != nil {
				t.Fatal(err)
			} else if rel.ID != want || rel.Draft != tc.draft {
				t.Fatalf("release %d (draft %t), want %d (draft %t)", rel.ID, rel.Draft, want, tc.draft)
			}
			if n := e.gh.Requests(http.MethodPost, releasesPath); n != 0 || len(e.gh.Releases(owner, repo)) != before {
				t.Fatalf("%d creates; want none", n)
			}
		})
	}
}

func TestDraftReleaseListsEveryPage(t *testing.T) {
	e := newEnv(t)
	for i := range 250 {
		e.gh.AddRelease(owner, repo, fmt.Sprintf("v0.0.%d", i), false)
	}
	if _, err := e.c.DraftRelease(t.Context(), owner, repo, "v1.2.3", "", "", false); err != nil {
		t.Fatal(err)
	}
	// 250 releases at 100 a page: three pages looked at, then one create.
	if n := e.gh.Requests(http.MethodGet, releasesPath); n != 3 {
		t.Fatalf("%d list requests, want 3", n)
	}
	if n := len(e.gh.Releases(owner, repo)); n != 251 {
		t.Fatalf("%d releases, want 251", n)
	}
}

// TestDraftReleaseRetries: failed creates are retried, and one that landed (lost
// response) is found by listing again instead of created twice.
func TestDraftReleaseRetries(t *testing.T) {
	for _, tc := range []struct {
		name    string
		faults  []testenv.Fault
		creates int // POSTs that reached the emulator
		waits   []time.Duration
	}{
		{"502", []testenv.Fault{testenv.Status(502, "bad gateway")}, 2, []time.Duration{time.Second}},
		{"429 with Retry-After", []testenv.Fault{testenv.TooManyRequests("7")}, 2, []time.Duration{7 * time.Second}},
		{"reset", []testenv.Fault{testenv.Reset()}, 2, []time.Duration{time.Second}},
		{"lost response", []testenv.Fault{testenv.LostResponse()}, 1, []time.Duration{time.Second}},
		{"backoff doubles", []testenv.Fault{testenv.Status(500, ""), testenv.Status(503, ""), testenv.Status(504, "")}, 4,
			[]time.Duration{time.Second, 2 * time.Second, 4 * time.Second}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			for _, f := range tc.faults {
				e.gh.Faults().Add("POST "+releasesPath, f)
			}
			rel, err := e.c.DraftRelease(t.Context(), owner, repo, "v1.2.3", "", "", false)
			if err != nil {
				t.Fatal(err)
			}
			rels := e.gh.Releases(owner, repo)
			if len(rels) != 1 || rels[0].ID != rel.ID {
				t.Fatalf("releases %+v, want exactly the one returned (%d)", rels, rel.ID)
			}
			// Requests counts faulted requests too; the lost one reached the handler.
			if n := e.gh.Requests(http.MethodPost, releasesPath); n != tc.creates {
				t.Fatalf("%d creates sent, want %d", n, tc.creates)
			}
			if got := e.recordedWaits(); fmt.Sprint(got) != fmt.Sprint(tc.waits) {
				t.Fatalf("waits %v, want %v", got, tc.waits)
			}
			if len(e.retries) != len(tc.waits) || e.retries[0].Attempt != 2 || e.retries[0].Op == "" {
				t.Fatalf("OnRetry calls %+v", e.retries)
			}
		})
	}
}

func TestDraftReleaseGivesUp(t *testing.T) {
	for _, tc := range []struct {
		name      string
		faults    []testenv.Fault
		status    int
		attempts  int
		retryable bool
	}{
		{"5xx until retries run out", repeat(testenv.Status(503, `{"message":"Service Unavailable"}`), 5), 503, 5, true},
		{"Retry-After longer than WaitMax", []testenv.Fault{testenv.TooManyRequests("3600")}, 429, 1, true},
		{"403 is final", []testenv.Fault{testenv.Status(403, `{"message":"Resource not accessible by integration","documentation_url":"https://docs.github.com/rest/releases/releases#create-a-release"}`)}, 403, 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			for _, f := range tc.faults {
				e.gh.Faults().Add("POST "+releasesPath, f)
			}
			_, err := e.c.DraftRelease(t.Context(), owner, repo, "v1.2.3", "", "", false)
			var ae *APIError
			if !errors.As(err, &ae) {
				t.Fatalf("error %v, want an *APIError", err)
			}
			if ae.Status != tc.status || ae.Attempts != tc.attempts || ae.Retryable != tc.retryable {
				t.Fatalf("APIError %+v: want status %d, %d attempts, retryable %t", ae, tc.status, tc.attempts, tc.retryable)
			}
			if len(e.gh.Releases(owner, repo)) != 0 {
				t.Fatal("a release was created")
			}
		})
	}
}

// TestSecondaryRateLimit: GitHub's 403 secondary rate limit is retried after a minute
// (its documented advice when there is no Retry-After).
func TestSecondaryRateLimit(t *testing.T) {
	e := newEnv(t)
	e.gh.Faults().Add("POST "+releasesPath, testenv.Status(403,
		`{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}`))
	if _, err := e.c.DraftRelease(t.Context(), owner, repo, "v1.2.3", "", "", false); err != nil {
		t.Fatal(err)
	}
	if got := e.recordedWaits(); len(got) != 1 || got[0] != time.Minute {
		t.Fatalf("waits %v, want [1m0s]", got)
	}
}

func repeat(f testenv.Fault, n int) []testenv.Fault {
	out := make([]testenv.Fault, n)
	for i := range out {
		out[i] = f
	}
	return out
}

func TestFindRelease(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	if rel, err := e.c.FindRelease(ctx, owner, repo, "v1.0.0"); err != nil || rel != nil {
		t.Fatalf("no release: %v, %v", rel, err)
	}
	if len(e.gh.Releases(owner, repo)) != 0 {
		t.Fatalf("FindRelease created a release")
	}
	id := e.gh.AddRelease(owner, repo, "v1.0.0", true)
	e.gh.AddAsset(owner, repo, id, "a.txt", []byte("hello"), false)
	rel, err := e.c.FindRelease(ctx, owner, repo, "v1.0.0")
	if err != nil || rel == nil || rel.ID != id || !rel.Draft || len(rel.Assets) != 1 || rel.Assets[0].Name != "a.txt" {
		t.Fatalf("FindRelease = %+v, %v", rel, err)
	}
}
