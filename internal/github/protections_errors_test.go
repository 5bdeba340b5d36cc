package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/releaserhq/releaser/internal/testenv"
)

// protectionCall is one read the approval stage makes, and the path it sends.
type protectionCall struct {
	name string
	path string
	need string // the permission GitHub documents for it
	call func(ctx context.Context, c *Client) error
}

// protectionEnv is a repository with something behind every protection endpoint.
func protectionEnv(t *testing.T) (*env, []protectionCall) {
	e := newEnv(t)
	e.gh.AddEnvironment(owner, repo, testenv.EmuEnvironment{Name: "release", DeploymentPolicy: "custom", Policies: []testenv.EmuPolicy{{Name: "v*", Type: "tag"}}})
	rs := e.gh.AddRuleset(owner, repo, testenv.EmuRuleset{Name: "tags", Target: "tag"})
	e.gh.AddRun(owner, repo, runID, "carol", "", 1)
	e.gh.SetPending(owner, repo, runID, "release")
	base := "/api/v3/repos/octo-org/octo-repo"
	run := fmt.Sprintf("%s/actions/runs/%d", base, runID)
	env := func(ctx context.Context, c *Client) error {
		_, err := c.Environment(ctx, owner, repo, "release")
		return err
	}
	rulesets := func(ctx context.Context, c *Client) error { _, err := c.Rulesets(ctx, owner, repo); return err }
	return e, []protectionCall{
		{"environment", base + "/environments/release", "actions: read", env},
		{"deployment branch policies", base + "/environments/release/deployment-branch-policies", "actions: read", env},
		{"ruleset list", base + "/rulesets", "metadata: read", rulesets},
		{"ruleset", fmt.Sprintf("%s/rulesets/%d", base, rs), "metadata: read", rulesets},
		{"run", run, "actions: read", func(ctx context.Context, c *Client) error { _, err := c.Run(ctx, owner, repo, runID); return err }},
		{"approvals", run + "/approvals", "actions: read", func(ctx context.Context, c *Client) error {
			_, err := c.RunApprovals(ctx, owner, repo, runID)
			return err
		}},
		{"pending deployments", run + "/pending_deployments", "actions: read", func(ctx context.Context, c *Client) error {
			_, err := c.PendingDeployments(ctx, owner, repo, runID)
			return err
		}},
	}
}

func TestProtectionReadsSucceed(t *testing.T) {
	e, calls := protectionEnv(t)
	for _, pc := range calls {
		if err := pc.call(t.Context(), e.c); err != nil {
			t.Errorf("%s: %v", pc.name, err)
		}
	}
}

func TestProtectionRefusals(t *testing.T) {
	const forbidden = `{"message":"Resource not accessible by integration","documentation_url":"https://docs.github.com/rest"}`
	for _, kind := range []struct {
		name   string
		setup  func(e *env, pc protectionCall) *Client
		status int
		fix    func(pc protectionCall) string
		perm   func(pc protectionCall) string
	}{
		{
			name:   "bad credentials",
			setup:  func(e *env, _ protectionCall) *Client { return e.client(wrongToken) },
			status: 401, fix: func(protectionCall) string { return "GITHUB_TOKEN: ${{ github.token }}" },
		},
		{
			name: "403 naming the permission",
			setup: func(e *env, pc protectionCall) *Client {
				e.gh.DenyPermission("GET "+pc.path, "actions=read")
				return e.c
			},
			status: 403,
			fix:    func(protectionCall) string { return "the token needs actions: read (for the workflow's GITHUB_TOKEN" },
			perm:   func(protectionCall) string { return "actions: read" },
		},
		{
			name: "403 without the header names the documented permission",
			setup: func(e *env, pc protectionCall) *Client {
				e.gh.Faults().Add("GET "+pc.path, testenv.Status(403, forbidden))
				return e.c
			},
			status: 403,
			fix:    func(pc protectionCall) string { return "the token needs " + pc.need },
		},
	} {
		t.Run(kind.name, func(t *testing.T) {
			e, calls := protectionEnv(t)
			for _, pc := range calls {
				c := kind.setup(e, pc)
				err := pc.call(t.Context(), c)
				e.gh.DenyPermission("GET "+pc.path, "")
				var ae *APIError
				if !errors.As(err, &ae) {
					t.Fatalf("%s: error %v, want *APIError", pc.name, err)
				}
				if ae.Status != kind.status || ae.Retryable || ae.Attempts != 1 || !strings.Contains(ae.Fix(), kind.fix(pc)) || !strings.Contains(err.Error(), ae.Fix()) {
					t.Errorf("%s: %+v; Fix %q, want it to contain %q", pc.name, ae, ae.Fix(), kind.fix(pc))
				}
				if kind.perm != nil && ae.Permission != kind.perm(pc) {
					t.Errorf("%s: Permission %q, want %q", pc.name, ae.Permission, kind.perm(pc))
				}
				testenv.AssertNoSecrets(t, pc.name+" error", []byte(err.Error()), e.gh, fixedSecrets{wrongToken})
			}
		})
	}
}

