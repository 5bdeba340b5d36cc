package registry

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"
)

// Every attempt must carry its own JWT: N attempts, N IDTokenFunc calls,
// N distinct JWTs on the wire.
func TestEachAttemptSendsAFreshJWT(t *testing.T) {
	for _, k := range allKinds {
		t.Run(k.kind, func(t *testing.T) {
			f := newFakeRegistry(t,
				reply{status: 500, body: `{"message":"boom"}`},
				reply{status: 502, body: "bad gateway"},
				reply{status: 503, body: ""},
				okReply(k.kind, "tok-ok"))
			var log retryLog
			src := &jwtSource{}
			ex := mustNew(t, k.kind, f.srv.URL, k.pkg, testOptions(&log))
			tok, err := ex.Exchange(context.Background(), src.fn())
			if err != nil {
				t.Fatalf("Exchange: %v", err)
			}
			if tok.Value != "tok-ok" {
				t.Errorf("token value %q, want tok-ok", tok.Value)
			}
			reqs := f.requests()
			if len(reqs) != 4 || src.count() != 4 {
				t.Fatalf("%d requests and %d IDTokenFunc calls, want 4 and 4", len(reqs), src.count())
			}
			distinct := map[string]bool{}
			for _, r := range reqs {
				jwt := sentJWT(k.kind, r)
				if jwt == "" {
					t.Fatalf("a request carried no JWT: %+v", r)
				}
				distinct[jwt] = true
			}
			if len(distinct) != 4 {
				t.Errorf("%d distinct JWTs over 4 attempts, want 4", len(distinct))
			}
			infos := log.all()
			if len(infos) != 3 {
				t.Fatalf("OnRetry called %d times, want 3", len(infos))
			}
			for i, info := range infos {
				want := []int{500, 502, 503}[i]
				if info.Attempt != i+2 || info.Status != want || info.Registry != k.kind {
					t.Errorf("retry %d: %+v, want attempt %d, status %d, registry %s", i, info, i+2, want, k.kind)
				}
			}
		})
	}
}

func TestRetriesExhaustedReturnLastError(t *testing.T) {
	for _, k := range allKinds {
		t.Run(k.kind, func(t *testing.T) {
			f := newFakeRegistry(t,
				reply{status: 500, body: `{"message":"first"}`},
				reply{status: 503, body: `{"message":"still down"}`})
			src := &jwtSource{}
			ex := mustNew(t, k.kind, f.srv.URL, k.pkg, testOptions(nil))
			_, err := ex.Exchange(context.Background(), src.fn())
			ee := asExchangeError(t, err)
			if ee.Status != 503 || !ee.Retryable || !strings.Contains(ee.Message, "still down") {
				t.Errorf("got %+v, want the last attempt's 503 'still down', retryable", ee)
			}
			if n := len(f.requests()); n != 4 {
				t.Errorf("%d attempts, want 1 + RetryMax(3)", n)
			}
			if ee.Fix == "" {
				t.Error("no Fix")
			}
		})
	}
}

func TestNonRetryableRefusalIsNotRetried(t *testing.T) {
	f := newFakeRegistry(t, reply{status: 404, body: `{"error":"Not Found"}`})
	src := &jwtSource{}
	ex := mustNew(t, KindRubyGems, f.srv.URL, "g", testOptions(nil))
	_, err := ex.Exchange(context.Background(), src.fn())
	if ee := asExchangeError(t, err); ee.Retryable || ee.Status != 404 {
		t.Errorf("got %+v", ee)
	}
	if n := len(f.requests()); n != 1 || src.count() != 1 {
		t.Errorf("%d requests, %d JWTs; want 1 and 1", n, src.count())
	}
}

