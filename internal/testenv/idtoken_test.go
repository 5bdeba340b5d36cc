package testenv

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net/http"
	"net/url"
	"testing"
)

// fetchIDToken asks the endpoint for a token the way the Actions toolkit does: the
// request URL plus "&audience=" and a bearer header. aud "" sends no audience.
func fetchIDToken(t *testing.T, is *OIDCIssuer, aud, auth string) response {
	t.Helper()
	u := is.RequestURL()
	if aud != "" {
		u += "&audience=" + url.QueryEscape(aud)
	}
	return do(t, http.MethodGet, u, nil, map[string]string{"Authorization": auth, "Accept": "application/json"})
}

// servedToken fetches a token with the right credential and returns it.
func servedToken(t *testing.T, is *OIDCIssuer, aud string) string {
	t.Helper()
	r := fetchIDToken(t, is, aud, "Bearer "+is.RequestToken())
	if r.status != http.StatusOK {
		t.Fatalf("ID token: %d %s", r.status, r.text())
	}
	v, _ := r.object(t)["value"].(string)
	return v
}

func TestIDTokenEndpointAuthorization(t *testing.T) {
	is := newIssuer(t)
	for _, tc := range []struct {
		name, auth string
		status     int
	}{
		{"Bearer", "Bearer " + is.RequestToken(), http.StatusOK},
		{"lower-case bearer", "bearer " + is.RequestToken(), http.StatusOK},
		{"no header", "", http.StatusUnauthorized},
		{"wrong token", "Bearer ghreq_not-it", http.StatusUnauthorized},
		{"other scheme", "Basic " + is.RequestToken(), http.StatusUnauthorized},
		{"token without scheme", is.RequestToken(), http.StatusUnauthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if r := fetchIDToken(t, is, "pypi", tc.auth); r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.text())
			}
		})
	}
	if n := is.IDTokenRequests(); n != 2 {
		t.Fatalf("IDTokenRequests() = %d, want the 2 authorized ones", n)
	}
}

func TestIDTokenAudience(t *testing.T) {
	is := newIssuer(t)
	for _, tc := range []struct{ name, aud, want string }{
		{"pypi", "pypi", "pypi"},
		{"npm, escaped colon", "npm:registry.npmjs.org", "npm:registry.npmjs.org"},
		{"host and port", "127.0.0.1:8080", "127.0.0.1:8080"},
		{"default is the owner's URL", "", "https://github.com/octo-org"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := verifyWithJWKS(t, fetchJWKS(t, is), servedToken(t, is, tc.aud))
			if err != nil {
				t.Fatalf("served token does not verify: %v", err)
			}
			if got, _ := p.str("aud"); got != tc.want {
				t.Fatalf("aud %q, want %q", got, tc.want)
			}
		})
	}
	if is.IDTokenRequests() != 4 || is.IDTokenRequestsFor("https://github.com/octo-org") != 1 {
		t.Fatalf("IDTokenRequests() = %d, for the default audience %d; want 4 and 1",
			is.IDTokenRequests(), is.IDTokenRequestsFor("https://github.com/octo-org"))
	}
}

