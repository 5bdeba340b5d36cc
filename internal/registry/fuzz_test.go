package registry

import (
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParseError: no input makes ParseError panic, Message stays bounded
// and printable, and Error() is never empty.
func FuzzParseError(f *testing.F) {
	seeds := []struct {
		kind       string
		status     int
		retryAfter string
		ctype      string
		body       string
	}{
		// PyPI / TestPyPI (§3)
		{KindPyPI, 403, "", "application/json", `{"message":"Trusted publishing functionality not enabled"}`},
		{KindPyPI, 404, "", "text/html", "<html><title>404 Not Found</title></html>"},
		{KindPyPI, 422, "", "application/json", `{"message":"Token request failed","errors":[{"code":"invalid-payload","description":"malformed JWT"}]}`},
		{KindPyPI, 422, "", "application/json", `{"message":"Token request failed","errors":[{"code":"invalid-payload","description":"unknown trusted publishing issuer"}]}`},
		{KindPyPI, 422, "", "application/json", `{"message":"Token request failed","errors":[{"code":"not-enabled","description":"GitHub trusted publishing functionality not enabled"}]}`},
		{KindPyPI, 422, "", "application/json", `{"message":"Token request failed","errors":[{"code":"invalid-token","description":"malformed or invalid token"}]}`},
		{KindPyPI, 422, "", "application/json", `{"message":"Token request failed","errors":[{"code":"invalid-pending-publisher","description":"valid token, but project already exists"}]}`},
		{KindPyPI, 422, "", "application/json", `{"message":"Token request failed","errors":[{"code":"invalid-publisher","description":"valid token, but no corresponding publisher (Publisher with matching claims was not found)"}]}`},
		{KindPyPI, 422, "", "application/json", `{"message":"Token request failed","errors":[{"code":"invalid-publisher","description":"valid token, but no corresponding publisher (Check failed for required claim 'sub')"}]}`},
		{KindPyPI, 422, "", "application/json", `{"message":"Token request failed","errors":[{"code":"invalid-publisher","description":"valid token, but no corresponding publisher (Missing claim 'ref')"}]}`},
		{KindPyPI, 422, "", "application/json", `{"message":"Token request failed","errors":[{"code":"invalid-publisher","description":"valid token, but no corresponding publisher (The job_workflow_ref claim does not match, expecting one of ['a'], got 'b')"}]}`},
		{KindPyPI, 422, "", "application/json", `{"message":"Token request failed","errors":[{"code":"invalid-publisher","description":"valid token, but no corresponding publisher (Publishing from a workflow invoked via 'pull_request_target' is not supported.)"}]}`},
		{KindPyPI, 422, "", "application/json", `{"message":"Token request failed","errors":[{"code":"invalid-publisher","description":"valid token, but no corresponding publisher (JWT issuer 'x' does not match expected issuer 'y')"}]}`},
		{KindTestPyPI, 422, "", "application/json", `{"message":"Token request failed","errors":[{"code":"invalid-reuse-token","description":"invalid token: already used"}]}`},
		// npm (§4)
		{KindNpm, 404, "", "application/json", `{"message":"OIDC token exchange error - package not found"}`},
		{KindNpm, 401, "", "application/json", `{"message":"OIDC token exchange error - unauthorized"}`},
		{KindNpm, 403, "", "application/json", `{"message":"OIDC permission denied for this action"}`},
		// crates.io (§5)
		{KindCrates, 400, "", "application/json", `{"errors":[{"detail":"Failed to decode JWT"}]}`},
		{KindCrates, 400, "", "application/json", `{"errors":[{"detail":"Unsupported JWT issuer: https://example.com"}]}`},
		{KindCrates, 400, "", "application/json", `{"errors":[{"detail":"Missing JWT key ID"}]}`},
		{KindCrates, 400, "", "application/json", `{"errors":[{"detail":"Invalid JWT key ID"}]}`},
		{KindCrates, 400, "", "application/json", `{"errors":[{"detail":"JWT has already been used"}]}`},
		{KindCrates, 400, "", "application/json", "{\"errors\":[{\"detail\":\"Trusted Publishing does not support the `pull_request_target` event trigger due to security concerns. Please use a different event trigger.\"}]}"},
		{KindCrates, 400, "", "application/json", "{\"errors\":[{\"detail\":\"Trusted Publishing does not support the `workflow_run` event trigger due to security concerns. Please use a different event trigger.\"}]}"},
		{KindCrates, 400, "", "application/json", "{\"errors\":[{\"detail\":\"No Trusted Publishing config found for repository `octo/repo`.\"}]}"},
		{KindCrates, 400, "", "application/json", "{\"errors\":[{\"detail\":\"The Trusted Publishing config for repository `octo/repo` does not match the repository owner ID (12) in the JWT. Expected owner IDs: 65\"}]}"},
		{KindCrates, 400, "", "application/json", "{\"errors\":[{\"detail\":\"The Trusted Publishing config for repository `octo/repo` does not match the workflow filename `ci.yml` in the JWT. Expected workflow filenames: `release.yml`\"}]}"},
		{KindCrates, 400, "", "application/json", "{\"errors\":[{\"detail\":\"The Trusted Publishing config for repository `octo/repo` does not match the environment `prod` in the JWT. Expected environments: `release`\"}]}"},
		{KindCrates, 400, "", "application/json", "{\"errors\":[{\"detail\":\"The Trusted Publishing config for repository `octo/repo` requires an environment, but the JWT does not specify one. Expected environments: `release`\"}]}"},
		{KindCrates, 500, "", "application/json", `{"errors":[{"detail":"Failed to load OIDC key set"}]}`},
		{KindCrates, 403, "", "text/plain", "We require that all requests include a `User-Agent` header.  To allow us to determine the impact your bot may have on our service, we ask that your user agent actually identify your bot"},
		{KindCrates, 429, "60", "application/json", `{"errors":[{"detail":"You have published too many new crates in a short period of time. Please try again after 2026-08-22 10:00:00 UTC and see https://crates.io/docs/rate-limits for more details."}]}`},
		{KindCrates, 401, "", "application/json", "{\"errors\":[{\"detail\":\"Invalid `Authorization` header: Failed to parse token\"}]}"},
		// RubyGems (§6)
		{KindRubyGems, 400, "", "application/json", `{"error":"Missing/invalid nbf"}`},
		{KindRubyGems, 404, "", "application/json", `{"error":"Not Found"}`},
		{KindRubyGems, 429, "Wed, 21 Oct 2015 07:28:00 GMT", "text/plain", "Retry later\n"},
		// hostile shapes
		{"", 502, "", "text/html", "<html><head><title>\x00\x1b]8;;evil\x07</title></head></html>"},
		{KindNpm, 200, "-1", "", `{"errors":[null,1,"x",{"code":{"a":1}}],"message":[1]}`},
		{KindPyPI, 422, "", "", strings.Repeat("[", 20000)},
	}
	for _, s := range seeds {
		f.Add(s.kind, s.status, s.retryAfter, s.ctype, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, kind string, status int, retryAfter, ctype string, body []byte) {
		h := http.Header{}
		h.Set("Retry-After", retryAfter)
		h.Set("Content-Type", ctype)
		e := ParseError(kind, status, h, body)
		if e == nil {
			t.Fatal("nil ExchangeError")
		}
		if len(e.Message) > maxMessageLen {
			t.Fatalf("Message is %d bytes", len(e.Message))
		}
		if !utf8.ValidString(e.Message) {
			t.Fatalf("Message is not UTF-8: %q", e.Message)
		}
		for _, r := range e.Message {
			if r != '\n' && (r < 0x20 || (r >= 0x7f && r < 0xa0)) {
				t.Fatalf("control character %U in Message %q", r, e.Message)
			}
		}
		if e.Error() == "" {
			t.Fatal("empty Error()")
		}
		if e.RetryAfter < 0 || e.RetryAfter > maxRetryAfter {
			t.Fatalf("RetryAfter %v", e.RetryAfter)
		}
	})
}
