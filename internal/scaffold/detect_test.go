package scaffold

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestDetectSamples(t *testing.T) {
	tests := []struct {
		dir         string
		remote      string
		kinds       []Kind
		names       map[Kind]string
		manifests   map[Kind]string
		version     string
		versionFrom string
		repo        string
	}{
		{"python", "https://github.com/octo-org/hello-py.git", []Kind{Python},
			map[Kind]string{Python: "hello-py"}, map[Kind]string{Python: "pyproject.toml"}, "1.4.0", "pyproject.toml", "octo-org/hello-py"},
		{"npm", "git@github.com:octo-org/hello-js.git", []Kind{Npm},
			map[Kind]string{Npm: "@octo-org/hello-js"}, map[Kind]string{Npm: "package.json"}, "2.0.1", "package.json", "octo-org/hello-js"},
		{"rust", "", []Kind{Rust},
			map[Kind]string{Rust: "hello-rs"}, map[Kind]string{Rust: "Cargo.toml"}, "0.3.2", "Cargo.toml", ""},
		// A gemspec is not something releaser reads at release time: the
		// version is found but there is no version_from.
		{"ruby", "ssh://git@github.com/octo-org/x", []Kind{Ruby},
			map[Kind]string{Ruby: "x"}, map[Kind]string{Ruby: "x.gemspec"}, "0.1.0", "", "octo-org/x"},
		// maturin: pyproject's version is dynamic, Cargo.toml's is the one.
		{"mixed", "https://gitlab.com/octo-org/hello-rs.git", []Kind{Python, Rust},
			map[Kind]string{Python: "hello-rs", Rust: "hello-rs"},
			map[Kind]string{Python: "pyproject.toml", Rust: "Cargo.toml"}, "0.9.0", "Cargo.toml", ""},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			withRemote(t, tt.remote)
			p, err := Detect(sample(tt.dir))
			if err != nil {
				t.Fatal(err)
			}
			want, _ := filepath.Abs(sample(tt.dir))
			if p.Dir != want {
				t.Errorf("Dir = %q, want %q", p.Dir, want)
			}
			if !reflect.DeepEqual(p.Kinds, tt.kinds) {
				t.Errorf("Kinds = %v, want %v", p.Kinds, tt.kinds)
			}
			if p.Name != tt.names[tt.kinds[0]] {
				t.Errorf("Name = %q, want %q", p.Name, tt.names[tt.kinds[0]])
			}
			if !reflect.DeepEqual(p.Names, tt.names) {
				t.Errorf("Names = %v, want %v", p.Names, tt.names)
			}
			if !reflect.DeepEqual(p.Manifests, tt.manifests) {
				t.Errorf("Manifests = %v, want %v", p.Manifests, tt.manifests)
			}
			if p.Version != tt.version || p.VersionFrom != tt.versionFrom {
				t.Errorf("Version, VersionFrom = %q, %q, want %q, %q", p.Version, p.VersionFrom, tt.version, tt.versionFrom)
			}
			if p.Repository != tt.repo {
				t.Errorf("Repository = %q, want %q", p.Repository, tt.repo)
			}
		})
	}
}

