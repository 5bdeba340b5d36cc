package testenv

import (
	"net/http"
	"net/url"
	"testing"
)

func TestNpmAudience(t *testing.T) {
	reg := NewNpm(t, newIssuer(t))
	if got := reg.Audience(); got != "npm:127.0.0.1" {
		t.Fatalf("Audience() = %q, want npm:127.0.0.1 (host name, no port)", got)
	}
}

func TestNpmExchange(t *testing.T) {
	const (
		unauthorized = `{"message":"OIDC token exchange error - unauthorized"}`
		notFound     = `{"message":"OIDC token exchange error - package not found"}`
	)
	cases := []struct {
		tokenCase
		pkg        string // package in the URL; "" = the registered one
		status     int
		want       string
		authHeader func(jwt string) string
	}{
		{tokenCase: tokenCase{name: "success"}, status: http.StatusCreated},
		{tokenCase: tokenCase{name: "reusable workflow binds the caller", setup: func(is *OIDCIssuer, _ *Publisher) { is.UseReusableWorkflow(reusable) }},
			status: http.StatusCreated},
		{tokenCase: tokenCase{name: "owner id not registered", setup: func(is *OIDCIssuer, p *Publisher) {
			p.OwnerID = ""
			is.Set("repository_owner_id", "66")
		}}, status: http.StatusCreated},
		{tokenCase: tokenCase{name: "lower-case bearer"}, status: http.StatusCreated,
			authHeader: func(jwt string) string { return "bearer " + jwt }},
		{tokenCase: tokenCase{name: "no authorization"}, status: http.StatusUnauthorized, want: unauthorized,
			authHeader: func(string) string { return "" }},
		{tokenCase: tokenCase{name: "wrong audience", mint: tampered(WrongAudience)}, status: http.StatusUnauthorized, want: unauthorized},
		{tokenCase: tokenCase{name: "registry host audience", mint: func(is *OIDCIssuer, _ string) string { return is.Mint("npm:registry.npmjs.org", nil) }},
			status: http.StatusUnauthorized, want: unauthorized},
		{tokenCase: tokenCase{name: "expired", mint: tampered(Expired)}, status: http.StatusUnauthorized, want: unauthorized},
		{tokenCase: tokenCase{name: "not yet valid", mint: tampered(NotYetValid)}, status: http.StatusUnauthorized, want: unauthorized},
		{tokenCase: tokenCase{name: "bad signature", mint: tampered(BadSignature)}, status: http.StatusUnauthorized, want: unauthorized},
		{tokenCase: tokenCase{name: "unknown kid", mint: tampered(UnknownKID)}, status: http.StatusUnauthorized, want: unauthorized},
		{tokenCase: tokenCase{name: "alg none", mint: tampered(AlgNone)}, status: http.StatusUnauthorized, want: unauthorized},
		{tokenCase: tokenCase{name: "alg HS256", mint: tampered(AlgHS256)}, status: http.StatusUnauthorized, want: unauthorized},
		{tokenCase: tokenCase{name: "reused jti", reuse: true}, status: http.StatusUnauthorized, want: unauthorized},
		{tokenCase: tokenCase{name: "unknown package"}, pkg: "other-pkg", status: http.StatusNotFound, want: notFound},
		{tokenCase: tokenCase{name: "wrong repository", setup: func(is *OIDCIssuer, _ *Publisher) { is.Set("repository", "octo-org/other-repo") }},
			status: http.StatusNotFound, want: notFound},
		{tokenCase: tokenCase{name: "repository is case-sensitive", setup: func(is *OIDCIssuer, _ *Publisher) { is.Set("repository", "Octo-Org/octo-repo") }},
			status: http.StatusNotFound, want: notFound},
		{tokenCase: tokenCase{name: "wrong owner id", setup: func(is *OIDCIssuer, _ *Publisher) { is.Set("repository_owner_id", "66") }},
			status: http.StatusNotFound, want: notFound},
		{tokenCase: tokenCase{name: "other caller workflow", setup: func(is *OIDCIssuer, _ *Publisher) {
			is.Set("workflow_ref", "octo-org/octo-repo/.github/workflows/ci.yml@refs/tags/v1.2.3")
		}}, status: http.StatusNotFound, want: notFound},
		{tokenCase: tokenCase{name: "missing environment", setup: func(is *OIDCIssuer, _ *Publisher) { is.Delete("environment") }},
			status: http.StatusNotFound, want: notFound},
		{tokenCase: tokenCase{name: "environment is case-sensitive", setup: func(is *OIDCIssuer, _ *Publisher) { is.Set("environment", "Release") }},
			status: http.StatusNotFound, want: notFound},
		{tokenCase: tokenCase{name: "self-hosted runner", setup: func(is *OIDCIssuer, _ *Publisher) { is.Set("runner_environment", "self-hosted") }},
			status: http.StatusNotFound, want: notFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			is := newIssuer(t)
			pub := DefaultPublisher("@octo/pkg")
			if tc.setup != nil {
				tc.setup(is, &pub)
			}
			reg := NewNpm(t, is)
			reg.AddPublisher(pub)
			jwt := mintFor(is, reg.Audience(), tc.tokenCase)
			pkg := tc.pkg
			if pkg == "" {
				pkg = pub.Package
			}
			u := reg.URL() + "/-/npm/v1/oidc/token/exchange/package/" + url.PathEscape(pkg)
			auth := "Bearer " + jwt
			if tc.authHeader != nil {
				auth = tc.authHeader(jwt)
			}
			hdr := map[string]string{"Authorization": auth, "Content-Type": "application/json"}
			if tc.reuse {
				if r := do(t, http.MethodPost, u, nil, hdr); r.status != http.StatusCreated {
					t.Fatalf("first exchange: %d %s", r.status, r.text())
				}
			}
			r := do(t, http.MethodPost, u, nil, hdr)
			if tc.want != "" {
				r.wantJSON(t, tc.status, tc.want)
				return
			}
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.text())
			}
			cred, _ := r.object(t)["token"].(string)
			wantCanary(t, cred, "npm_")
			if len(cred) != len("npm_")+36 {
				t.Errorf("token has %d characters, want npm_ + 36", len(cred))
			}
			if got := reg.Issued(); len(got) != 1 || got[0] != cred {
				t.Errorf("Issued() has %d tokens, want the 1 served", len(got))
			}
		})
	}
}

// TestNpmPackageEscaping checks the path forms of a scoped name: npm-package-arg's
// lower-case "%2f", Go's "%2F", and the unescaped slash npm never sends.
func TestNpmPackageEscaping(t *testing.T) {
	for _, tc := range []struct {
		path   string
		status int
	}{
		{"@octo%2fpkg", http.StatusCreated},
		{"%40octo%2Fpkg", http.StatusCreated},
		{"@octo/pkg", http.StatusNotFound},
	} {
		t.Run(tc.path, func(t *testing.T) {
			is := newIssuer(t)
			reg := NewNpm(t, is)
			reg.AddPublisher(DefaultPublisher("@octo/pkg"))
			r := do(t, http.MethodPost, reg.URL()+"/-/npm/v1/oidc/token/exchange/package/"+tc.path, nil,
				map[string]string{"Authorization": "Bearer " + is.Mint(reg.Audience(), nil)})
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.text())
			}
		})
	}
}
