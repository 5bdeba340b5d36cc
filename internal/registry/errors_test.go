package registry

import (
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestParseErrorDocumentedBodies(t *testing.T) {
	tests := []struct {
		name       string
		kind       string
		status     int
		header     http.Header
		body       string
		code, msg  string
		retryable  bool
		retryAfter time.Duration
	}{
		{"pypi 422", KindPyPI, 422, nil, pypi422("invalid-token", "malformed or invalid token"),
			"invalid-token", "malformed or invalid token", false, 0},
		{"pypi reuse", KindTestPyPI, 422, nil, pypi422("invalid-reuse-token", "invalid token: already used"),
			"invalid-reuse-token", "invalid token: already used", true, 0},
		{"pypi two errors", KindPyPI, 422, nil,
			`{"message":"Token request failed","errors":[{"code":"invalid-payload","description":"a"},{"code":"x","description":"b"}]}`,
			"invalid-payload", "a; b", false, 0},
		{"pypi 403", KindPyPI, 403, nil, `{"message":"Trusted publishing functionality not enabled"}`,
			"", "Trusted publishing functionality not enabled", false, 0},
		{"npm 404", KindNpm, 404, nil, `{"message":"OIDC token exchange error - package not found"}`,
			"", "OIDC token exchange error - package not found", false, 0},
		{"crates 400", KindCrates, 400, nil, `{"errors":[{"detail":"JWT has already been used"}]}`,
			"", "JWT has already been used", true, 0},
		{"crates 429", KindCrates, 429, http.Header{"Retry-After": {"120"}},
			`{"errors":[{"detail":"You have published too many new crates in a short period of time. Please try again after 2026-08-22 10:00:00 UTC and see https://crates.io/docs/rate-limits for more details."}]}`,
			"", "You have published too many new crates in a short period of time. Please try again after 2026-08-22 10:00:00 UTC and see https://crates.io/docs/rate-limits for more details.", true, 2 * time.Minute},
		{"crates 500", KindCrates, 500, nil, `{"errors":[{"detail":"Failed to load OIDC key set"}]}`,
			"", "Failed to load OIDC key set", true, 0},
		{"crates 403 text", KindCrates, 403, http.Header{"Content-Type": {"text/plain"}}, "We require that all requests include a `User-Agent` header.",
			"", "We require that all requests include a `User-Agent` header.", false, 0},
		{"rubygems 404", KindRubyGems, 404, nil, `{"error":"Not Found"}`, "", "Not Found", false, 0},
		{"rubygems 503 date", KindRubyGems, 503, http.Header{"Retry-After": {"Mon, 02 Jan 2006 15:04:05 GMT"}}, "",
			"", "Service Unavailable", true, 0},
		{"empty body", KindNpm, 401, nil, "", "", "Unauthorized", false, 0},
		{"json string", KindNpm, 400, nil, `"just words"`, "", "just words", false, 0},
		{"error object", KindNpm, 400, nil, `{"error":{"code":"E1","message":"nested"}}`, "E1", "nested", false, 0},
		{"unknown kind", "nuget", 401, nil, `{"error":"This bearer token has already been used."}`,
			"", "This bearer token has already been used.", false, 0},
		{"html 502", KindPyPI, 502, http.Header{"Content-Type": {"text/html"}}, "<html><body><h1>502</h1> <p>Bad &amp; gateway</p></body></html>",
			"", "non-JSON response: 502 Bad & gateway", true, 0},
		{"status 0", KindPyPI, 0, nil, "", "", "no response", true, 0},
		{"odd status", KindPyPI, 799, nil, "", "", "unexpected response", true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := ParseError(tt.kind, tt.status, tt.header, []byte(tt.body))
			if e.Code != tt.code || e.Message != tt.msg || e.Retryable != tt.retryable || e.RetryAfter != tt.retryAfter || e.Status != tt.status {
				t.Errorf("got %+v\nwant code %q msg %q retryable %v retryAfter %v", e, tt.code, tt.msg, tt.retryable, tt.retryAfter)
			}
			if e.Fix == "" || e.Error() == "" {
				t.Errorf("no Fix or empty Error(): %+v", e)
			}
		})
	}
}