// Manifest shapes the samples do not cover.
func TestDetectManifests(t *testing.T) {
	tests := []struct {
		name        string
		files       map[string]string
		kinds       []Kind
		pkg         string
		version     string
		versionFrom string
	}{
		{"poetry name, version copied not read",
			map[string]string{"pyproject.toml": "[tool.poetry]\nname = \"po\"\nversion = \"3.1.0\"\n"},
			[]Kind{Python}, "po", "3.1.0", ""},
		{"dynamic version only",
			map[string]string{"pyproject.toml": "[project]\nname = \"dyn\"\ndynamic = [\"version\"]\n"},
			[]Kind{Python}, "dyn", "", ""},
		{"linter settings are not a package",
			map[string]string{"pyproject.toml": "[tool.ruff]\nline-length = 100\n", "Cargo.toml": "[package]\nname = \"c\"\nversion = \"1.0.0\"\n"},
			[]Kind{Rust}, "c", "1.0.0", "Cargo.toml"},
		{"workspace-inherited version",
			map[string]string{"Cargo.toml": "[package]\nname = \"w\"\nversion.workspace = true\n"},
			[]Kind{Rust}, "w", "", ""},
		{"a private package.json beside a crate",
			map[string]string{"package.json": `{"name": "tools", "private": true}`, "Cargo.toml": "[package]\nname = \"c\"\nversion = \"1.0.0\"\n"},
			[]Kind{Rust}, "c", "1.0.0", "Cargo.toml"},
		{"publish = false",
			map[string]string{"Cargo.toml": "[package]\nname = \"c\"\nversion = \"1.0.0\"\npublish = false\n", "package.json": `{"name": "p", "version": "4.0.0"}`},
			[]Kind{Npm}, "p", "4.0.0", "package.json"},
		{"publish to crates-io listed",
			map[string]string{"Cargo.toml": "[package]\nname = \"c\"\nversion = \"1.0.0\"\npublish = [\"crates-io\"]\n"},
			[]Kind{Rust}, "c", "1.0.0", "Cargo.toml"},
		{"all four, version from the first readable",
			map[string]string{
				"pyproject.toml": "[project]\nname = \"a\"\ndynamic = [\"version\"]\n",
				"package.json":   `{"name": "b", "version": "2.0.0"}`,
				"Cargo.toml":     "[package]\nname = \"c\"\nversion = \"3.0.0\"\n",
				"z.gemspec":      "Gem::Specification.new do |s|\n  s.name = 'd'\n  s.version = '4.0.0'\nend\n",
				"a.gemspec":      "Gem::Specification.new do |s|\n  s.name = 'first'\nend\n",
			},
			[]Kind{Python, Npm, Rust, Ruby}, "a", "2.0.0", "package.json"},
		{"gemspec with freeze and single quotes",
			map[string]string{"g.gemspec": "Gem::Specification.new do |s|\n  s.name    = 'gee'.freeze\n  s.version = Gee::VERSION\nend\n"},
			[]Kind{Ruby}, "gee", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			withRemote(t, "")
			p, err := Detect(writeTree(t, tt.files))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(p.Kinds, tt.kinds) || p.Name != tt.pkg || p.Version != tt.version || p.VersionFrom != tt.versionFrom {
				t.Errorf("got kinds %v, name %q, version %q, version_from %q; want %v, %q, %q, %q",
					p.Kinds, p.Name, p.Version, p.VersionFrom, tt.kinds, tt.pkg, tt.version, tt.versionFrom)
			}
			if _, ok := tt.files["a.gemspec"]; ok && (p.Manifests[Ruby] != "a.gemspec" || p.Names[Ruby] != "first") {
				t.Errorf("gemspec %q, gem %q: want the first gemspec by name", p.Manifests[Ruby], p.Names[Ruby])
			}
		})
	}
}

