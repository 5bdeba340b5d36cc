package testenv

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"
)

// SecretForm is one way a secret could be written: as is, or encoded.
type SecretForm struct {
	Name string // "as is", "hex", "base64url, shifted 2", …
	Text string
}

// Base64Encodings are the alphabets a secret may be base64-encoded with.
var Base64Encodings = []struct {
	Name string
	Enc  *base64.Encoding
}{
	{"base64", base64.StdEncoding},
	{"base64url", base64.URLEncoding},
}

// SecretForms is every form a leaked secret could take in releaser's output:
// as is, hex, URL- and path-escaped, base64 and base64url at any offset in a
// longer encoded text, and a JWT's signature alone. Forms shorter than 16
// characters are left out (they would match by chance).
func SecretForms(secret string) []SecretForm {
	out := []SecretForm{{"as is", secret}}
	add := func(form, text string) {
		if len(text) >= 16 && text != secret {
			out = append(out, SecretForm{form, text})
		}
	}
	add("hex", fmt.Sprintf("%x", secret))
	add("URL-encoded", url.QueryEscape(secret))
	add("path-escaped", url.PathEscape(secret))
	for _, enc := range Base64Encodings {
		for shift := range 3 {
			add(fmt.Sprintf("%s, shifted %d", enc.Name, shift), base64Core(enc.Enc, secret, shift))
		}
	}
	if parts := strings.Split(secret, "."); len(parts) == 3 && strings.HasPrefix(secret, "ey") {
		add("the JWT's signature", parts[2])
	}
	return out
}

// base64Core is the part of the base64 encoding of secret that is the same
// wherever secret sits in a longer encoded text, given that it starts shift
// bytes (mod 3) into it: the quantums that hold only secret's bytes.
func base64Core(enc *base64.Encoding, secret string, shift int) string {
	// Encode behind shift bytes of padding; the first quantum mixes in the
	// padding when shift > 0, the last may mix in whatever follows.
	b := append(make([]byte, shift), secret...)
	s := enc.EncodeToString(b)
	start := 0
	if shift > 0 {
		start = 4
	}
	end := len(s) - 4
	if end <= start {
		return ""
	}
	return s[start:end]
}
