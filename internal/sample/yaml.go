package sample

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

var (
	// yamlPlain are strings safe to write unquoted: they start with a letter, hold
	// no indicator or space, and yamlReserved excludes the words YAML 1.1 (which
	// Ruby's Psych speaks) reads as booleans or null.
	yamlPlain = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_./@+-]*$`)
	// yamlDotted is a version like 1.2.3: two or more dots make it neither int
	// nor float for Psych, so `gem build` leaves it unquoted and so do we.
	yamlDotted = regexp.MustCompile(`^[0-9]+(\.[0-9]+){2,}$`)
)

var yamlReserved = map[string]bool{
	"y": true, "n": true, "yes": true, "no": true, "true": true, "false": true,
	"on": true, "off": true, "null": true,
}

// yamlScalar renders s as a YAML scalar that every YAML 1.1/1.2 reader gives back
// as the same string: plain when that is unambiguous, single-quoted when s is one
// line of printable text, double-quoted with escapes otherwise. Invalid UTF-8 is
// written as U+FFFD; callers validate text before it gets here.
func yamlScalar(s string) string {
	switch {
	case yamlPlain.MatchString(s) && !yamlReserved[strings.ToLower(s)]:
		return s
	case yamlDotted.MatchString(s):
		return s
	case yamlSingleQuotable(s):
		return "'" + strings.ReplaceAll(s, "'", "''") + "'"
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case !yamlPrintable(r):
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func yamlSingleQuotable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !yamlPrintable(r) {
			return false
		}
	}
	return true
}

// yamlPrintable is YAML's c-printable minus the characters that are line breaks
// in YAML 1.1 (tab, CR, LF, NEL, LS, PS) and the byte-order mark, which readers
// may drop.
func yamlPrintable(r rune) bool {
	switch {
	case r >= 0x20 && r <= 0x7e:
		return true
	case r == 0x2028 || r == 0x2029 || r == 0xfeff || r == utf8.RuneError:
		return false
	case r >= 0xa0 && r <= 0xd7ff, r >= 0xe000 && r <= 0xfffd, r >= 0x10000 && r <= 0x10ffff:
		return true
	}
	return false
}
