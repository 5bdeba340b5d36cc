package registry

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode"
)

// Token is a short-lived upload credential. It lives in memory only: every
// formatting path (String, GoString, JSON, slog) leaves Value out.
type Token struct {
	Registry  string    // kind
	Value     string    // the secret
	Expires   time.Time // from the response where the registry says; else now + documented lifetime
	Estimated bool      // Expires is our estimate (crates.io: 30 min; npm: UNCONFIRMED, assume 5 min)
}

// String describes the token without its value, e.g.
// "pypi token (expires 12:03:04Z)". It has a value receiver so that a Token
// printed by value with %v cannot fall back to printing its fields.
func (t Token) String() string {
	kind := t.Registry
	if kind == "" {
		kind = "registry"
	}
	if t.Expires.IsZero() {
		return kind + " token (expiry unknown)"
	}
	est := ""
	if t.Estimated {
		est = ", estimated"
	}
	return fmt.Sprintf("%s token (expires %s%s)", kind, t.Expires.UTC().Format("15:04:05Z"), est)
}

// GoString keeps %#v from printing Value.
func (t Token) GoString() string { return "registry.Token{" + t.String() + "}" }

// MarshalJSON writes only the non-secret metadata, for the audit log.
func (t Token) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Registry  string    `json:"registry"`
		Expires   time.Time `json:"expires"`
		Estimated bool      `json:"estimated,omitempty"`
	}{t.Registry, t.Expires, t.Estimated})
}

// LogValue keeps slog from printing Value.
func (t Token) LogValue() slog.Value { return slog.StringValue(t.String()) }

// Remaining is how long the token stays valid after now (negative once
// expired).
func (t *Token) Remaining(now time.Time) time.Duration {
	return t.Expires.Sub(now)
}

// maxTokenLen bounds a credential we accept; real ones are well under 1 KiB
// (PyPI macaroons are the longest at a few hundred bytes).
const maxTokenLen = 8 << 10

// validTokenValue is the minimal check on a credential from a response: it
// will be put into an HTTP header later, so no whitespace or control
// characters. The returned reason never quotes the value.
func validTokenValue(v string) (bool, string) {
	switch {
	case v == "":
		return false, "the response carries no token"
	case len(v) > maxTokenLen:
		return false, "the token in the response is implausibly long"
	case strings.IndexFunc(v, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		return false, "the token in the response contains whitespace or control characters"
	}
	return true, ""
}

// newToken builds a Token from a validated value; expires zero means "use
// the documented lifetime from start".
func newToken(kind, value string, expires, start time.Time, lifetime time.Duration) *Token {
	t := &Token{Registry: kind, Value: value, Expires: expires}
	if expires.IsZero() {
		t.Expires = start.Add(lifetime)
		t.Estimated = true
	}
	return t
}
