package tomlquote

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
)

func TestString(t *testing.T) {
	for _, s := range []string{"", "plain", `quote " and \ backslash`, "new\nline\ttab\rcr", "bell\a vt\v nul\x00 del\x7f", "ünï¢ødé ✓", "bad \xff utf8"} {
		var doc struct{ K string }
		if _, err := toml.Decode("K = "+String(s), &doc); err != nil {
			t.Errorf("String(%q) = %s: %v", s, String(s), err)
			continue
		}
		want := strings.ToValidUTF8(s, "\uFFFD")
		if doc.K != want {
			t.Errorf("String(%q) reads back as %q", s, doc.K)
		}
	}
}

func FuzzString(f *testing.F) {
	f.Add("a\"b\\c\n\x01")
	f.Fuzz(func(t *testing.T, s string) {
		var doc struct{ K string }
		if _, err := toml.Decode("K = "+String(s), &doc); err != nil {
			t.Fatalf("String(%q) = %s: %v", s, String(s), err)
		}
		if want := strings.ToValidUTF8(s, "\uFFFD"); doc.K != want && !regexp.MustCompile(`[\x{FFFD}]`).MatchString(want) {
			t.Errorf("String(%q) reads back as %q", s, doc.K)
		}
	})
}

func FuzzStringValidUTF8(f *testing.F) {
	for _, s := range []string{"plain", `quote " back \ slash`, "new\nline\ttab", "\x00\x1f\x7f", "ünïcode 🎉", "'''"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return // TOML documents are UTF-8; manifests that decoded cannot hold anything else
		}
		var v struct{ K string }
		doc := "k = " + String(s) + "\n"
		if _, err := toml.Decode(doc, &v); err != nil {
			t.Fatalf("String(%q) = %s does not parse: %v", s, doc, err)
		}
		if v.K != s {
			t.Fatalf("String(%q) reads back as %q", s, v.K)
		}
	})
}
