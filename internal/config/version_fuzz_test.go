package config

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzReadVersion: version_from's reader, over any content of each file it
// knows. A version read is one line; a package.json's is its "version"
// string and a plain file's its trimmed content.
func FuzzReadVersion(f *testing.F) {
	seeds := []struct {
		file, content string
	}{
		{"VERSION", "1.2.3\n"},
		{"VERSION", "  1.2.3-rc.1  \r\n"},
		{"VERSION", "1.2.3\n4.5.6\n"},
		{"package.json", `{"name":"x","version":"1.2.3"}`},
		{"package.json", `{"version":1}`},
		{"pyproject.toml", "[project]\nname = \"x\"\nversion = \"1.2.3\"\n"},
		{"pyproject.toml", "[project]\ndynamic = [\"version\"]\n"},
		{"Cargo.toml", "[package]\nname = \"x\"\nversion = \"0.1.0\"\n"},
		{"Cargo.toml", "[package]\nversion.workspace = true\n"},
	}
	for _, s := range seeds {
		f.Add(s.file, []byte(s.content))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, file string, content []byte) {
		switch file {
		case "VERSION", "package.json", "pyproject.toml", "Cargo.toml":
		default:
			return
		}
		path := filepath.Join(dir, file)
		if err := os.WriteFile(path, content, 0o644); err != nil {
			t.Fatal(err)
		}
		v, err := readVersion(path)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		if v == "" || strings.ContainsAny(v, "\r\n") && file == "VERSION" {
			t.Fatalf("%s %q read as version %q", file, content, v)
		}
		switch file {
		case "VERSION":
			if v != strings.TrimSpace(string(content)) {
				t.Fatalf("VERSION %q read as %q", content, v)
			}
		case "package.json":
			var pkg struct {
				Version string `json:"version"`
			}
			if json.Unmarshal(content, &pkg) != nil || pkg.Version != v {
				t.Fatalf("package.json %q read as %q", content, v)
			}
		}
	})
}
