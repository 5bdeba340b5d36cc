package testenv

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"time"
)

// Tamper names a way to damage a token, for tests of how verifiers and registries
// refuse it.
type Tamper int

const (
	// Untampered is a valid token.
	Untampered Tamper = iota
	// Expired: iat = now-900, nbf = iat-600, exp = now-600, beyond every verifier's leeway.
	Expired
	// BadSignature: signed by a key not in the JWKS, with the current kid in the header.
	BadSignature
	// UnknownKID: signed by a key not in the JWKS, whose kid is not in the JWKS either.
	UnknownKID
	// AlgNone: header alg "none" and an empty signature.
	AlgNone
	// AlgHS256: HS256 keyed with the current public key's PEM bytes (the classic
	// algorithm-confusion attack).
	AlgHS256
	// WrongAudience: aud is "https://example.invalid".
	WrongAudience
	// Replay: the token served (by the endpoint) or minted (by MintTampered) last, again,
	// with the same jti.
	Replay
	// NotYetValid: nbf and iat 10 minutes in the future.
	NotYetValid
)

func (t Tamper) String() string {
	names := [...]string{"Untampered", "Expired", "BadSignature", "UnknownKID", "AlgNone",
		"AlgHS256", "WrongAudience", "Replay", "NotYetValid"}
	if t >= 0 && int(t) < len(names) {
		return names[t]
	}
	return fmt.Sprintf("Tamper(%d)", int(t))
}

// GitHub's token timing (reference §1.2): 5 minutes of life, nbf back-dated 10 minutes.
const (
	tokenLifetime = 300 * time.Second
	nbfBackdate   = 600 * time.Second
)

// Mint signs a token for aud with the current claims plus overrides; a nil override
// deletes that claim. The token is recorded (Minted, Secrets).
func (is *OIDCIssuer) Mint(aud string, overrides map[string]any) string {
	is.t.Helper()
	return is.MintWith(aud, overrides, Untampered)
}

// MintTampered is Mint damaged the way t says. Replay returns the last token this issuer
// minted or served (a fresh one when there is none yet).
func (is *OIDCIssuer) MintTampered(aud string, t Tamper) string {
	is.t.Helper()
	return is.MintWith(aud, nil, t)
}

// MintWith is Mint with overrides and damage at once.
func (is *OIDCIssuer) MintWith(aud string, overrides map[string]any, t Tamper) string {
	is.t.Helper()
	if t == BadSignature || t == UnknownKID {
		is.strangerKey()
	}
	tok, err := is.mint(aud, overrides, t)
	if err != nil {
		is.t.Fatalf("testenv: mint token: %v", err)
	}
	return tok
}

// mint builds, signs and records one token. It may run on a server goroutine, so it
// reports failures instead of stopping the test; the stranger key must already exist
// for BadSignature and UnknownKID.
func (is *OIDCIssuer) mint(aud string, overrides map[string]any, t Tamper) (string, error) {
	now := is.clock.Now()
	is.mu.Lock()
	defer is.mu.Unlock()
	if t == Replay {
		if last := is.lastToken(); last != "" {
			return last, nil
		}
		t = Untampered
	}
	claims := is.tokenClaims(aud, now, overrides, t)
	key := is.keys[len(is.keys)-1]
	header := jwtHeader{Typ: "JWT", Alg: "RS256", X5t: key.x5t, Kid: key.kid}
	priv := key.priv
	var hsSecret []byte
	switch t {
	case BadSignature, UnknownKID:
		if is.stranger == nil {
			return "", fmt.Errorf("no stranger key for %s", t)
		}
		priv = is.stranger.priv
		if t == UnknownKID {
			header.Kid, header.X5t = is.stranger.kid, is.stranger.x5t
		}
	case AlgNone:
		header.Alg = "none"
	case AlgHS256:
		der, err := x509.MarshalPKIXPublicKey(&key.priv.PublicKey)
		if err != nil {
			return "", fmt.Errorf("encode public key for HS256: %w", err)
		}
		header.Alg, hsSecret = "HS256", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	}
	tok, err := signJWT(header, claims, priv, hsSecret)
	if err != nil {
		return "", err
	}
	is.minted = append(is.minted, tok)
	return tok, nil
}

// lastToken is the most recent token served by the endpoint or minted. Callers hold mu.
func (is *OIDCIssuer) lastToken() string {
	if is.served != "" {
		return is.served
	}
	if n := len(is.minted); n > 0 {
		return is.minted[n-1]
	}
	return ""
}

// tokenClaims composes one token's claims: computed standard claims, then the issuer's
// claims (which may override them), then overrides, then the derived sub. Callers hold mu.
func (is *OIDCIssuer) tokenClaims(aud string, now time.Time, overrides map[string]any, t Tamper) map[string]any {
	iat := now
	switch t {
	case Expired:
		iat = now.Add(-900 * time.Second)
	case NotYetValid:
		iat = now.Add(10 * time.Minute)
	}
	exp := iat.Add(tokenLifetime)
	nbf := iat.Add(-nbfBackdate)
	switch t {
	case Expired:
		exp = now.Add(-600 * time.Second)
	case NotYetValid:
		nbf = iat
	case WrongAudience:
		aud = "https://example.invalid"
	}
	claims := map[string]any{}
	computed := map[string]any{
		"iss": is.URL(), "aud": aud, "iat": iat.Unix(), "nbf": nbf.Unix(),
		"exp": exp.Unix(), "jti": randomUUID(),
	}
	for k, v := range computed {
		if !is.claims.deleted[k] {
			claims[k] = v
		}
	}
	for k, v := range is.claims.custom {
		claims[k] = v
	}
	for k, v := range overrides {
		if v == nil {
			delete(claims, k)
			continue
		}
		claims[k] = v
	}
	_, setSub := is.claims.custom["sub"]
	_, overSub := overrides["sub"]
	if !setSub && !overSub && !is.claims.deleted["sub"] {
		claims["sub"] = subject(claims)
	}
	// A tamper that is about time or audience wins over Set, or it would not be what it says.
	switch t {
	case Expired, NotYetValid:
		claims["iat"], claims["nbf"], claims["exp"] = iat.Unix(), nbf.Unix(), exp.Unix()
	case WrongAudience:
		claims["aud"] = aud
	}
	return claims
}
