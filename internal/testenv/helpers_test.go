package testenv

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

// testUA identifies the tests' requests (crates.io refuses requests without one).
const testUA = "releaser-testenv-tests (https://github.com/releaserhq/releaser)"

// frozen is the time every registry test freezes its issuer's clock at.
var frozen = time.Date(2026, 8, 22, 10, 0, 0, 0, time.UTC)

// response is what a test sees of an HTTP answer.
type response struct {
	status int
	header http.Header
	body   []byte
}

// do sends one request with a plain net/http client and reads the whole answer.
func do(t *testing.T, method, url string, body []byte, header map[string]string) response {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatalf("new request: %v", err)
	}
	req.Header.Set("User-Agent", testUA)
	for k, v := range header {
		if v == "" {
			// "" removes a header; for User-Agent an explicitly empty value is what stops
			// net/http from sending its default agent.
			req.Header.Del(k)
			if k == "User-Agent" {
				req.Header[k] = []string{""}
			}
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read %s %s: %v", method, url, err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// postJSON posts v as JSON.
func postJSON(t *testing.T, url string, v any, header map[string]string) response {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("encode body: %v", err)
	}
	h := map[string]string{"Content-Type": "application/json", "Accept": "application/json"}
	for k, val := range header {
		h[k] = val
	}
	return do(t, http.MethodPost, url, b, h)
}

// object decodes a JSON object body.
func (r response) object(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body %q is not a JSON object: %v", r.body, err)
	}
	return m
}

// wantJSON fails unless the body is JSON equal to want (a JSON text).
func (r response) wantJSON(t *testing.T, status int, want string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body %s", r.status, status, redact(r.body))
	}
	var got, exp any
	if err := json.Unmarshal(r.body, &got); err != nil {
		t.Fatalf("body %q is not JSON: %v", r.body, err)
	}
	if err := json.Unmarshal([]byte(want), &exp); err != nil {
		t.Fatalf("bad expectation %q: %v", want, err)
	}
	gb, _ := json.Marshal(got)
	eb, _ := json.Marshal(exp)
	if !bytes.Equal(gb, eb) {
		t.Fatalf("body\n got %s\nwant %s", redact(gb), eb)
	}
}

// newIssuer starts an issuer whose clock is frozen at frozen.
func newIssuer(t *testing.T) *OIDCIssuer {
	t.Helper()
	is := NewOIDCIssuer(t)
	is.Clock().Set(frozen)
	return is
}

// tokenCase is one way of producing the JWT a registry test submits.
type tokenCase struct {
	name string
	// setup changes the issuer's claims or the registration before the token is minted.
	setup func(is *OIDCIssuer, pub *Publisher)
	// mint makes the token; nil mints an untampered one for the registry's audience.
	mint func(is *OIDCIssuer, aud string) string
	// reuse exchanges the token once (successfully) before the exchange under test.
	reuse bool
}

// tampered mints a token damaged by tm.
func tampered(tm Tamper) func(is *OIDCIssuer, aud string) string {
	return func(is *OIDCIssuer, aud string) string { return is.MintTampered(aud, tm) }
}

// withClaims mints a token with overrides.
func withClaims(o map[string]any) func(is *OIDCIssuer, aud string) string {
	return func(is *OIDCIssuer, aud string) string { return is.Mint(aud, o) }
}

// reusable is the called workflow the reusable-workflow cases run in.
const reusable = "octo-org/shared/.github/workflows/publish.yml@refs/heads/main"

// wantCanary fails unless cred starts with prefix and contains the canary; a failure
// shows only the start of the credential.
func wantCanary(t *testing.T, cred, prefix string) {
	t.Helper()
	if !strings.HasPrefix(cred, prefix) || !strings.Contains(cred, CanaryMarker) {
		t.Fatalf("credential %.12s… lacks prefix %q or the canary", cred, prefix)
	}
}

// jsonString quotes s as a JSON string.
func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// secretShape matches the JWTs and credentials the emulators hand out.
var secretShape = regexp.MustCompile(`eyJ[\w-]*\.[\w-]*\.[\w-]*|(pypi-|npm_|cio_tp_|rubygems_|ghreq_)\w+`)

// redact shortens every secret in b to its kind, so a failing test does not print one
// (even a canary) in full.
func redact(b []byte) string {
	return secretShape.ReplaceAllStringFunc(string(b), func(s string) string {
		return redactPrefix(s) + "…"
	})
}

// text is the body for a failure message, secrets shortened.
func (r response) text() string { return redact(r.body) }
