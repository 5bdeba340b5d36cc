package audit

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// displaySafe makes untrusted text (evidence quotes log data, an attacker may have
// written the log) safe to print on one line of a terminal or a Markdown table: control
// characters (escape sequences, newlines), bidirectional overrides (which reorder what a
// reader sees) and invalid UTF-8 are shown as escapes instead of being interpreted.
func displaySafe(s string) string {
	if printableASCII(s) || !strings.ContainsFunc(s, func(r rune) bool { return r == utf8.RuneError || unsafeRune(r) }) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case unsafeRune(r):
			if r < 0x100 {
				fmt.Fprintf(&b, `\x%02x`, r)
			} else {
				fmt.Fprintf(&b, `\u%04x`, r)
			}
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// unsafeRune: C0 and C1 controls, DEL, line and paragraph separators, and format
// characters (Cf: bidi overrides and isolates, zero-width characters).
func unsafeRune(r rune) bool {
	return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == 0x2028 || r == 0x2029 || unicode.Is(unicode.Cf, r)
}

// printableASCII reports whether s is all printable ASCII, which is safe as it is:
// the common case, checked without decoding runes or looking up Unicode tables.
func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}
