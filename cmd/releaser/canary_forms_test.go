package main

import "encoding/base64"

// base64Encodings are the alphabets a secret may be base64-encoded with
// (padding only shows at the end, which base64Core leaves out).
var base64Encodings = []struct {
	name string
	enc  *base64.Encoding
}{
	{"base64", base64.StdEncoding},
	{"base64url", base64.URLEncoding},
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
