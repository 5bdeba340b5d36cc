package registry

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestPyPIExchangeRequest(t *testing.T) {
	for _, kind := range []string{KindPyPI, KindTestPyPI} {
		t.Run(kind, func(t *testing.T) {
			f := newFakeRegistry(t, reply{status: 200, body: `{"success":true,"token":"pypi-AgEIcHlwaS5vcmcCJGE","expires":1900000900}`})
			src := &jwtSource{}
			ex := mustNew(t, kind, f.srv.URL+"/", "sampleproject", testOptions(nil))
			tok, err := ex.Exchange(context.Background(), src.fn())
			if err != nil {
				t.Fatalf("Exchange: %v", err)
			}
			want := Token{Registry: kind, Value: "pypi-AgEIcHlwaS5vcmcCJGE", Expires: time.Unix(1900000900, 0)}
			if tok.Registry != want.Registry || tok.Value != want.Value || !tok.Expires.Equal(want.Expires) || tok.Estimated {
				t.Errorf("token %#v (value %q), want %#v", *tok, tok.Value, want)
			}
			reqs := f.requests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests", len(reqs))
			}
			r := reqs[0]
			if r.method != "POST" || r.requestURI != "/_/oidc/mint-token" {
				t.Errorf("request %s %s", r.method, r.requestURI)
			}
			jwt := sentJWT(kind, r)
			if wantBody := `{"token":"` + jwt + `"}`; r.body != wantBody || jwt == "" {
				t.Errorf("body %q, want exactly %q", r.body, wantBody)
			}
			if r.header.Get("Content-Type") != "application/json" || r.header.Get("User-Agent") != testUserAgent {
				t.Errorf("headers %v", r.header)
			}
			if r.header.Get("Authorization") != "" {
				t.Error("PyPI's exchange takes no Authorization header")
			}
		})
	}
}

func TestPyPIExpiryFallsBackToDocumentedLifetime(t *testing.T) {
	f := newFakeRegistry(t, reply{status: 200, body: `{"success":true,"token":"pypi-x"}`})
	ex := mustNew(t, KindPyPI, f.srv.URL, "p", testOptions(nil))
	before := time.Now()
	tok, err := ex.Exchange(context.Background(), (&jwtSource{}).fn())
	if err != nil {
		t.Fatal(err)
	}
	if !tok.Estimated || tok.Expires.Before(before.Add(pypiLifetime)) || tok.Expires.After(time.Now().Add(pypiLifetime)) {
		t.Errorf("token %v, want an estimated expiry 15 min after the request", tok)
	}
}

func TestPyPIBadSuccessBodies(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"not JSON", "<html>ok</html>", "not the expected JSON"},
		{"success false", `{"success":false,"token":"pypi-x"}`, `"success": false`},
		{"no token", `{"success":true}`, "no token"},
		{"token with newline", `{"success":true,"token":"pypi-x\nEvil: 1"}`, "whitespace"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeRegistry(t, reply{status: 200, body: tt.body})
			ex := mustNew(t, KindPyPI, f.srv.URL, "p", testOptions(nil))
			_, err := ex.Exchange(context.Background(), (&jwtSource{}).fn())
			if ee := asExchangeError(t, err); !strings.Contains(ee.Message, tt.want) || ee.Status != 200 {
				t.Errorf("got %+v, want message containing %q", ee, tt.want)
			}
		})
	}
}

func pypi422(code, desc string) string {
	b, _ := json.Marshal(map[string]any{
		"message": "Token request failed",
		"errors":  []map[string]string{{"code": code, "description": desc}},
	})
	return string(b)
}

