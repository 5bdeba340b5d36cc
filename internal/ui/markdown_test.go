package ui

import (
	"strings"
	"testing"
)

func TestMarkdownEscape(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"v1.2.3-rc.1", "v1.2.3-rc.1"},
		{"<script>alert(1)</script>", `\<script\>alert(1)\</script\>`},
		{"<img src=x onerror=alert(1)>", `\<img src=x onerror=alert(1)\>`},
		{"[click](https://evil.example)", `\[click\](https://evil.example)`},
		{"![x](https://evil.example/p.png)", `!\[x\](https://evil.example/p.png)`},
		{"a|b", `a\|b`},
		{`back\slash`, `back\\slash`},
		{"`code`", "\\`code\\`"},
		{"**bold** _it_", `\*\*bold\*\* \_it\_`},
		{"# heading", `\# heading`},
		{"&lt;b&gt;", `\&lt;b\&gt;`},
		{"line1\nline2", "line1 line2"},
		{"line1\r\nline2\rline3", "line1 line2 line3"},
		{"a\u2028b\u0085c\x00d\x1be", "a b c d e"},
		{"tab\there", "tab\there"},
		{"ünïcødé ✓", "ünïcødé ✓"},
		{"bad\xffutf8", "bad\uFFFDutf8"},
	} {
		if got := MarkdownEscape(tc.in); got != tc.want {
			t.Errorf("MarkdownEscape(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// FuzzMarkdownEscape: the result stays on one line and every special
// character in it is escaped.
func FuzzMarkdownEscape(f *testing.F) {
	for _, s := range []string{"", "<a href=x>", "[x](y)", "a|b\nc", `\`, "\r\n\r"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := MarkdownEscape(s)
		if strings.ContainsAny(got, "\r\n\u2028\u2029\u0085") {
			t.Fatalf("MarkdownEscape(%q) = %q leaves its line", s, got)
		}
		for i := 0; i < len(got); i++ {
			c := got[i]
			if c == '\\' {
				i++ // the escaped character
				if i == len(got) || !strings.ContainsRune(markdownSpecial, rune(got[i])) {
					t.Fatalf("MarkdownEscape(%q) = %q has a stray backslash", s, got)
				}
				continue
			}
			if strings.ContainsRune(markdownSpecial, rune(c)) {
				t.Fatalf("MarkdownEscape(%q) = %q leaves %q unescaped", s, got, c)
			}
		}
	})
}