func TestIDTokenFuncErrorAborts(t *testing.T) {
	boom := errors.New("id token endpoint unreachable")
	tests := []struct {
		name     string
		failAt   int
		wantReqs int
	}{
		{"first attempt", 1, 0},
		{"retry", 2, 1},
	}
	for _, k := range allKinds {
		for _, tt := range tests {
			t.Run(k.kind+"/"+tt.name, func(t *testing.T) {
				f := newFakeRegistry(t, reply{status: 500, body: "down"}, okReply(k.kind, "tok"))
				src := &jwtSource{failAt: tt.failAt, err: boom}
				ex := mustNew(t, k.kind, f.srv.URL, k.pkg, testOptions(nil))
				_, err := ex.Exchange(context.Background(), src.fn())
				if !errors.Is(err, boom) {
					t.Fatalf("error %v does not wrap the IDTokenFunc error", err)
				}
				var ee *ExchangeError
				if errors.As(err, &ee) {
					t.Errorf("the caller's error came back as an ExchangeError: %v", err)
				}
				if n := len(f.requests()); n != tt.wantReqs {
					t.Errorf("%d requests, want %d", n, tt.wantReqs)
				}
			})
		}
	}
}

func TestMalformedIDTokenIsRefusedLocally(t *testing.T) {
	for _, jwt := range []string{"", "a.b", "a.b.c\nX-Injected: 1", "a b.c.d"} {
		f := newFakeRegistry(t, okReply(KindNpm, "tok"))
		ex := mustNew(t, KindNpm, f.srv.URL, "pkg", testOptions(nil))
		_, err := ex.Exchange(context.Background(), func(context.Context) (string, error) { return jwt, nil })
		if err == nil {
			t.Errorf("JWT %q accepted", jwt)
		}
		if len(f.requests()) != 0 {
			t.Errorf("JWT %q was sent", jwt)
		}
	}
}

func TestTransportErrorIsRetriedThenReported(t *testing.T) {
	// A listener that hangs up on every connection: a transport error on
	// each attempt, deterministically.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			conn.Close()
		}
	}()
	var log retryLog
	src := &jwtSource{}
	ex := mustNew(t, KindCrates, "http://"+ln.Addr().String(), "c", testOptions(&log))
	_, err = ex.Exchange(context.Background(), src.fn())
	ee := asExchangeError(t, err)
	if ee.Status != 0 || !ee.Retryable || !strings.Contains(ee.Message, "request failed") {
		t.Errorf("got %+v", ee)
	}
	if src.count() != 4 || len(log.all()) != 3 {
		t.Errorf("%d JWTs and %d retries, want 4 and 3", src.count(), len(log.all()))
	}
	for _, i := range log.all() {
		if i.Status != 0 || i.Reason == "" {
			t.Errorf("retry info %+v, want status 0 and a reason", i)
		}
	}
	assertNoSecret(t, err, log.all(), canaryJWTPart)
}

func TestRetryAfterIsHonouredAndCapped(t *testing.T) {
	f := newFakeRegistry(t,
		reply{status: 429, body: `{"errors":[{"detail":"You have published too many crates in a short period of time. Please try again after 2026-01-01 00:00:01 UTC"}]}`,
			header: map[string]string{"Retry-After": "1"}},
		okReply(KindCrates, "cio_tp_ok"))
	var log retryLog
	o := testOptions(&log)
	o.RetryWaitMin = time.Millisecond
	o.RetryWaitMax = 20 * time.Millisecond // Retry-After: 1 is capped to this
	ex := mustNew(t, KindCrates, f.srv.URL, "c", o)
	if _, err := ex.Exchange(context.Background(), (&jwtSource{}).fn()); err != nil {
		t.Fatalf("Exchange: %v", err)
	}
	infos := log.all()
	if len(infos) != 1 || infos[0].Status != 429 || infos[0].Wait != 20*time.Millisecond {
		t.Fatalf("retries %+v, want one 429 waiting the capped Retry-After (20ms, not the 1ms backoff)", infos)
	}
	if len(f.requests()) != 2 {
		t.Errorf("%d requests, want 2", len(f.requests()))
	}
}

