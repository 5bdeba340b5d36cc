package registry

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestCratesExchangeRequest(t *testing.T) {
	f := newFakeRegistry(t, reply{status: 200, body: `{"token":"cio_tp_abcdefghijklmnopqrstuvwxyz01234"}`})
	ex := mustNew(t, KindCrates, f.srv.URL, "sample", testOptions(nil))
	before := time.Now()
	tok, err := ex.Exchange(context.Background(), (&jwtSource{}).fn())
	if err != nil {
		t.Fatalf("Exchange: %v", err)
	}
	if tok.Value != "cio_tp_abcdefghijklmnopqrstuvwxyz01234" || !tok.Estimated ||
		tok.Expires.Before(before.Add(30*time.Minute)) || tok.Expires.After(time.Now().Add(30*time.Minute)) {
		t.Errorf("token %v", tok)
	}
	r := f.requests()[0]
	if r.method != "POST" || r.requestURI != "/api/v1/trusted_publishing/tokens" {
		t.Errorf("request %s %s", r.method, r.requestURI)
	}
	if want := `{"jwt":"` + sentJWT(KindCrates, r) + `"}`; r.body != want {
		t.Errorf("body %q, want %q", r.body, want)
	}
	if r.header.Get("Content-Type") != "application/json" || r.header.Get("User-Agent") != testUserAgent {
		t.Errorf("headers %v", r.header)
	}
}

func TestCratesAudience(t *testing.T) {
	tests := []struct{ base, want string }{
		{"", "crates.io"},
		{"http://127.0.0.1:8080", "127.0.0.1:8080"},
		{"https://staging.crates.io/", "staging.crates.io"},
	}
	for _, tt := range tests {
		ex := mustNew(t, KindCrates, tt.base, "c", Options{})
		if got, err := ex.Audience(context.Background()); err != nil || got != tt.want {
			t.Errorf("Audience(%q) = %q, %v; want %q", tt.base, got, err, tt.want)
		}
	}
}

func cratesErr(detail string) string {
	b, _ := json.Marshal(map[string]any{"errors": []map[string]string{{"detail": detail}}})
	return string(b)
}

