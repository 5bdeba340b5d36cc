package registry

import (
	"context"
	"testing"
)

func TestNewDefaults(t *testing.T) {
	tests := []struct {
		kind, pkg, name, claim, endpoint string
	}{
		{KindPyPI, "p", "PyPI", ClaimJobWorkflowRef, "https://upload.pypi.org/_/oidc/mint-token"},
		{KindTestPyPI, "p", "TestPyPI", ClaimJobWorkflowRef, "https://test.pypi.org/_/oidc/mint-token"},
		{KindNpm, "@s/p", "npm", ClaimWorkflowRef, "https://registry.npmjs.org/-/npm/v1/oidc/token/exchange/package/@s%2fp"},
		{KindCrates, "", "crates.io", ClaimWorkflowRef, "https://crates.io/api/v1/trusted_publishing/tokens"},
		{KindRubyGems, "", "RubyGems", ClaimJobWorkflowRef, "https://rubygems.org/api/v1/oidc/trusted_publisher/exchange_token"},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			ex := mustNew(t, tt.kind, "", tt.pkg, Options{})
			if ex.Kind() != tt.kind || ex.Name() != tt.name || ex.WorkflowClaim() != tt.claim || ex.Endpoint() != tt.endpoint {
				t.Errorf("got %s %s %s %s", ex.Kind(), ex.Name(), ex.WorkflowClaim(), ex.Endpoint())
			}
		})
	}
}

func TestNewBaseURL(t *testing.T) {
	tests := []struct {
		base     string
		ok       bool
		endpoint string
	}{
		{"https://crates.example.com", true, "https://crates.example.com/api/v1/trusted_publishing/tokens"},
		{"https://example.com/mirror/", true, "https://example.com/mirror/api/v1/trusted_publishing/tokens"},
		{"http://127.0.0.1:8080", true, "http://127.0.0.1:8080/api/v1/trusted_publishing/tokens"},
		{"http://localhost:8080", true, "http://localhost:8080/api/v1/trusted_publishing/tokens"},
		{"http://[::1]:8080", true, "http://[::1]:8080/api/v1/trusted_publishing/tokens"},
		{"http://crates.io", false, ""},
		{"ftp://crates.io", false, ""},
		{"crates.io", false, ""},
		{"https://user:pass@crates.io", false, ""},
		{"https://crates.io/?x=1", false, ""},
		{"https://crates.io/#f", false, ""},
		{"://", false, ""},
	}
	for _, tt := range tests {
		ex, err := New(KindCrates, tt.base, "c", Options{})
		if (err == nil) != tt.ok {
			t.Errorf("New(%q): err = %v, want ok = %v", tt.base, err, tt.ok)
			continue
		}
		if tt.ok && ex.Endpoint() != tt.endpoint {
			t.Errorf("New(%q).Endpoint() = %q, want %q", tt.base, ex.Endpoint(), tt.endpoint)
		}
	}
}

func TestNewUnknownKind(t *testing.T) {
	for _, kind := range []string{"", "nuget", "PyPI"} {
		if _, err := New(kind, "", "p", Options{}); err == nil {
			t.Errorf("kind %q accepted", kind)
		}
	}
}

func TestComputedAudiencesMakeNoRequest(t *testing.T) {
	f := newFakeRegistry(t)
	for _, kind := range []string{KindNpm, KindCrates, KindRubyGems} {
		ex := mustNew(t, kind, f.srv.URL, "p", testOptions(nil))
		if _, err := ex.Audience(context.Background()); err != nil {
			t.Errorf("%s: %v", kind, err)
		}
	}
	if n := len(f.requests()); n != 0 {
		t.Errorf("%d requests for computed audiences", n)
	}
}

func TestOptionDefaults(t *testing.T) {
	c := newClient(KindPyPI, Options{})
	if c.base == nil || c.base.Timeout != defaultTimeout || c.userAgent != "releaser" || c.retryMax != 3 ||
		c.waitMin != defaultRetryWaitMin || c.waitMax != defaultRetryWaitMax {
		t.Errorf("defaults %+v", c)
	}
	if c := newClient(KindPyPI, Options{RetryMax: -1}); c.retryMax != 0 {
		t.Errorf("RetryMax -1 gave %d retries", c.retryMax)
	}
}