func TestBackoff(t *testing.T) {
	c := newClient(KindCrates, Options{RetryWaitMin: time.Second, RetryWaitMax: 30 * time.Second})
	tests := []struct {
		name       string
		attempt    int
		retryAfter time.Duration
		want       time.Duration
	}{
		{"first retry", 0, 0, time.Second},
		{"third retry", 2, 0, 4 * time.Second},
		{"capped", 10, 0, 30 * time.Second},
		{"Retry-After below cap", 0, 7 * time.Second, 7 * time.Second},
		{"Retry-After above cap", 0, time.Hour, 30 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := &attempts{last: &ExchangeError{Status: 429, RetryAfter: tt.retryAfter}}
			if got := c.backoff(st, c.waitMin, c.waitMax, tt.attempt); got != tt.want {
				t.Errorf("backoff = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRedirectIsNotFollowed(t *testing.T) {
	elsewhere := newFakeRegistry(t, okReply(KindPyPI, "pypi-x"))
	f := newFakeRegistry(t, reply{status: 307, header: map[string]string{"Location": elsewhere.srv.URL + "/_/oidc/mint-token"}})
	ex := mustNew(t, KindPyPI, f.srv.URL, "p", testOptions(nil))
	_, err := ex.Exchange(context.Background(), (&jwtSource{}).fn())
	ee := asExchangeError(t, err)
	if ee.Status != 307 || !strings.Contains(ee.Message, "redirected") {
		t.Errorf("got %+v", ee)
	}
	if n := len(elsewhere.requests()); n != 0 {
		t.Errorf("the JWT was sent on to the redirect target (%d requests)", n)
	}
}

func TestHTMLErrorPageGivesReadableMessage(t *testing.T) {
	page := "<!DOCTYPE html><html><head><title>502 Bad Gateway</title><style>body{}</style></head><body><h1>Bad Gateway</h1></body></html>"
	f := newFakeRegistry(t, reply{status: 502, body: page, header: map[string]string{"Content-Type": "text/html"}})
	o := testOptions(nil)
	o.RetryMax = -1
	ex := mustNew(t, KindPyPI, f.srv.URL, "p", o)
	_, err := ex.Exchange(context.Background(), (&jwtSource{}).fn())
	ee := asExchangeError(t, err)
	if ee.Message != "non-JSON response: 502 Bad Gateway" || !ee.Retryable {
		t.Errorf("got %+v", ee)
	}
	if len(f.requests()) != 1 {
		t.Errorf("RetryMax -1 still retried")
	}
}

func TestContextCancelledDuringRetries(t *testing.T) {
	f := newFakeRegistry(t, reply{status: 500, body: "down"})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	o := testOptions(nil)
	o.OnRetry = func(RetryInfo) { cancel() }
	ex := mustNew(t, KindCrates, f.srv.URL, "c", o)
	_, err := ex.Exchange(ctx, (&jwtSource{}).fn())
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	if n := len(f.requests()); n != 1 {
		t.Errorf("%d requests after cancel, want 1", n)
	}
}

func TestUserAgentOnEveryRequest(t *testing.T) {
	tests := []struct {
		name string
		ua   string
		want string
	}{
		{"configured", testUserAgent, testUserAgent},
		{"default", "", "releaser"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeRegistry(t, reply{status: 500}, okReply(KindCrates, "cio_tp_x"), reply{status: 204})
			o := testOptions(nil)
			o.UserAgent = tt.ua
			ex := mustNew(t, KindCrates, f.srv.URL, "c", o)
			tok, err := ex.Exchange(context.Background(), (&jwtSource{}).fn())
			if err != nil {
				t.Fatal(err)
			}
			if err := ex.(Revoker).Revoke(context.Background(), tok); err != nil {
				t.Fatal(err)
			}
			reqs := f.requests()
			if len(reqs) != 3 {
				t.Fatalf("%d requests, want 3", len(reqs))
			}
			for _, r := range reqs {
				if got := r.header.Get("User-Agent"); got != tt.want {
					t.Errorf("%s %s: User-Agent %q, want %q", r.method, r.requestURI, got, tt.want)
				}
			}
		})
	}
}

func TestSuccessBodyIsBounded(t *testing.T) {
	huge := `{"token":"cio_tp_x","pad":"` + strings.Repeat("a", maxSuccessBody) + `"}`
	f := newFakeRegistry(t, reply{status: 200, body: huge})
	ex := mustNew(t, KindCrates, f.srv.URL, "c", testOptions(nil))
	_, err := ex.Exchange(context.Background(), (&jwtSource{}).fn())
	if ee := asExchangeError(t, err); !strings.Contains(ee.Message, "64 KiB") {
		t.Errorf("got %+v", ee)
	}
}
