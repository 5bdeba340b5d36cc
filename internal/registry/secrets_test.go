package registry

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

// A JWT that does not look like one (no "eyJ" header), so only redaction
// of the exact values sent can catch it when echoed back.
const oddJWT = "hdrCANARYODD.payloadCANARYODD.sigCANARYODD"

// echoError is a refusal per kind that quotes what the client sent, as a
// careless registry (or pydantic's validation messages) might.
func echoError(kind, secret string) reply {
	switch kind {
	case KindPyPI, KindTestPyPI:
		return reply{status: 422, body: `{"message":"Token request failed","errors":[{"code":"invalid-payload","description":"1 validation error: input_value='` + secret + `'"}]}`}
	case KindNpm:
		return reply{status: 401, body: `{"message":"OIDC token exchange error - unauthorized: Bearer ` + secret + `"}`}
	case KindCrates:
		return reply{status: 400, body: `{"errors":[{"detail":"Failed to decode JWT ` + secret + `"}]}`}
	default:
		return reply{status: 400, body: `{"error":"bad jwt ` + secret + `"}`}
	}
}

func TestSecretsNeverInErrors(t *testing.T) {
	jwtFns := map[string]func() IDTokenFunc{
		"JWT-shaped": func() IDTokenFunc { return (&jwtSource{}).fn() },
		"odd JWT": func() IDTokenFunc {
			return func(context.Context) (string, error) { return oddJWT, nil }
		},
	}
	for _, k := range allKinds {
		for name, mk := range jwtFns {
			t.Run(k.kind+"/echoed "+name, func(t *testing.T) {
				f := newFakeRegistry(t)
				f.respond = func(s seen) reply { return echoError(k.kind, sentJWT(k.kind, s)) }
				var log retryLog
				ex := mustNew(t, k.kind, f.srv.URL, k.pkg, testOptions(&log))
				_, err := ex.Exchange(context.Background(), mk())
				asExchangeError(t, err)
				assertNoSecret(t, err, log.all(), canaryJWTPart, "CANARYODD")
			})
			t.Run(k.kind+"/retried echo of "+name, func(t *testing.T) {
				f := newFakeRegistry(t)
				f.respond = func(s seen) reply {
					return reply{status: 503, body: `{"message":"overloaded, got ` + sentJWT(k.kind, s) + `"}`}
				}
				var log retryLog
				ex := mustNew(t, k.kind, f.srv.URL, k.pkg, testOptions(&log))
				_, err := ex.Exchange(context.Background(), mk())
				asExchangeError(t, err)
				if len(log.all()) != 3 {
					t.Fatalf("%d retries, want 3", len(log.all()))
				}
				assertNoSecret(t, err, log.all(), canaryJWTPart, "CANARYODD")
			})
		}
		t.Run(k.kind+"/token failing validation", func(t *testing.T) {
			const canary = "CANARYTOKEN"
			f := newFakeRegistry(t, okReply(k.kind, "pypi-"+canary+` has\tspace`))
			ex := mustNew(t, k.kind, f.srv.URL, k.pkg, testOptions(nil))
			tok, err := ex.Exchange(context.Background(), (&jwtSource{}).fn())
			if err == nil {
				t.Fatalf("a token with whitespace was accepted: %v", tok)
			}
			assertNoSecret(t, err, nil, canary, canaryJWTPart)
		})
	}
}

func TestRevokeNeverLeaksToken(t *testing.T) {
	const secret = "cio_tp_CANARYREVOKE0123456789abcdefgh"
	f := newFakeRegistry(t)
	f.respond = func(s seen) reply {
		return reply{status: http.StatusUnauthorized, body: `{"errors":[{"detail":"Invalid token ` + s.header.Get("Authorization") + `"}]}`}
	}
	var log retryLog
	ex := mustNew(t, KindCrates, f.srv.URL, "c", testOptions(&log))
	err := ex.(Revoker).Revoke(context.Background(), &Token{Registry: KindCrates, Value: secret})
	ee := asExchangeError(t, err)
	if ee.Status != 401 || !strings.Contains(ee.Message, redacted) {
		t.Errorf("got %+v", ee)
	}
	assertNoSecret(t, err, log.all(), "CANARYREVOKE")
}