func TestPyPIRefusals(t *testing.T) {
	tests := []struct {
		code, desc string
		retryable  bool
		fixHas     []string
	}{
		{"invalid-publisher", "valid token, but no corresponding publisher (Publisher with matching claims was not found)", false,
			[]string{"project sampleproject → Publishing", "job_workflow_ref", "environment", "Publisher with matching claims was not found"}},
		{"invalid-publisher", "valid token, but no corresponding publisher (Publishing from a workflow invoked via 'pull_request_target' is not supported.)", false,
			[]string{"push, release or workflow_dispatch"}},
		{"invalid-publisher", "valid token, but no corresponding publisher (The job_workflow_ref claim does not match, expecting one of ['o/r/.github/workflows/release.yml@refs/tags/v1'], got 'o/r/.github/workflows/ci.yml@refs/tags/v1')", false,
			[]string{"defines the publishing job"}},
		{"invalid-reuse-token", "invalid token: already used", true, []string{"fresh one"}},
		{"not-enabled", "GitHub trusted publishing functionality not enabled", false, []string{"switched off"}},
		{"invalid-token", "malformed or invalid token", false, []string{"audience", "clock"}},
		{"invalid-payload", "unknown trusted publishing issuer", false, []string{"issuer"}},
		{"invalid-pending-publisher", "valid token, but project already exists", false, []string{"pending publisher", "project sampleproject"}},
		{"some-new-code", "something PyPI added later", false, []string{"some-new-code"}},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			f := newFakeRegistry(t, reply{status: 422, body: pypi422(tt.code, tt.desc)})
			o := testOptions(nil)
			o.RetryMax = -1
			ex := mustNew(t, KindPyPI, f.srv.URL, "sampleproject", o)
			_, err := ex.Exchange(context.Background(), (&jwtSource{}).fn())
			ee := asExchangeError(t, err)
			if ee.Status != 422 || ee.Code != tt.code || ee.Message != tt.desc || ee.Retryable != tt.retryable || ee.Registry != "PyPI" {
				t.Errorf("got %+v", ee)
			}
			for _, s := range tt.fixHas {
				if !strings.Contains(ee.Fix, s) {
					t.Errorf("Fix %q lacks %q", ee.Fix, s)
				}
			}
			if want := "PyPI: HTTP 422 " + tt.code + ": " + tt.desc; err.Error() != want {
				t.Errorf("Error() = %q, want %q", err.Error(), want)
			}
		})
	}
}

func TestPyPIReusedJTIIsRetriedWithFreshToken(t *testing.T) {
	f := newFakeRegistry(t,
		reply{status: 422, body: pypi422("invalid-reuse-token", "invalid token: already used")},
		reply{status: 200, body: `{"success":true,"token":"pypi-ok","expires":1900000000}`})
	src := &jwtSource{}
	ex := mustNew(t, KindPyPI, f.srv.URL, "p", testOptions(nil))
	if _, err := ex.Exchange(context.Background(), src.fn()); err != nil {
		t.Fatalf("Exchange: %v", err)
	}
	reqs := f.requests()
	if len(reqs) != 2 || sentJWT(KindPyPI, reqs[0]) == sentJWT(KindPyPI, reqs[1]) {
		t.Errorf("want 2 attempts with different JWTs, got %d", len(reqs))
	}
}

func TestPyPIAudience(t *testing.T) {
	tests := []struct {
		name    string
		replies []reply
		want    string
		status  int
		fixHas  string
	}{
		{"pypi", []reply{{status: 200, body: `{"audience":"pypi"}`}}, "pypi", 0, ""},
		{"after a 503", []reply{{status: 503, body: "busy"}, {status: 200, body: `{"audience":"testpypi"}`}}, "testpypi", 0, ""},
		{"not enabled", []reply{{status: 403, body: `{"message":"Trusted publishing functionality not enabled"}`}}, "", 403, "not enabled"},
		{"no trusted publishing", []reply{{status: 404, body: "Not Found"}}, "", 404, "does not offer trusted publishing"},
		{"empty audience", []reply{{status: 200, body: `{"audience":""}`}}, "", 200, "registry URL"},
		{"HTML", []reply{{status: 200, body: `<html></html>`}}, "", 200, "registry URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeRegistry(t, tt.replies...)
			ex := mustNew(t, KindPyPI, f.srv.URL, "p", testOptions(nil))
			aud, err := ex.Audience(context.Background())
			for _, r := range f.requests() {
				if r.method != "GET" || r.requestURI != "/_/oidc/audience" || r.header.Get("User-Agent") != testUserAgent {
					t.Errorf("request %s %s UA %q", r.method, r.requestURI, r.header.Get("User-Agent"))
				}
			}
			if tt.status == 0 {
				if err != nil || aud != tt.want {
					t.Fatalf("Audience = %q, %v; want %q", aud, err, tt.want)
				}
				return
			}
			ee := asExchangeError(t, err)
			if ee.Status != tt.status || !strings.Contains(ee.Fix, tt.fixHas) {
				t.Errorf("got %+v, want status %d and a fix containing %q", ee, tt.status, tt.fixHas)
			}
		})
	}
}
