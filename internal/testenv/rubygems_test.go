package testenv

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

var rubygemsKeyShape = regexp.MustCompile(`^rubygems_deadbeef[0-9a-f]{40}$`)

func TestRubyGemsExchange(t *testing.T) {
	const notFound = `{"error":"Not Found"}`
	cases := []struct {
		tokenCase
		status int
		want   string // body; "" means success
	}{
		{tokenCase: tokenCase{name: "success"}, status: http.StatusCreated},
		{tokenCase: tokenCase{name: "publisher without environment takes any", setup: func(is *OIDCIssuer, p *Publisher) {
			p.Environment = ""
			is.Set("environment", "staging")
		}}, status: http.StatusCreated},
		// No jti replay check on this path (reference §6.1, UNCONFIRMED).
		{tokenCase: tokenCase{name: "reused jti is accepted", reuse: true}, status: http.StatusCreated},
		{tokenCase{name: "wrong audience", mint: tampered(WrongAudience)}, http.StatusNotFound, notFound},
		{tokenCase{name: "rubygems.org audience", mint: func(is *OIDCIssuer, _ string) string { return is.Mint("rubygems.org", nil) }},
			http.StatusNotFound, notFound},
		{tokenCase{name: "expired", mint: tampered(Expired)}, http.StatusNotFound, notFound},
		{tokenCase{name: "expired 10s ago, no leeway", mint: withClaims(map[string]any{"exp": frozen.Unix() - 10})}, http.StatusNotFound, notFound},
		{tokenCase{name: "not yet valid", mint: tampered(NotYetValid)}, http.StatusNotFound, notFound},
		{tokenCase{name: "bad signature", mint: tampered(BadSignature)}, http.StatusNotFound, notFound},
		{tokenCase{name: "unknown kid", mint: tampered(UnknownKID)}, http.StatusNotFound, notFound},
		{tokenCase{name: "alg none", mint: tampered(AlgNone)}, http.StatusNotFound, notFound},
		{tokenCase{name: "alg HS256", mint: tampered(AlgHS256)}, http.StatusNotFound, notFound},
		{tokenCase{name: "other issuer", mint: withClaims(map[string]any{"iss": "https://token.actions.githubusercontent.com"})},
			http.StatusNotFound, notFound},
		{tokenCase{name: "wrong repository", setup: func(is *OIDCIssuer, _ *Publisher) { is.Set("repository", "octo-org/other-repo") }},
			http.StatusNotFound, notFound},
		{tokenCase{name: "repository is case-sensitive", setup: func(is *OIDCIssuer, _ *Publisher) { is.Set("repository", "octo-org/Octo-Repo") }},
			http.StatusNotFound, notFound},
		{tokenCase{name: "wrong owner id", setup: func(is *OIDCIssuer, _ *Publisher) { is.Set("repository_owner_id", "66") }},
			http.StatusNotFound, notFound},
		{tokenCase{name: "reusable workflow", setup: func(is *OIDCIssuer, _ *Publisher) { is.UseReusableWorkflow(reusable) }},
			http.StatusNotFound, notFound},
		{tokenCase{name: "job_workflow_ref at another ref", setup: func(is *OIDCIssuer, _ *Publisher) {
			is.Set("job_workflow_ref", "octo-org/octo-repo/.github/workflows/release.yml@refs/heads/main")
		}}, http.StatusNotFound, notFound},
		{tokenCase{name: "missing environment", setup: func(is *OIDCIssuer, _ *Publisher) { is.Delete("environment") }},
			http.StatusNotFound, notFound},
		{tokenCase{name: "environment is case-sensitive", setup: func(is *OIDCIssuer, _ *Publisher) { is.Set("environment", "Release") }},
			http.StatusNotFound, notFound},
		{tokenCase{name: "missing jti", setup: func(is *OIDCIssuer, _ *Publisher) { is.Delete("jti") }},
			http.StatusBadRequest, `{"error":"Missing/invalid jti"}`},
		{tokenCase{name: "fractional exp", mint: withClaims(map[string]any{"exp": float64(frozen.Unix()) + 299.5})},
			http.StatusBadRequest, `{"error":"Missing/invalid exp"}`},
		{tokenCase{name: "missing repository", setup: func(is *OIDCIssuer, _ *Publisher) { is.Delete("repository") }},
			http.StatusBadRequest, `{"error":"Missing/invalid repository"}`},
		{tokenCase{name: "not a JWT", mint: func(*OIDCIssuer, string) string { return "not-a-jwt" }},
			http.StatusBadRequest, `{"error":"Invalid JWT Format. JWT should include 2 or 3 dots."}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			is := newIssuer(t)
			pub := DefaultPublisher("sample_gem")
			if tc.setup != nil {
				tc.setup(is, &pub)
			}
			reg := NewRubyGems(t, is)
			reg.AddPublisher(pub)
			jwt := mintFor(is, reg.Audience(), tc.tokenCase)
			u := reg.URL() + "/api/v1/oidc/trusted_publisher/exchange_token"
			if tc.reuse {
				if r := postJSON(t, u, map[string]string{"jwt": jwt}, nil); r.status != http.StatusCreated {
					t.Fatalf("first exchange: %d %s", r.status, r.text())
				}
			}
			r := postJSON(t, u, map[string]string{"jwt": jwt}, nil)
			if tc.want != "" {
				r.wantJSON(t, tc.status, tc.want)
				return
			}
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.text())
			}
			m := r.object(t)
			key, _ := m["rubygems_api_key"].(string)
			if !rubygemsKeyShape.MatchString(key) {
				t.Fatalf("key %.17s… is not rubygems_deadbeef + 40 hex", key)
			}
			wantName := "GitHub Actions octo-org/octo-repo @ .github/workflows/release.yml"
			if pub.Environment != "" {
				wantName += " (release)"
			}
			wantName += " 2026-08-22T10:00:00Z"
			if m["name"] != wantName || m["expires_at"] != "2026-08-22T10:15:00.000Z" {
				t.Errorf("name %q, expires_at %q; want %q, 2026-08-22T10:15:00.000Z", m["name"], m["expires_at"], wantName)
			}
			if s, _ := m["scopes"].([]any); len(s) != 1 || s[0] != "push_rubygem" {
				t.Errorf("scopes %v, want [push_rubygem]", m["scopes"])
			}
			if got := reg.Issued(); got[len(got)-1] != key {
				t.Errorf("Issued() does not end with the key served")
			}
		})
	}
}

func TestRubyGemsMissingParameter(t *testing.T) {
	is := newIssuer(t)
	reg := NewRubyGems(t, is)
	reg.AddPublisher(DefaultPublisher("sample_gem"))
	u := reg.URL() + "/api/v1/oidc/trusted_publisher/exchange_token"
	for _, tc := range []struct {
		name, body string
	}{
		{"token instead of jwt", `{"token":"` + is.Mint(reg.Audience(), nil) + `"}`},
		{"empty jwt", `{"jwt":""}`},
		{"not JSON", `{"jwt":`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, http.MethodPost, u, []byte(tc.body), map[string]string{"Content-Type": "application/json"})
			if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), `"error"`) {
				t.Fatalf("got %d %s, want 400 with an error", r.status, r.text())
			}
		})
	}
}
