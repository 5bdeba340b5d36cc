package ui

import (
	"strings"
	"testing"
)

func TestEscapeData(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"plain text: a, b", "plain text: a, b"},
		// actions/toolkit command.test.ts
		{"percent % percent % cr \r cr \r lf \n lf \n", "percent %25 percent %25 cr %0D cr %0D lf %0A lf %0A"},
		{"%25", "%2525"},
		{"%25%25", "%2525%2525"},
		{"line1\r\nline2\n", "line1%0D%0Aline2%0A"},
		{"::add-mask::x", "::add-mask::x"}, // data may hold "::"; the command ends at the first one
	} {
		if got := EscapeData(tc.in); got != tc.want {
			t.Errorf("EscapeData(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestEscapeProperty(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"release.toml", "release.toml"},
		// actions/toolkit command.test.ts
		{"percent % percent % cr \r cr \r lf \n lf \n colon : colon : comma , comma ,",
			"percent %25 percent %25 cr %0D cr %0D lf %0A lf %0A colon %3A colon %3A comma %2C comma %2C"},
		{"%25", "%2525"},
		{"a:b,c", "a%3Ab%2Cc"},
		{"multi\nline\r\ntitle", "multi%0Aline%0D%0Atitle"},
	} {
		if got := EscapeProperty(tc.in); got != tc.want {
			t.Errorf("EscapeProperty(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// FuzzEscape checks the escapes against the runner's own unescaping: what
// the runner reads back is exactly what was escaped, and the escaped form
// cannot end a line, the property list or the command.
func FuzzEscape(f *testing.F) {
	for _, s := range []string{"", "%", "%25", "%0A", "a:b,c", "x\r\ny", "%%3A%2C::"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d := EscapeData(s)
		if strings.ContainsAny(d, "\r\n") {
			t.Fatalf("EscapeData(%q) = %q keeps a line break", s, d)
		}
		if back := unescapeWith(d, runnerDataUnescapes); back != s {
			t.Fatalf("runner reads EscapeData(%q) = %q back as %q", s, d, back)
		}
		p := EscapeProperty(s)
		if strings.ContainsAny(p, "\r\n:,") {
			t.Fatalf("EscapeProperty(%q) = %q keeps a separator", s, p)
		}
		if back := unescapeWith(p, runnerPropertyUnescapes); back != s {
			t.Fatalf("runner reads EscapeProperty(%q) = %q back as %q", s, p, back)
		}
	})
}
