package sample

import (
	"testing"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
)

func FuzzTOMLString(f *testing.F) {
	for _, s := range []string{"plain", `quote " back \ slash`, "new\nline\ttab", "\x00\x1f\x7f", "ünïcode 🎉", "'''"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return // TOML documents are UTF-8; manifests that decoded cannot hold anything else
		}
		var v struct{ K string }
		doc := "k = " + tomlString(s) + "\n"
		if _, err := toml.Decode(doc, &v); err != nil {
			t.Fatalf("tomlString(%q) = %s does not parse: %v", s, doc, err)
		}
		if v.K != s {
			t.Fatalf("tomlString(%q) reads back as %q", s, v.K)
		}
	})
}