func TestExchangeErrorString(t *testing.T) {
	tests := []struct {
		e    *ExchangeError
		want string
	}{
		{&ExchangeError{Registry: "PyPI", Status: 422, Code: "invalid-publisher", Message: "valid token, but no corresponding publisher (x)"},
			"PyPI: HTTP 422 invalid-publisher: valid token, but no corresponding publisher (x)"},
		{&ExchangeError{Registry: "npm", Status: 404, Message: "package not found"}, "npm: HTTP 404: package not found"},
		{&ExchangeError{Registry: "crates.io", Message: "request failed: EOF"}, "crates.io: request failed: EOF"},
		{&ExchangeError{Status: 500}, "registry: HTTP 500: Internal Server Error"},
		{&ExchangeError{}, "registry: no response"},
		{nil, "registry: <nil ExchangeError>"},
	}
	for _, tt := range tests {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

func TestSanitizeMessage(t *testing.T) {
	long := strings.Repeat("é", 400) // 800 bytes
	tests := []struct{ name, in, want string }{
		{"controls", "a\x00b\x1b[31mc\r\nd\te\u202Ef\x7f", "ab[31mc\nd ef"},
		{"invalid utf8", "a\xffb", "a\uFFFDb"},
		{"jwt", "got eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln ok", "got " + redacted + " ok"},
		{"split jwt", "eyJhbGci\x00OiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln", redacted},
		{"pypi token", "token pypi-AgEIcHlwaS5vcmcCJGE0ZjQ", "token " + redacted},
		{"crates token", "cio_tp_abcdefghijklmnopqrstuvwxyz01234", redacted},
		{"rubygems key", "rubygems_0123456789abcdef0123", redacted},
		{"npm token", "npm_abcdefghijklmnopqrstuvwxyz", redacted},
		{"ordinary words", "gh-action-pypi-publish failed", "gh-action-pypi-publish failed"},
		{"exact secret", "zzSECRETzz", "zz" + redacted + "zz"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sanitizeMessage(tt.in, "SECRET"); got != tt.want {
				t.Errorf("sanitizeMessage(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	got := sanitizeMessage(long)
	if len(got) > maxMessageLen || !utf8.ValidString(got) || !strings.HasSuffix(got, "…") {
		t.Errorf("long message: %d bytes, valid %v", len(got), utf8.ValidString(got))
	}
}

func TestParseErrorBoundsBody(t *testing.T) {
	body := []byte(`{"message":"` + strings.Repeat("x", 1<<20) + `"}`)
	e := ParseError(KindNpm, 400, nil, body)
	if len(e.Message) > maxMessageLen {
		t.Errorf("message of %d bytes", len(e.Message))
	}
	// A body past 64 KiB is cut, so this JSON no longer parses and is
	// reported as text: proof that no more than 64 KiB was decoded.
	if !strings.HasPrefix(e.Message, `{"message":"xxx`) {
		t.Errorf("message %q", e.Message[:40])
	}
}

func TestSanitizeCode(t *testing.T) {
	if got := sanitizeCode("invalid-publisher\n: injected " + strings.Repeat("a", 100)); got != "invalid-publisher"+"injected"+strings.Repeat("a", 64-len("invalid-publisherinjected")) {
		t.Errorf("sanitizeCode = %q", got)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 15, 4, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"1", time.Second},
		{" 30 ", 30 * time.Second},
		{"0", 0},
		{"-5", 0},
		{"soon", 0},
		{"99999999999999999", maxRetryAfter},
		{"Fri, 02 Jan 2026 15:04:05 GMT", 5 * time.Second},
		{"Fri, 02 Jan 2026 15:03:00 GMT", 0},
	}
	for _, tt := range tests {
		if got := parseRetryAfter(tt.in, now); got != tt.want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
