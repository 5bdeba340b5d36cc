package registry

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestRubyGemsExchangeRequest(t *testing.T) {
	f := newFakeRegistry(t, reply{status: 201, body: `{"rubygems_api_key":"rubygems_0123456789abcdef0123456789abcdef0123456789abcdef","name":"release 2026-08-22T10:00:00Z","scopes":["push_rubygem"],"gem":{"name":"sample"},"expires_at":"2026-08-22T10:15:00Z"}`})
	ex := mustNew(t, KindRubyGems, f.srv.URL, "sample", testOptions(nil))
	tok, err := ex.Exchange(context.Background(), (&jwtSource{}).fn())
	if err != nil {
		t.Fatalf("Exchange: %v", err)
	}
	wantExp := time.Date(2026, 8, 22, 10, 15, 0, 0, time.UTC)
	if tok.Value != "rubygems_0123456789abcdef0123456789abcdef0123456789abcdef" || !tok.Expires.Equal(wantExp) || tok.Estimated {
		t.Errorf("token %v", tok)
	}
	r := f.requests()[0]
	if r.method != "POST" || r.requestURI != "/api/v1/oidc/trusted_publisher/exchange_token" {
		t.Errorf("request %s %s", r.method, r.requestURI)
	}
	if want := `{"jwt":"` + sentJWT(KindRubyGems, r) + `"}`; r.body != want {
		t.Errorf("body %q, want %q", r.body, want)
	}
	for h, want := range map[string]string{"Content-Type": "application/json", "Accept": "application/json", "User-Agent": testUserAgent} {
		if got := r.header.Get(h); got != want {
			t.Errorf("%s: %q, want %q", h, got, want)
		}
	}
}

func TestRubyGemsMissingExpiryIsEstimated(t *testing.T) {
	f := newFakeRegistry(t, reply{status: 201, body: `{"rubygems_api_key":"rubygems_ab","expires_at":"soon"}`})
	ex := mustNew(t, KindRubyGems, f.srv.URL, "g", testOptions(nil))
	before := time.Now()
	tok, err := ex.Exchange(context.Background(), (&jwtSource{}).fn())
	if err != nil {
		t.Fatal(err)
	}
	if !tok.Estimated || tok.Expires.Before(before.Add(rubygemsLifetime)) {
		t.Errorf("token %v, want an estimated 15 min expiry", tok)
	}
}

func TestRubyGemsAudience(t *testing.T) {
	tests := []struct{ base, want string }{
		{"", "rubygems.org"},
		{"https://staging.rubygems.org", "staging.rubygems.org"},
	}
	for _, tt := range tests {
		ex := mustNew(t, KindRubyGems, tt.base, "g", Options{})
		if got, err := ex.Audience(context.Background()); err != nil || got != tt.want {
			t.Errorf("Audience(%q) = %q, %v; want %q", tt.base, got, err, tt.want)
		}
	}
}

func TestRubyGemsRefusals(t *testing.T) {
	tests := []struct {
		name   string
		rp     reply
		msg    string
		fixHas []string
	}{
		{"404", reply{status: 404, body: `{"error":"Not Found"}`}, "Not Found",
			[]string{"404 for every identity mismatch", "gem sample → Trusted publishers", "job_workflow_ref", "environment", "repository_owner_id", "fresh"}},
		{"400", reply{status: 400, body: `{"error":"Missing/invalid nbf"}`}, "Missing/invalid nbf",
			[]string{"nbf"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeRegistry(t, tt.rp)
			ex := mustNew(t, KindRubyGems, f.srv.URL, "sample", testOptions(nil))
			_, err := ex.Exchange(context.Background(), (&jwtSource{}).fn())
			ee := asExchangeError(t, err)
			if ee.Status != tt.rp.status || ee.Message != tt.msg || ee.Retryable || ee.Registry != "RubyGems" {
				t.Errorf("got %+v", ee)
			}
			for _, s := range tt.fixHas {
				if !strings.Contains(ee.Fix, s) {
					t.Errorf("Fix %q lacks %q", ee.Fix, s)
				}
			}
		})
	}
}
