package registry

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestNpmExchangeRequest(t *testing.T) {
	tests := []struct{ pkg, wantURI string }{
		{"sample", "/-/npm/v1/oidc/token/exchange/package/sample"},
		{"@octo/sample", "/-/npm/v1/oidc/token/exchange/package/@octo%2fsample"},
		{"@Octo.org/some_pkg-1.0", "/-/npm/v1/oidc/token/exchange/package/@Octo.org%2fsome_pkg-1.0"},
	}
	for _, tt := range tests {
		t.Run(tt.pkg, func(t *testing.T) {
			f := newFakeRegistry(t, reply{status: 201, body: `{"token":"npm_abcdefghijklmnopqrstuvwxyz0123"}`})
			ex := mustNew(t, KindNpm, f.srv.URL, tt.pkg, testOptions(nil))
			if got := ex.Endpoint(); got != f.srv.URL+tt.wantURI {
				t.Errorf("Endpoint() = %q, want %q", got, f.srv.URL+tt.wantURI)
			}
			before := time.Now()
			tok, err := ex.Exchange(context.Background(), (&jwtSource{}).fn())
			if err != nil {
				t.Fatalf("Exchange: %v", err)
			}
			if tok.Value != "npm_abcdefghijklmnopqrstuvwxyz0123" || tok.Registry != KindNpm || !tok.Estimated ||
				tok.Expires.Before(before.Add(npmLifetime)) || tok.Expires.After(time.Now().Add(npmLifetime)) {
				t.Errorf("token %v", tok)
			}
			r := f.requests()[0]
			if r.method != "POST" || r.requestURI != tt.wantURI {
				t.Errorf("request %s %s, want POST %s", r.method, r.requestURI, tt.wantURI)
			}
			if !strings.HasPrefix(r.header.Get("Authorization"), "Bearer eyJ") {
				t.Errorf("Authorization %q, want the JWT as Bearer", r.header.Get("Authorization"))
			}
			if r.body != "" {
				t.Errorf("body %q, want none", r.body)
			}
			if r.header.Get("Content-Type") != "application/json" || r.header.Get("User-Agent") != testUserAgent {
				t.Errorf("headers %v", r.header)
			}
		})
	}
}

func TestNpmAcceptsAny2xx(t *testing.T) {
	f := newFakeRegistry(t, reply{status: 200, body: `{"token":"npm_tok"}`})
	ex := mustNew(t, KindNpm, f.srv.URL, "p", testOptions(nil))
	if _, err := ex.Exchange(context.Background(), (&jwtSource{}).fn()); err != nil {
		t.Fatal(err)
	}
}

func TestNpmRejectsUnsafeNames(t *testing.T) {
	for _, pkg := range []string{"", "a b", "@scope/a/b", "../x", ".hidden", "a?b=c", "a#b", "@/x", "a%2fb", "@scope", "é"} {
		if _, err := New(KindNpm, "", pkg, Options{}); err == nil {
			t.Errorf("npm package name %q accepted", pkg)
		}
	}
}

func TestNpmAudience(t *testing.T) {
	tests := []struct{ base, want string }{
		{"", "npm:registry.npmjs.org"},
		{"http://127.0.0.1:4873", "npm:127.0.0.1"},
		{"https://npm.example.com:8443/registry/", "npm:npm.example.com"},
	}
	for _, tt := range tests {
		ex := mustNew(t, KindNpm, tt.base, "p", Options{})
		if got, err := ex.Audience(context.Background()); err != nil || got != tt.want {
			t.Errorf("Audience(%q) = %q, %v; want %q", tt.base, got, err, tt.want)
		}
	}
}

func TestNpmRefusals(t *testing.T) {
	tests := []struct {
		name   string
		rp     reply
		fixHas []string
	}{
		{"package not found", reply{status: 404, body: `{"message":"OIDC token exchange error - package not found"}`},
			[]string{"npmjs.com", "package @octo/sample → Settings → Trusted Publisher", "workflow_ref", "calling workflow", "environment"}},
		{"unauthorized", reply{status: 401, body: `{"message":"OIDC token exchange error - unauthorized"}`},
			[]string{"issuer", "self-hosted"}},
		{"permission denied", reply{status: 403, body: `{"message":"OIDC permission denied for this action"}`},
			[]string{"Trusted Publisher"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeRegistry(t, tt.rp)
			ex := mustNew(t, KindNpm, f.srv.URL, "@octo/sample", testOptions(nil))
			_, err := ex.Exchange(context.Background(), (&jwtSource{}).fn())
			ee := asExchangeError(t, err)
			if ee.Status != tt.rp.status || ee.Retryable || !strings.Contains(tt.rp.body, ee.Message) || ee.Registry != "npm" {
				t.Errorf("got %+v", ee)
			}
			for _, s := range tt.fixHas {
				if !strings.Contains(ee.Fix, s) {
					t.Errorf("Fix %q lacks %q", ee.Fix, s)
				}
			}
			if len(f.requests()) != 1 {
				t.Errorf("a refusal was retried")
			}
		})
	}
}
