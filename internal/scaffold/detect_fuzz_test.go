package scaffold

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/releaserhq/releaser/internal/config"
)

// FuzzDetect: whatever the manifests hold, Detect does not panic; what it
// finds is named and on disk; and a version it says release.toml can read
// from a file is the version internal/config then reads from it.
func FuzzDetect(f *testing.F) {
	saved := originURL
	originURL = func(string) string { return "" } // no git per input
	f.Cleanup(func() { originURL = saved })

	f.Add("[project]\nname = \"hello-releaser\"\nversion = \"1.2.3\"\n", "", "", "")
	f.Add("[project]\nname = \"x\"\ndynamic = [\"version\"]\n[tool.poetry]\nversion = \"0.1\"\n", "", "[package]\nname = \"x\"\nversion = \"0.2.0\"\n", "")
	f.Add("", `{"name":"@scope/pkg","version":"2.0.0"}`, "", "")
	f.Add("", `{"name":"p","private":true}`, "[workspace]\nmembers = [\"a\"]\n", "")
	f.Add("", "", "", "Gem::Specification.new do |s|\n  s.name = \"hello\"\n  s.version = \"1.0.0\"\nend\n")
	f.Add("[project]\nname = \"bad name\"\n", "{", "[package", "s.name = ")
	f.Fuzz(func(t *testing.T, pyproject, packageJSON, cargo, gemspec string) {
		dir := t.TempDir()
		for name, content := range map[string]string{"pyproject.toml": pyproject, "package.json": packageJSON, "Cargo.toml": cargo, "hello.gemspec": gemspec} {
			if content == "" {
				continue
			}
			if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		p, err := Detect(dir)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		if p.Name == "" || len(p.Kinds) == 0 {
			t.Fatalf("found %+v", p)
		}
		for _, k := range p.Kinds {
			if p.Names[k] == "" {
				t.Fatalf("kind %s without a name: %+v", k, p)
			}
			if _, err := os.Stat(filepath.Join(dir, p.Manifests[k])); err != nil {
				t.Fatalf("kind %s: manifest %q: %v", k, p.Manifests[k], err)
			}
		}
		if p.VersionFrom == "" {
			return
		}
		toml := "[project]\nname = \"x\"\nversion_from = \"" + p.VersionFrom + "\"\n" +
			"[build]\nartifacts = [\"*\"]\n[[build.command]]\nargv = [\"true\"]\n"
		cfgPath := filepath.Join(dir, "release.toml")
		if err := os.WriteFile(cfgPath, []byte(toml), 0o644); err != nil {
			t.Fatal(err)
		}
		cfg, err := config.Load(cfgPath)
		if err != nil {
			t.Fatalf("Detect says %s holds version %q, but config cannot read it: %v", p.VersionFrom, p.Version, err)
		}
		if cfg.Project.Version != p.Version {
			t.Fatalf("Detect read version %q from %s, config reads %q", p.Version, p.VersionFrom, cfg.Project.Version)
		}
	})
}
