package registry

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxMessageLen bounds ExchangeError.Message, in bytes.
const maxMessageLen = 500

// redacted replaces anything secret in a message.
const redacted = "[redacted]"

// secretShapes are credentials a registry might echo back (pydantic's
// validation errors quote their input, for one). They are matched on top of
// the exact values the transport knows it sent, as a second line of defence.
var secretShapes = regexp.MustCompile(
	`eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*` + // a JWT (header starts with {")
		`|pypi-[A-Za-z0-9_-]{16,}` + // PyPI macaroon
		`|cio_tp_[A-Za-z0-9]{8,}` + // crates.io trusted publishing token
		`|\bcio[A-Za-z0-9]{32}\b` + // crates.io API token
		`|rubygems_[0-9a-fA-F]{16,}` + // RubyGems API key
		`|npm_[A-Za-z0-9]{20,}`) // npm token

// sanitizeMessage makes a registry's words safe to print: valid UTF-8, no
// control or bidi-override characters except newlines, no token-shaped
// strings, at most maxMessageLen bytes. Neutralising workflow commands
// ("::") is the UI's job.
func sanitizeMessage(s string, secrets ...string) string {
	s = redactSecrets(s, secrets...)
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\n':
			return r
		case r == '\t':
			return ' '
		case unicode.IsControl(r), isBidiControl(r):
			return -1
		}
		return r
	}, s)
	// Redact again: stripping control characters can join the halves of a
	// token that was split to slip past the first pass.
	s = redactSecrets(s, secrets...)
	return truncate(strings.TrimSpace(s), maxMessageLen)
}

// redactSecrets removes the exact secrets given and anything token-shaped.
func redactSecrets(s string, secrets ...string) string {
	for _, sec := range secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, redacted)
		}
	}
	return secretShapes.ReplaceAllString(s, redacted)
}

func isBidiControl(r rune) bool {
	return (r >= '\u202A' && r <= '\u202E') || (r >= '\u2066' && r <= '\u2069') ||
		r == '\u200E' || r == '\u200F' || r == '\u061C'
}

// truncate cuts s to at most n bytes on a rune boundary, marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const mark = "…"
	cut := n - len(mark)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + mark
}

// sanitizeCode keeps a machine code to the characters such codes use, so it
// cannot smuggle text into the one-line error.
func sanitizeCode(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return -1
	}, s)
	return s[:min(len(s), 64)]
}