func TestDetectErrors(t *testing.T) {
	tests := []struct {
		dir      string
		file     string // the file the error must name, "" for none
		line     int    // the line a ManifestError must carry, 0 for none
		noProj   bool
		contains []string
	}{
		{"bad/malformed-pyproject", "pyproject.toml", 3, false, []string{"TOML syntax error"}},
		{"bad/malformed-package-json", "package.json", 4, false, []string{"JSON syntax error"}},
		{"bad/bad-name", "pyproject.toml", 0, false, []string{`"bad name; rm -rf" is not a valid PyPI package name`}},
		{"bad/gemspec-no-name", "y.gemspec", 0, false, []string{"spec.name", "write release.toml by hand"}},
		{"bad/empty", "", 0, true, []string{"pyproject.toml, package.json, Cargo.toml, *.gemspec", "release.toml.example"}},
		{"bad/cargo-workspace", "", 0, true, []string{"workspace root without [package]", "release.toml.example"}},
		{"bad/private-npm", "", 0, true, []string{`"private": true`}},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			withRemote(t, "")
			_, err := Detect(sample(tt.dir))
			if err == nil {
				t.Fatal("Detect succeeded")
			}
			msg := err.Error()
			for _, s := range tt.contains {
				if !strings.Contains(msg, s) {
					t.Errorf("error %q does not contain %q", msg, s)
				}
			}
			if errors.Is(err, ErrNoProject) != tt.noProj {
				t.Errorf("errors.Is(ErrNoProject) = %v, want %v (%v)", !tt.noProj, tt.noProj, err)
			}
			if tt.file != "" {
				abs, _ := filepath.Abs(sample(tt.dir))
				if !strings.Contains(msg, filepath.Join(abs, tt.file)) {
					t.Errorf("error %q does not name %s", msg, tt.file)
				}
			}
			var me *ManifestError
			if tt.line > 0 && (!errors.As(err, &me) || me.Line != tt.line) {
				t.Errorf("error %#v: want a ManifestError at line %d", err, tt.line)
			}
		})
	}
	t.Run("not a directory", func(t *testing.T) {
		if _, err := Detect(filepath.Join(sample("python"), "pyproject.toml")); err == nil || !strings.Contains(err.Error(), "not a directory") {
			t.Errorf("Detect(file) = %v", err)
		}
	})
	t.Run("really empty", func(t *testing.T) {
		if _, err := Detect(t.TempDir()); !errors.Is(err, ErrNoProject) {
			t.Errorf("Detect(empty) = %v", err)
		}
	})
}

func TestGitHubRepository(t *testing.T) {
	tests := []struct{ remote, want string }{
		{"https://github.com/o/r.git", "o/r"},
		{"https://github.com/o/r", "o/r"},
		{"https://github.com/o/r/", "o/r"},
		{"https://GitHub.com/Octo-Org/repo.name.git", "Octo-Org/repo.name"},
		{"https://x-access-token:secret@github.com/o/r.git", "o/r"},
		{"git@github.com:o/r.git", "o/r"},
		{"github.com:o/r", "o/r"},
		{"ssh://git@github.com/o/r", "o/r"},
		{"ssh://git@github.com:22/o/r.git", "o/r"},
		{"git://github.com/o/r.git", "o/r"},
		{"https://gitlab.com/o/r.git", ""},
		{"git@gitlab.com:o/r.git", ""},
		{"https://github.com.evil.example/o/r", ""},
		{"https://github.com/o", ""},
		{"https://github.com/o/r/tree/main", ""},
		{"file:///srv/git/r.git", ""},
		{"/srv/git/r.git", ""},
		{"../r", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := githubRepository(tt.remote); got != tt.want {
			t.Errorf("githubRepository(%q) = %q, want %q", tt.remote, got, tt.want)
		}
	}
}

// The real git: origin is read from the repository the project is in.
func TestDetectReadsOrigin(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := copyTree(t, sample("rust"))
	for _, args := range [][]string{{"init", "-q"}, {"remote", "add", "origin", "git@github.com:octo-org/hello-rs.git"}} {
		cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	p, err := Detect(dir)
	if err != nil {
		t.Fatal(err)
	}
	if p.Repository != "octo-org/hello-rs" {
		t.Errorf("Repository = %q, want octo-org/hello-rs", p.Repository)
	}
}

func FuzzGitHubRepository(f *testing.F) {
	for _, s := range []string{"https://github.com/o/r.git", "git@github.com:o/r.git", "ssh://git@github.com/o/r", "x@y:z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, remote string) {
		if got := githubRepository(remote); got != "" && !reRepo.MatchString(got) {
			t.Errorf("githubRepository(%q) = %q, not owner/name", remote, got)
		}
	})
}

// TestDetectRefusesAVersionConfigRefuses: init must not write a release.toml
// whose version_from the config then refuses (found by FuzzDetect).
func TestDetectRefusesAVersionConfigRefuses(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "package.json"), []byte(`{"name":"@e/g","version":"@"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Detect(dir)
	var me *ManifestError
	if !errors.As(err, &me) || !strings.HasSuffix(me.File, "package.json") || !strings.Contains(err.Error(), `"@"`) {
		t.Fatalf("Detect = %v, want a ManifestError naming package.json and the version", err)
	}
}