func TestProtectionNotFound(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		name string
		call func(ctx context.Context) error
		fix  string
	}{
		{"environment", func(ctx context.Context) error { _, err := e.c.Environment(ctx, owner, repo, "nope"); return err },
			`create the environment "nope" in octo-org/octo-repo (Settings → Environments → New environment)`},
		{"repository", func(ctx context.Context) error { _, err := e.c.Rulesets(ctx, owner, "missing"); return err },
			"check the repository name"},
		{"run", func(ctx context.Context) error { _, err := e.c.Run(ctx, owner, repo, 42); return err }, "there is no workflow run 42 in octo-org/octo-repo: check GITHUB_RUN_ID"},
		{"approvals", func(ctx context.Context) error { _, err := e.c.RunApprovals(ctx, owner, repo, 42); return err }, "check GITHUB_RUN_ID"},
		{"pending", func(ctx context.Context) error { _, err := e.c.PendingDeployments(ctx, owner, repo, 42); return err }, "check GITHUB_RUN_ID"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call(t.Context())
			var ae *APIError
			if !errors.As(err, &ae) || ae.Status != 404 || ae.Retryable || !strings.Contains(ae.Fix(), tc.fix) {
				t.Fatalf("error %v, want a 404 whose fix contains %q", err, tc.fix)
			}
		})
	}
}

// TestProtectionBadNames: names that would change the request path are refused before
// any request.
func TestProtectionBadNames(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	for _, tc := range []struct {
		name string
		err  error
	}{
		{"owner with slash", func() error { _, err := e.c.Run(ctx, "a/b", repo, 1); return err }()},
		{"dot-dot repo", func() error { _, err := e.c.Rulesets(ctx, owner, ".."); return err }()},
		{"empty owner", func() error { _, err := e.c.RunApprovals(ctx, "", repo, 1); return err }()},
		{"query in repo", func() error { _, err := e.c.PendingDeployments(ctx, owner, "r?x=1", 1); return err }()},
		{"no run id", func() error { _, err := e.c.Run(ctx, owner, repo, 0); return err }()},
		{"no environment name", func() error { _, err := e.c.Environment(ctx, owner, repo, ""); return err }()},
	} {
		var ae *APIError
		if tc.err == nil || errors.As(tc.err, &ae) {
			t.Errorf("%s: error %v, want a local refusal", tc.name, tc.err)
		}
	}
}

// TestProtectionSecondaryRateLimit: GitHub's secondary rate limit (a 403 or 429 saying
// so) is waited out: Retry-After when given, else a minute.
func TestProtectionSecondaryRateLimit(t *testing.T) {
	const secondary = `{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.","documentation_url":"https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits"}`
	for _, tc := range []struct {
		name  string
		fault testenv.Fault
		wait  time.Duration
	}{
		{"429 with Retry-After", testenv.TooManyRequests("30").WithBody(secondary), 30 * time.Second},
		{"429 without Retry-After", testenv.TooManyRequests("").WithBody(secondary), time.Minute},
		{"403 without Retry-After", testenv.Status(403, secondary), time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, calls := protectionEnv(t)
			for _, pc := range calls {
				before := len(e.recordedWaits())
				e.gh.Faults().Add("GET "+pc.path, tc.fault)
				if err := pc.call(t.Context(), e.c); err != nil {
					t.Fatalf("%s: %v", pc.name, err)
				}
				if w := e.recordedWaits()[before:]; len(w) != 1 || w[0] != tc.wait {
					t.Fatalf("%s: waits %v, want [%s]", pc.name, w, tc.wait)
				}
			}
			if n := e.gh.Faults().Pending(); n != 0 {
				t.Fatalf("%d faults did not fire", n)
			}
		})
	}
}

// TestProtectionServerErrorsRetried: 5xx and dropped connections are retried.
func TestProtectionServerErrorsRetried(t *testing.T) {
	e, calls := protectionEnv(t)
	for _, pc := range calls {
		e.gh.Faults().Add("GET "+pc.path, testenv.Status(http.StatusBadGateway, "bad gateway"))
		e.gh.Faults().Add("GET "+pc.path, testenv.Reset())
		if err := pc.call(t.Context(), e.c); err != nil {
			t.Fatalf("%s: %v", pc.name, err)
		}
	}
	if n := e.gh.Faults().Pending(); n != 0 {
		t.Fatalf("%d faults did not fire", n)
	}
}
