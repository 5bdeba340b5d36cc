package sample

import (
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// yamlDecode reads back the three scalar forms yamlScalar writes.
func yamlDecode(t testing.TB, s string) string {
	t.Helper()
	switch {
	case strings.HasPrefix(s, "'"):
		if len(s) < 2 || !strings.HasSuffix(s, "'") {
			t.Fatalf("unterminated single-quoted scalar %q", s)
		}
		inner := s[1 : len(s)-1]
		if strings.Count(inner, "'")%2 != 0 || strings.Contains(strings.ReplaceAll(inner, "''", ""), "'") {
			t.Fatalf("lone quote inside %q", s)
		}
		return strings.ReplaceAll(inner, "''", "'")
	case strings.HasPrefix(s, `"`):
		// Only \\ \" \n \t and \uXXXX are written; those mean the same in Go.
		v, err := strconv.Unquote(s)
		if err != nil {
			t.Fatalf("double-quoted scalar %q: %v", s, err)
		}
		return v
	}
	return s
}

func TestYAMLScalar(t *testing.T) {
	tests := []struct{ in, want string }{
		{"hello-releaser", "hello-releaser"},
		{"lib/hello_releaser.rb", "lib/hello_releaser.rb"},
		{"1.2.3", "1.2.3"},
		{"2.7", "'2.7'"},
		{"0", "'0'"},
		{">=", "'>='"},
		{"yes", "'yes'"},
		{"Off", "'Off'"},
		{"null", "'null'"},
		{"", "''"},
		{"it's", "'it''s'"},
		{"a: b", "'a: b'"},
		{"- item", "'- item'"},
		{"#comment", "'#comment'"},
		{"line\nbreak", `"line\nbreak"`},
		{"tab\there", `"tab\there"`},
		{"quote\" and \\", `'quote" and \'`},
		{"nel\u0085", `"nel\u0085"`},
		{"bom\ufeff", `"bom\uFEFF"`},
		{"bell\a", `"bell\u0007"`},
		{"ünïcode", "'ünïcode'"},
	}
	for _, tt := range tests {
		if got := yamlScalar(tt.in); got != tt.want {
			t.Errorf("yamlScalar(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func FuzzYAMLScalar(f *testing.F) {
	for _, s := range []string{"hello", "1.2.3", "it's", "a\nb", "\u2028", "\"\\", "yes", "~", "@x", "x\x00y", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := yamlScalar(s)
		if strings.ContainsAny(out, "\n\r") || strings.ContainsRune(out, 0x85) || strings.ContainsRune(out, 0x2028) || strings.ContainsRune(out, 0x2029) {
			t.Fatalf("yamlScalar(%q) = %q spans lines", s, out)
		}
		if !utf8.ValidString(out) {
			t.Fatalf("yamlScalar(%q) = %q is not UTF-8", s, out)
		}
		if !utf8.ValidString(s) {
			return // written with U+FFFD; callers reject such text first
		}
		if got := yamlDecode(t, out); got != s {
			t.Fatalf("yamlScalar(%q) = %s reads back as %q", s, out, got)
		}
	})
}
