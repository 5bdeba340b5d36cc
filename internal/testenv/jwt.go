package testenv

import (
	"bytes"
	"crypto"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
)

// jwtHeader is a JOSE header in the field order GitHub's issuer writes.
type jwtHeader struct {
	Typ string `json:"typ"`
	Alg string `json:"alg"`
	X5t string `json:"x5t,omitempty"`
	Kid string `json:"kid,omitempty"`
}

// signJWT builds a compact JWS. header.Alg selects the signature: "RS256" with priv,
// "HS256" with hsSecret, "none" with an empty signature.
func signJWT(header jwtHeader, claims map[string]any, priv *rsa.PrivateKey, hsSecret []byte) (string, error) {
	alg := header.Alg
	hb, err := json.Marshal(header)
	if err != nil {
		return "", fmt.Errorf("encode JWT header: %w", err)
	}
	cb, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("encode JWT claims: %w", err)
	}
	input := b64(hb) + "." + b64(cb)
	var sig []byte
	switch alg {
	case "RS256":
		sum := sha256.Sum256([]byte(input))
		sig, err = rsa.SignPKCS1v15(rand.Reader, priv, crypto.SHA256, sum[:])
		if err != nil {
			return "", fmt.Errorf("sign JWT: %w", err)
		}
	case "HS256":
		m := hmac.New(sha256.New, hsSecret)
		m.Write([]byte(input))
		sig = m.Sum(nil)
	case "none":
	default:
		return "", fmt.Errorf("sign JWT: unsupported alg %q", alg)
	}
	return input + "." + b64(sig), nil
}

// parsedJWT is a compact JWS split into its parts and decoded, not yet verified.
type parsedJWT struct {
	header       map[string]any
	claims       map[string]any // numbers are json.Number
	signingInput string
	sig          []byte
}

var errMalformedJWT = errors.New("malformed JWT")

// parseJWT decodes raw without verifying anything. Every failure is errMalformedJWT
// (wrapped): registries answer all of them with one message.
func parseJWT(raw string) (*parsedJWT, error) {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("%w: %d parts, want 3", errMalformedJWT, len(parts))
	}
	header, err := decodeSegment(parts[0])
	if err != nil {
		return nil, fmt.Errorf("%w: header: %v", errMalformedJWT, err)
	}
	claims, err := decodeSegment(parts[1])
	if err != nil {
		return nil, fmt.Errorf("%w: claims: %v", errMalformedJWT, err)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return nil, fmt.Errorf("%w: signature: %v", errMalformedJWT, err)
	}
	return &parsedJWT{header: header, claims: claims, signingInput: parts[0] + "." + parts[1], sig: sig}, nil
}

func decodeSegment(s string) (map[string]any, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, err
	}
	return decodeObject(b)
}

// decodeObject decodes one JSON object, keeping numbers as json.Number so integer and
// float claims stay distinguishable (RubyGems insists on integers).
func decodeObject(b []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	if m == nil {
		return nil, errors.New("not a JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("trailing data after JSON object")
	}
	return m, nil
}

// verifyRS256 checks that the token says RS256 and that its signature verifies with pub.
func (p *parsedJWT) verifyRS256(pub *rsa.PublicKey) error {
	if alg, _ := p.header["alg"].(string); alg != "RS256" {
		return fmt.Errorf("alg %q, want RS256", alg)
	}
	sum := sha256.Sum256([]byte(p.signingInput))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], p.sig); err != nil {
		return fmt.Errorf("verify RS256 signature: %w", err)
	}
	return nil
}

// kid returns the header's key id; ok is false when absent or not a string.
func (p *parsedJWT) kid() (string, bool) {
	s, ok := p.header["kid"].(string)
	return s, ok
}

// str returns a string claim; ok is false when absent, null or not a string.
func (p *parsedJWT) str(name string) (string, bool) {
	s, ok := p.claims[name].(string)
	return s, ok
}

// present reports whether a claim exists and is not null (Python's "is not None").
func (p *parsedJWT) present(name string) bool {
	v, ok := p.claims[name]
	return ok && v != nil
}

// number returns a numeric claim; isInt tells whether it was written as an integer.
func (p *parsedJWT) number(name string) (v float64, isInt, ok bool) {
	n, ok := p.claims[name].(json.Number)
	if !ok {
		return 0, false, false
	}
	if i, err := n.Int64(); err == nil {
		return float64(i), true, true
	}
	f, err := n.Float64()
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false, false
	}
	return f, false, true
}

// integer returns an integral numeric claim.
func (p *parsedJWT) integer(name string) (int64, bool) {
	n, ok := p.claims[name].(json.Number)
	if !ok {
		return 0, false
	}
	i, err := n.Int64()
	return i, err == nil
}
