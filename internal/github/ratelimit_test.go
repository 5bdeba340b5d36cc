package github

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/releaserhq/releaser/internal/testenv"
)

// interpose puts a server in front of the emulator whose first request to path gets
// answer (the fault layer cannot set rate-limit headers); everything else goes through.
// It returns a client for it whose waits are recorded and, with real, really slept.
func interpose(e *env, path string, real bool, answer http.HandlerFunc) *Client {
	e.t.Helper()
	target, err := url.Parse(e.gh.URL())
	if err != nil {
		e.t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	var used atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == path && used.CompareAndSwap(false, true) {
			answer(w, r)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	e.t.Cleanup(srv.Close)
	c, err := New(srv.URL+"/api/v3/", e.gh.Token(), nil, "releaser-tests")
	if err != nil {
		e.t.Fatal(err)
	}
	c.sleep = func(ctx context.Context, d time.Duration) error {
		e.mu.Lock()
		e.waits = append(e.waits, d)
		e.mu.Unlock()
		if real {
			return sleepCtx(ctx, d)
		}
		return ctx.Err()
	}
	return c
}

func limited(status int, headers map[string]string, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		for k, v := range headers {
			w.Header().Set(k, v)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		w.Write([]byte(body))
	}
}

const (
	primaryBody   = `{"message":"API rate limit exceeded for installation ID 1.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-primary-rate-limits"}`
	secondaryBody = `{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}`
)

// TestRateLimitsWaitedOut: GitHub's rate limits end in a wait until the time it names,
// then the request goes through. go-github remembers these limits and refuses further
// requests until the named time, so these waits are real (up to a second each): the
// test shows the retry comes after that, not into go-github's refusal.
func TestRateLimitsWaitedOut(t *testing.T) {
	runPath := "/api/v3/repos/octo-org/octo-repo/actions/runs/987654321"
	for _, tc := range []struct {
		name   string
		answer func() http.HandlerFunc
		real   bool
		wait   func(time.Duration) bool
	}{
		{"secondary 403 with Retry-After", func() http.HandlerFunc {
			return limited(403, map[string]string{"Retry-After": "1"}, secondaryBody)
		}, true, func(d time.Duration) bool { return d == time.Second }},
		{"primary 403 until X-RateLimit-Reset", func() http.HandlerFunc {
			reset := strconv.FormatInt(time.Now().Unix()+1, 10)
			return limited(403, map[string]string{"X-RateLimit-Limit": "5000", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset}, primaryBody)
		}, true, func(d time.Duration) bool { return d > 0 && d <= time.Second }},
		{"primary 429 until X-RateLimit-Reset", func() http.HandlerFunc {
			reset := strconv.FormatInt(time.Now().Unix()+1, 10)
			return limited(429, map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset}, primaryBody)
		}, true, func(d time.Duration) bool { return d > 0 && d <= time.Second }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			e.gh.AddRun(owner, repo, runID, "carol", "", 1)
			c := interpose(e, runPath, tc.real, tc.answer())
			run, err := c.Run(t.Context(), owner, repo, runID)
			if err != nil || run.Actor != "carol" {
				t.Fatalf("Run = %+v, %v", run, err)
			}
			if w := e.recordedWaits(); len(w) != 1 || !tc.wait(w[0]) {
				t.Fatalf("waits %v", w)
			}
		})
	}
}

// TestRateLimitTooLong: a reset further away than RetryPolicy.WaitMax ends the call
// with a retryable error that says how long to wait, for a caller that polls anyway.
func TestRateLimitTooLong(t *testing.T) {
	e := newEnv(t)
	e.gh.AddRun(owner, repo, runID, "carol", "", 1)
	reset := strconv.FormatInt(time.Now().Unix()+3600, 10)
	c := interpose(e, "/api/v3/repos/octo-org/octo-repo/actions/runs/987654321/approvals", false,
		limited(429, map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset}, primaryBody))
	_, err := c.RunApprovals(t.Context(), owner, repo, runID)
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != 429 || !ae.Retryable || ae.Attempts != 1 || ae.RetryAfter() < 59*time.Minute {
		t.Fatalf("error %v (%+v), want a retryable 429 asking for about an hour", err, ae)
	}
	if w := e.recordedWaits(); len(w) != 0 {
		t.Fatalf("waited %v", w)
	}
	testenv.AssertNoSecrets(t, "error", []byte(err.Error()), e.gh)
}

func TestAcceptedPermissions(t *testing.T) {
	for in, want := range map[string]string{
		"":                 "",
		"actions=read":     "actions: read",
		" actions = read ": "actions: read",
		"contents=read,metadata=read; actions=write":             "contents: read and metadata: read, or actions: write",
		"repository_projects=write; organization_projects=admin": "repository_projects: write, or organization_projects: admin",
		"odd;;=x; metadata": "odd, or metadata",
	} {
		if got := acceptedPermissions(in); got != want {
			t.Errorf("acceptedPermissions(%q) = %q, want %q", in, got, want)
		}
	}
}
