// Package tomlquote writes TOML string values. Go's %q is not TOML, and
// BurntSushi/toml encodes whole documents, not the single values a template
// or a generated manifest needs.
package tomlquote

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// String quotes s as a TOML basic string. Go's %q is not TOML: it writes
// \x.., \a and \v, which TOML does not have.
func String(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == utf8.RuneError && size == 1: // not UTF-8, which TOML requires
			b.WriteString(`\uFFFD`)
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// List writes a one-line TOML array of strings.
func List(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = String(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}
