package registry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// reply is one scripted answer of a fake registry.
type reply struct {
	status int
	body   string
	header map[string]string
}

// seen is what the fake registry received in one request.
type seen struct {
	method     string
	requestURI string
	header     http.Header
	body       string
}

// fakeRegistry answers requests with the scripted replies in order, the
// last one repeating, and records every request.
type fakeRegistry struct {
	t       *testing.T
	srv     *httptest.Server
	mu      sync.Mutex
	replies []reply
	got     []seen
	// respond, when set, builds the reply from the request (to echo
	// secrets back, like a careless registry would).
	respond func(s seen) reply
}

func newFakeRegistry(t *testing.T, replies ...reply) *fakeRegistry {
	t.Helper()
	f := &fakeRegistry{t: t, replies: replies}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeRegistry) serve(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	s := seen{method: r.Method, requestURI: r.RequestURI, header: r.Header.Clone(), body: string(b)}
	f.mu.Lock()
	f.got = append(f.got, s)
	var rp reply
	switch {
	case f.respond != nil:
		rp = f.respond(s)
	case len(f.replies) == 0:
		rp = reply{status: http.StatusTeapot}
	case len(f.got) <= len(f.replies):
		rp = f.replies[len(f.got)-1]
	default:
		rp = f.replies[len(f.replies)-1]
	}
	f.mu.Unlock()
	for k, v := range rp.header {
		w.Header().Set(k, v)
	}
	if _, ok := rp.header["Content-Type"]; !ok && strings.HasPrefix(rp.body, "{") {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(rp.status)
	_, _ = io.WriteString(w, rp.body)
}

func (f *fakeRegistry) requests() []seen {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]seen(nil), f.got...)
}

// jwtSource hands out distinct JWT-shaped strings and counts the calls.
type jwtSource struct {
	mu    sync.Mutex
	calls int
	err   error // returned from call number failAt (1-based)
	// failAt is the call that returns err; 0 = never.
	failAt int
}

// canaryJWTPart appears in every JWT the tests hand out, so a test can look
// for it in error strings.
const canaryJWTPart = "CANARYJWT"

func (s *jwtSource) fn() IDTokenFunc {
	return func(ctx context.Context) (string, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.calls++
		if s.failAt == s.calls {
			return "", s.err
		}
		return fmt.Sprintf("eyJhbGciOiJSUzI1NiJ9.eyJqdGkiOiIlZCJ9%s%d.c2lnbmF0dXJl%d", canaryJWTPart, s.calls, s.calls), nil
	}
}

func (s *jwtSource) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// retryLog collects OnRetry calls.
type retryLog struct {
	mu    sync.Mutex
	infos []RetryInfo
}

func (l *retryLog) add(i RetryInfo) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.infos = append(l.infos, i)
}

func (l *retryLog) all() []RetryInfo {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]RetryInfo(nil), l.infos...)
}

const testUserAgent = "releaser-test/1.0"

// testOptions keeps retries fast: waits of a millisecond or two.
func testOptions(l *retryLog) Options {
	o := Options{
		UserAgent:    testUserAgent,
		RetryMax:     3,
		RetryWaitMin: time.Millisecond,
		RetryWaitMax: 2 * time.Millisecond,
	}
	if l != nil {
		o.OnRetry = l.add
	}
	return o
}

func mustNew(t *testing.T, kind, baseURL, pkg string, o Options) Exchanger {
	t.Helper()
	ex, err := New(kind, baseURL, pkg, o)
	if err != nil {
		t.Fatalf("New(%q, %q, %q): %v", kind, baseURL, pkg, err)
	}
	return ex
}

// asExchangeError fails the test unless err is an *ExchangeError.
func asExchangeError(t *testing.T, err error) *ExchangeError {
	t.Helper()
	var ee *ExchangeError
	if !errors.As(err, &ee) {
		t.Fatalf("error %v (%T) is not an *ExchangeError", err, err)
	}
	return ee
}

// assertNoSecret fails if any secret shows up in err's text, its Fix or
// the retry reasons.
func assertNoSecret(t *testing.T, err error, infos []RetryInfo, secrets ...string) {
	t.Helper()
	texts := []string{err.Error()}
	var ee *ExchangeError
	if errors.As(err, &ee) {
		texts = append(texts, ee.Fix, ee.Message, ee.Code)
	}
	for _, i := range infos {
		texts = append(texts, i.Reason)
	}
	for _, txt := range texts {
		for _, s := range secrets {
			if s != "" && strings.Contains(txt, s) {
				t.Errorf("secret %q leaked into %q", s, txt)
			}
		}
	}
}

// ok is a success reply per kind, with token value tok.
func okReply(kind, tok string) reply {
	switch kind {
	case KindPyPI, KindTestPyPI:
		return reply{status: 200, body: `{"success":true,"token":"` + tok + `","expires":1900000000}`}
	case KindNpm:
		return reply{status: 201, body: `{"token":"` + tok + `"}`}
	case KindCrates:
		return reply{status: 200, body: `{"token":"` + tok + `"}`}
	case KindRubyGems:
		return reply{status: 201, body: `{"rubygems_api_key":"` + tok + `","name":"pub 2026-01-01T00:00:00Z","scopes":["push_rubygem"],"expires_at":"2030-01-01T00:15:00Z"}`}
	}
	panic("unknown kind " + kind)
}

// allKinds are the exchangers under test, with a package name each.
var allKinds = []struct{ kind, pkg string }{
	{KindPyPI, "sampleproject"},
	{KindTestPyPI, "sampleproject"},
	{KindNpm, "@octo/sample"},
	{KindCrates, "sample-crate"},
	{KindRubyGems, "sample_gem"},
}

// sentJWT returns the JWT a request carried, wherever the registry wants it.
func sentJWT(kind string, s seen) string {
	if kind == KindNpm {
		return strings.TrimPrefix(s.header.Get("Authorization"), "Bearer ")
	}
	field := `"jwt":"`
	if kind == KindPyPI || kind == KindTestPyPI {
		field = `"token":"`
	}
	i := strings.Index(s.body, field)
	if i < 0 {
		return ""
	}
	rest := s.body[i+len(field):]
	return rest[:strings.IndexByte(rest, '"')]
}