func TestCratesRefusals(t *testing.T) {
	settings := "crates.io, crate sample → Settings → Trusted Publishing"
	tests := []struct {
		name      string
		rp        reply
		retryable bool
		fixHas    []string
	}{
		{"reused jti", reply{status: 400, body: cratesErr("JWT has already been used")}, true, []string{"fresh one"}},
		{"no config", reply{status: 400, body: cratesErr("No Trusted Publishing config found for repository `octo/sample`.")}, false,
			[]string{settings, "workflow_ref", "environment"}},
		{"workflow", reply{status: 400, body: cratesErr("The Trusted Publishing config for repository `octo/sample` does not match the workflow filename `ci.yml` in the JWT. Expected workflow filenames: `release.yml`")}, false,
			[]string{settings, "workflow_ref"}},
		{"environment", reply{status: 400, body: cratesErr("The Trusted Publishing config for repository `octo/sample` does not match the environment `prod` in the JWT. Expected environments: `release`")}, false,
			[]string{settings, "environment"}},
		{"environment required", reply{status: 400, body: cratesErr("The Trusted Publishing config for repository `octo/sample` requires an environment, but the JWT does not specify one. Expected environments: `release`")}, false,
			[]string{settings, "environment"}},
		{"owner ID", reply{status: 400, body: cratesErr("The Trusted Publishing config for repository `octo/sample` does not match the repository owner ID (12) in the JWT. Expected owner IDs: 65")}, false,
			[]string{settings, "owner"}},
		{"pull_request_target", reply{status: 400, body: cratesErr("Trusted Publishing does not support the `pull_request_target` event trigger due to security concerns. Please use a different event trigger.")}, false,
			[]string{"push, release or workflow_dispatch"}},
		{"workflow_run", reply{status: 400, body: cratesErr("Trusted Publishing does not support the `workflow_run` event trigger due to security concerns. Please use a different event trigger.")}, false,
			[]string{"push, release or workflow_dispatch"}},
		{"decode", reply{status: 400, body: cratesErr("Failed to decode JWT")}, false, []string{"audience"}},
		{"issuer", reply{status: 400, body: cratesErr("Unsupported JWT issuer: https://example.com")}, false, []string{"issuer"}},
		{"key ID", reply{status: 400, body: cratesErr("Invalid JWT key ID")}, false, []string{"ID token"}},
		{"user agent", reply{status: 403, body: "We require that all requests include a `User-Agent` header.  To allow us to determine the impact your bot may have on our service, we ask that your user agent actually identify your bot, and not just report the HTTP client library you're using.  Including contact information will also reduce the chance that we will need to take action against your bot.\n\nBad:\n  User-Agent: reqwest/0.9.1\n", header: map[string]string{"Content-Type": "text/plain; charset=utf-8"}}, false,
			[]string{"User-Agent"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeRegistry(t, tt.rp)
			o := testOptions(nil)
			o.RetryMax = -1
			ex := mustNew(t, KindCrates, f.srv.URL, "sample", o)
			_, err := ex.Exchange(context.Background(), (&jwtSource{}).fn())
			ee := asExchangeError(t, err)
			if ee.Status != tt.rp.status || ee.Retryable != tt.retryable || ee.Message == "" || ee.Registry != "crates.io" {
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

func TestCratesRevoke(t *testing.T) {
	tok := &Token{Registry: KindCrates, Value: "cio_tp_abcdefghijklmnopqrstuvwxyz01234"}
	tests := []struct {
		name     string
		replies  []reply
		wantErr  int // status of the expected ExchangeError; 0 = success
		wantReqs int
	}{
		{"204", []reply{{status: 204}}, 0, 1},
		{"retried after 502", []reply{{status: 502}, {status: 204}}, 0, 2},
		{"401", []reply{{status: 401, body: cratesErr("Invalid `Authorization` header: Failed to parse token")}}, 401, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeRegistry(t, tt.replies...)
			ex := mustNew(t, KindCrates, f.srv.URL, "c", testOptions(nil))
			rv, ok := ex.(Revoker)
			if !ok {
				t.Fatal("the crates.io exchanger is not a Revoker")
			}
			err := rv.Revoke(context.Background(), tok)
			if tt.wantErr == 0 && err != nil {
				t.Fatalf("Revoke: %v", err)
			}
			if tt.wantErr != 0 {
				ee := asExchangeError(t, err)
				if ee.Status != tt.wantErr || ee.Fix == "" {
					t.Errorf("got %+v", ee)
				}
				assertNoSecret(t, err, nil, tok.Value)
			}
			reqs := f.requests()
			if len(reqs) != tt.wantReqs {
				t.Fatalf("%d requests, want %d", len(reqs), tt.wantReqs)
			}
			for _, r := range reqs {
				if r.method != "DELETE" || r.requestURI != "/api/v1/trusted_publishing/tokens" ||
					r.header.Get("Authorization") != "Bearer "+tok.Value || r.header.Get("User-Agent") != testUserAgent {
					t.Errorf("request %s %s headers %v", r.method, r.requestURI, r.header)
				}
			}
		})
	}
}

func TestCratesRevokeRefusesForeignTokens(t *testing.T) {
	f := newFakeRegistry(t, reply{status: 204})
	rv := mustNew(t, KindCrates, f.srv.URL, "c", testOptions(nil)).(Revoker)
	for _, tok := range []*Token{nil, {Registry: KindCrates}, {Registry: KindPyPI, Value: "pypi-x"}, {Registry: KindCrates, Value: "a b"}} {
		if err := rv.Revoke(context.Background(), tok); err == nil {
			t.Errorf("Revoke(%v) succeeded", tok)
		}
	}
	if len(f.requests()) != 0 {
		t.Error("a refused token was sent")
	}
}

func TestOnlyCratesRevokes(t *testing.T) {
	for _, k := range allKinds {
		_, ok := mustNew(t, k.kind, "", k.pkg, Options{}).(Revoker)
		if ok != (k.kind == KindCrates) {
			t.Errorf("%s: Revoker = %v", k.kind, ok)
		}
	}
}