func TestServeTampered(t *testing.T) {
	now := frozen.Unix()
	for _, tc := range []struct {
		tamper Tamper
		check  func(t *testing.T, is *OIDCIssuer, tok, previous string)
	}{
		{Expired, func(t *testing.T, is *OIDCIssuer, tok, _ string) {
			p := mustVerify(t, is, tok)
			iat, _ := p.integer("iat")
			nbf, _ := p.integer("nbf")
			exp, _ := p.integer("exp")
			if iat != now-900 || nbf != iat-600 || exp != now-600 {
				t.Fatalf("iat %d nbf %d exp %d; want now-900, iat-600, now-600", iat-now, nbf-now, exp-now)
			}
		}},
		{NotYetValid, func(t *testing.T, is *OIDCIssuer, tok, _ string) {
			p := mustVerify(t, is, tok)
			iat, _ := p.integer("iat")
			nbf, _ := p.integer("nbf")
			if iat != now+600 || nbf != now+600 {
				t.Fatalf("iat %+d nbf %+d from now; want +600 both", iat-now, nbf-now)
			}
		}},
		{BadSignature, func(t *testing.T, is *OIDCIssuer, tok, _ string) {
			p, err := verifyWithJWKS(t, fetchJWKS(t, is), tok)
			if kid, _ := p.kid(); kid != is.CurrentKID() || err == nil || errors.Is(err, errUnknownKID) {
				t.Fatalf("kid %q, verify error %v; want the current kid and a bad signature", kid, err)
			}
		}},
		{UnknownKID, func(t *testing.T, is *OIDCIssuer, tok, _ string) {
			if _, err := verifyWithJWKS(t, fetchJWKS(t, is), tok); !errors.Is(err, errUnknownKID) {
				t.Fatalf("verify error %v, want an unknown kid", err)
			}
		}},
		{AlgNone, func(t *testing.T, is *OIDCIssuer, tok, _ string) {
			p, _ := parseJWT(tok)
			if p.header["alg"] != "none" || len(p.sig) != 0 {
				t.Fatalf("alg %v with %d signature bytes; want none and empty", p.header["alg"], len(p.sig))
			}
		}},
		{AlgHS256, func(t *testing.T, is *OIDCIssuer, tok, _ string) {
			p, _ := parseJWT(tok)
			der, err := x509.MarshalPKIXPublicKey(fetchJWKS(t, is)[is.CurrentKID()])
			if err != nil {
				t.Fatal(err)
			}
			m := hmac.New(sha256.New, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
			m.Write([]byte(p.signingInput))
			if p.header["alg"] != "HS256" || !hmac.Equal(m.Sum(nil), p.sig) {
				t.Fatalf("alg %v; want HS256 keyed with the public key's PEM", p.header["alg"])
			}
		}},
		{WrongAudience, func(t *testing.T, is *OIDCIssuer, tok, _ string) {
			if aud, _ := mustVerify(t, is, tok).str("aud"); aud != "https://example.invalid" {
				t.Fatalf("aud %q, want https://example.invalid", aud)
			}
		}},
		{Replay, func(t *testing.T, is *OIDCIssuer, tok, previous string) {
			if tok != previous {
				t.Fatal("Replay served a new token, want the previous one")
			}
		}},
	} {
		t.Run(tc.tamper.String(), func(t *testing.T) {
			is := newIssuer(t)
			previous := servedToken(t, is, "pypi")
			is.ServeTampered(tc.tamper)
			tok := servedToken(t, is, "pypi")
			tc.check(t, is, tok, previous)
			is.ServeTampered(Untampered)
			again := servedToken(t, is, "pypi")
			if again == tok || again == previous {
				t.Fatal("Untampered did not restore fresh tokens")
			}
			if _, err := verifyWithJWKS(t, fetchJWKS(t, is), again); err != nil {
				t.Fatalf("restored token does not verify: %v", err)
			}
		})
	}
}

// TestReplayDefeatsSingleUse runs Replay end to end: the endpoint serves the same JWT
// twice, and a single-use registry refuses the second exchange.
func TestReplayDefeatsSingleUse(t *testing.T) {
	is := newIssuer(t)
	reg := NewCrates(t, is)
	reg.AddPublisher(DefaultPublisher("sample-crate"))
	u := reg.URL() + "/api/v1/trusted_publishing/tokens"
	first := servedToken(t, is, reg.Audience())
	if r := postJSON(t, u, map[string]string{"jwt": first}, nil); r.status != http.StatusOK {
		t.Fatalf("first exchange: %d %s", r.status, r.text())
	}
	is.ServeTampered(Replay)
	second := servedToken(t, is, reg.Audience())
	postJSON(t, u, map[string]string{"jwt": second}, nil).wantJSON(t, http.StatusBadRequest, cratesErr("JWT has already been used"))
	if jtis := reg.ReceivedJTIs(); len(jtis) != 2 || jtis[0] != jtis[1] {
		t.Fatalf("ReceivedJTIs() = %v, want one jti twice", jtis)
	}
}

func mustVerify(t *testing.T, is *OIDCIssuer, tok string) *parsedJWT {
	t.Helper()
	p, err := verifyWithJWKS(t, fetchJWKS(t, is), tok)
	if err != nil {
		t.Fatalf("token does not verify: %v", err)
	}
	return p
}
