package testenv

import (
	"crypto/rsa"
	"errors"
	"fmt"
	"time"
)

// Reasons a registry refuses a JWT before looking at its identity claims. Registries map
// them to their own status codes and texts; the reasons themselves never reach a client.
var (
	errMissingKID   = errors.New("JWT header has no kid")
	errUnknownKID   = errors.New("JWT kid is not in the issuer's key set")
	errWrongIssuer  = errors.New("JWT iss is not the issuer")
	errWrongAud     = errors.New("JWT aud is not the registry's audience")
	errExpired      = errors.New("JWT has expired")
	errNotYetValid  = errors.New("JWT is not valid yet")
	errMissingClaim = errors.New("JWT lacks a required claim")
)

// jwtRules is how one registry checks a JWT's signature, issuer, audience and times
// (reference §3.2, §5.1, §6.1).
type jwtRules struct {
	issuer   string
	audience string
	leeway   time.Duration
	// required lists standard claims that must be present.
	required []string
	// checkIat refuses an iat in the future (PyJWT and crates.io do; RubyGems does not).
	checkIat bool
}

// verify runs every check in the order the registries do: key, signature, issuer,
// required claims, audience, times.
func (r jwtRules) verify(p *parsedJWT, is *OIDCIssuer, now time.Time) error {
	pub, err := p.key(is)
	if err != nil {
		return err
	}
	if err := p.verifyRS256(pub); err != nil {
		return err
	}
	if iss, _ := p.str("iss"); iss != r.issuer {
		return fmt.Errorf("%w: %q", errWrongIssuer, iss)
	}
	for _, c := range r.required {
		if !p.present(c) {
			return fmt.Errorf("%w: %s", errMissingClaim, c)
		}
	}
	// A strict single audience: a JSON string, never an array (PyJWT strict_aud, and the
	// crates.io claims struct types aud as a string).
	if aud, ok := p.str("aud"); !ok || aud != r.audience {
		return errWrongAud
	}
	return p.checkTimes(now, r.leeway, r.checkIat)
}

// key finds the public key the token's kid names in the issuer's current key set, as a
// registry that refetches the JWKS on an unknown kid would.
func (p *parsedJWT) key(is *OIDCIssuer) (*rsa.PublicKey, error) {
	kid, ok := p.kid()
	if !ok {
		return nil, errMissingKID
	}
	pub, ok := is.publicKey(kid)
	if !ok {
		return nil, errUnknownKID
	}
	return pub, nil
}

// checkTimes enforces exp (required), nbf and, when asked, iat, each with leeway.
func (p *parsedJWT) checkTimes(now time.Time, leeway time.Duration, checkIat bool) error {
	n := float64(now.Unix())
	l := leeway.Seconds()
	exp, _, ok := p.number("exp")
	if !ok {
		return fmt.Errorf("%w: exp", errMissingClaim)
	}
	if n >= exp+l {
		return errExpired
	}
	if p.present("nbf") {
		nbf, _, ok := p.number("nbf")
		if !ok || nbf > n+l {
			return fmt.Errorf("%w (nbf)", errNotYetValid)
		}
	}
	if checkIat && p.present("iat") {
		iat, _, ok := p.number("iat")
		if !ok || iat > n+l {
			return fmt.Errorf("%w (iat)", errNotYetValid)
		}
	}
	return nil
}
