package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const minimal = `
[project]
name = "demo"
version = "1.2.3"

[[build.command]]
argv = ["make", "dist"]

[build]
artifacts = ["*.whl"]
`

func TestLoadExample(t *testing.T) {
	c, err := Load(filepath.Join("..", "..", "release.toml.example"))
	if err != nil {
		t.Fatalf("the shipped example must load: %v", err)
	}
	if c.Project.Version != "1.2.3" {
		t.Errorf("version_from VERSION: got %q, want 1.2.3", c.Project.Version)
	}
	if got := c.Tag(); got != "v1.2.3" {
		t.Errorf("Tag() = %q", got)
	}
	if len(c.Registry) != 4 {
		t.Errorf("registries: got %d, want 4", len(c.Registry))
	}
	if !strings.HasSuffix(filepath.ToSlash(c.OutputDir()), "testdata/example/dist") {
		t.Errorf("OutputDir() = %q", c.OutputDir())
	}
}

func TestDefaults(t *testing.T) {
	c, err := Parse("release.toml", []byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct{ name, got, want string }{
		{"tag_format", c.Project.TagFormat, "v{version}"},
		{"state_dir", c.Project.StateDir, ".releaser"},
		{"output_dir", c.Build.OutputDir, "dist"},
		{"timeout", c.Build.Timeout.String(), "30m0s"},
		{"layout", c.Attest.Layout, "single"},
		{"issuer", c.Identity.Issuer, GitHubIssuer},
		{"ref_pattern", c.Identity.RefPattern, "refs/tags/v*"},
		{"audit.log", c.Audit.Log, ".releaser/audit.jsonl"},
		{"make_latest", c.GitHub.MakeLatest, "true"},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s: got %q, want %q", ch.name, ch.got, ch.want)
		}
	}
	if !*c.GitHub.RequireImmutable || !*c.Attest.Enabled {
		t.Error("require_immutable and attest.enabled default to true")
	}
}

// TestBadInput checks that each mistake is reported with its line, key and a fix.
func TestBadInput(t *testing.T) {
	tests := []struct {
		name     string
		src      string
		wantLine int
		wantKey  string
		wantMsg  string // substring of the message
		wantFix  string // substring of the fix
	}{
		{"unknown key with suggestion", minimal + "outptu_dir = \"x\"\n", 11, "build.outptu_dir", "unknown key", `did you mean "output_dir"`},
		{"unknown top-level table", minimal + "[buidl]\nx = 1\n", 11, "buidl", "unknown key", `did you mean "build"`},
		{"unknown key in second registry", minimal + "[[registry]]\nkind = \"pypi\"\n[[registry]]\nkind = \"npm\"\npackage = \"x\"\nacess = \"public\"\n", 16, "registry[1].acess", "unknown key", `did you mean "access"`},
		{"wrong type string for int", minimal + "[approval]\nrequired = \"two\"\n", 12, "approval.required", "wrong type: got a string, want an integer", "required as an integer"},
		{"wrong type array", strings.Replace(minimal, `["*.whl"]`, `"*.whl"`, 1), 10, "build.artifacts", "want an array of strings", ""},
		{"bad duration", minimal + "timeout = \"soon\"\n", 11, "build.timeout", "invalid duration", ""},
		{"syntax error", minimal + "[build\n", 11, "", "TOML syntax error", "correct the syntax"},
		{"missing name", strings.Replace(minimal, `name = "demo"`, "", 1), 2, "project.name", "missing required key", "add name"},
		{"version and version_from", strings.Replace(minimal, `version = "1.2.3"`, "version = \"1\"\nversion_from = \"VERSION\"", 1), 5, "project.version_from", "both set", "keep one"},
		{"no commands", strings.Replace(minimal, "[[build.command]]\nargv = [\"make\", \"dist\"]\n", "", 1), 7, "build.command", "no build commands", "[[build.command]]"},
		{"argv and shell", strings.Replace(minimal, "argv = [", "shell = \"make\"\nargv = [", 1), 7, "build.command[0].shell", "both set", ""},
		{"artifact glob escapes", strings.Replace(minimal, `["*.whl"]`, `["../*.whl"]`, 1), 10, "build.artifacts[0]", "escapes output_dir", ""},
		{"output_dir escapes", minimal + "[build2]\n", 11, "build2", "unknown key", ""},
		{"npm without package", minimal + "[[registry]]\nkind = \"npm\"\n", 11, "registry[0].package", "needs a package name", "package ="},
		{"unknown kind", minimal + "[[registry]]\nkind = \"pipy\"\n", 12, "registry[0].kind", `unknown registry kind "pipy"`, `did you mean "pypi"`},
		{"bad npm name", minimal + "[[registry]]\nkind = \"npm\"\npackage = \"Hello\"\n", 13, "registry[0].package", "not a valid npm package name", "lower case"},
		{"restricted unscoped", minimal + "[[registry]]\nkind = \"npm\"\npackage = \"x\"\naccess = \"restricted\"\n", 14, "registry[0].access", "always public", ""},
		{"access on pypi", minimal + "[[registry]]\nkind = \"pypi\"\naccess = \"public\"\n", 13, "registry[0].access", "only npm", ""},
		{"forbidden event", minimal + "[identity]\nallowed_events = [\"push\", \"pull_request_target\"]\n", 12, "identity.allowed_events", "can never be allowed", ""},
		{"plain http", minimal + "[[registry]]\nkind = \"pypi\"\nurl = \"http://pypi.example.org\"\n", 13, "registry[0].url", "plain http", "https"},
		{"credentials in url", minimal + "[github]\napi_url = \"https://u:p@api.github.com\"\n", 12, "github.api_url", "credentials", ""},
		{"required without envs", minimal + "[approval]\nrequired = 2\n", 11, "approval.environments", "no environments", ""},
		{"table defined twice", minimal + "[project]\n", 11, "", "TOML syntax error", ""},
		{"bad tag_format", strings.Replace(minimal, `version = "1.2.3"`, "version = \"1.2.3\"\ntag_format = \"release\"", 1), 5, "project.tag_format", "exactly once", ""},
		{"workflow path", minimal + "[identity]\nworkflow = \".github/workflows/release.yml\"\n", 12, "identity.workflow", "not a workflow file name", "name the file only"},
		{"registry workflow path", minimal + "[[registry]]\nkind = \"pypi\"\nworkflow = \"o/r/publish.yml\"\n", 13, "registry[0].workflow", "not a workflow file name", "name the file only"},
		{"repo mismatch", minimal + "[identity]\nrepository = \"a/b\"\n[github]\nrepository = \"a/c\"\n", 14, "github.repository", "differs", ""},
		{"duplicate registry", minimal + "[[registry]]\nkind = \"crates\"\n[[registry]]\nkind = \"crates\"\n", 13, "registry[1]", "same registry", "remove the duplicate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("release.toml", []byte(tt.src))
			if err == nil {
				t.Fatal("want an error, got none")
			}
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("error is not a *config.Error: %T %v", err, err)
			}
			found := false
			var es Errors
			errors.As(err, &es)
			for _, e := range es {
				if e.Key == tt.wantKey && strings.Contains(e.Msg, tt.wantMsg) {
					found = true
					if e.Line != tt.wantLine {
						t.Errorf("line: got %d, want %d (%v)", e.Line, tt.wantLine, e)
					}
					if !strings.Contains(e.Fix, tt.wantFix) {
						t.Errorf("fix %q does not contain %q", e.Fix, tt.wantFix)
					}
					if e.File != "release.toml" || !strings.HasPrefix(e.Error(), "release.toml") {
						t.Errorf("error does not name the file: %v", e)
					}
				}
			}
			if !found {
				t.Errorf("no error with key %q and message %q in:\n%v", tt.wantKey, tt.wantMsg, err)
			}
		})
	}
}

func TestAllErrorsAtOnce(t *testing.T) {
	src := minimal + "typo = 1\n[[registry]]\nkind = \"npm\"\n[approval]\nrequired = -1\n"
	_, err := Parse("release.toml", []byte(src))
	var es Errors
	if !errors.As(err, &es) || len(es) < 3 {
		t.Fatalf("want at least 3 errors reported together, got %v", err)
	}
	for i := 1; i < len(es); i++ {
		if es[i].Line < es[i-1].Line {
			t.Errorf("errors not in file order: %v", err)
		}
	}
}

func TestVersionFrom(t *testing.T) {
	tests := []struct {
		file, content, want, wantErr string
	}{
		{"pyproject.toml", "[project]\nname = \"x\"\nversion = \"2.0.1\"\n", "2.0.1", ""},
		{"pyproject.toml", "[project]\nname = \"x\"\ndynamic = [\"version\"]\n", "", "no literal [project].version"},
		{"package.json", `{"name":"x","version":"3.1.4"}`, "3.1.4", ""},
		{"Cargo.toml", "[package]\nname = \"x\"\nversion = \"0.9.0\"\n", "0.9.0", ""},
		{"Cargo.toml", "[package]\nname = \"x\"\nversion.workspace = true\n", "", "workspace"},
		{"VERSION", "4.5.6\n", "4.5.6", ""},
		{"VERSION", "1.0\n2.0\n", "", "one line"},
		{"VERSION", "not a version!", "", "not a valid version"},
	}
	for _, tt := range tests {
		t.Run(tt.file+"/"+tt.want+tt.wantErr, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, tt.file), []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			src := strings.Replace(minimal, `version = "1.2.3"`, `version_from = "`+tt.file+`"`, 1)
			cfgPath := filepath.Join(dir, "release.toml")
			if err := os.WriteFile(cfgPath, []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
			c, err := Load(cfgPath)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("want error containing %q, got %v", tt.wantErr, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Project.Version != tt.want {
				t.Errorf("version: got %q, want %q", c.Project.Version, tt.want)
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "release.toml"))
	if err == nil || !strings.Contains(err.Error(), "release.toml.example") {
		t.Fatalf("want a hint at the example, got %v", err)
	}
}

func TestVersionForTag(t *testing.T) {
	c, err := Parse("r.toml", []byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	for tag, want := range map[string]string{"v1.2.3": "1.2.3", "v": "", "1.2.3": "", "v2.0.0-rc.1": "2.0.0-rc.1"} {
		got, ok := c.VersionForTag(tag)
		if got != want || ok != (want != "") {
			t.Errorf("VersionForTag(%q) = %q, %v; want %q", tag, got, ok, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(minimal))
	if ex, err := os.ReadFile(filepath.Join("..", "..", "release.toml.example")); err == nil {
		f.Add(ex)
	}
	f.Add([]byte("[[registry]]\nkind = 'npm'\n[registry.x]\ny = 1\n"))
	f.Add([]byte("a = \"\"\"\nb = 1\n\"\"\"\n[build]\nc = {d = 1, 'e.f' = 2}\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		c, err := Parse("fuzz.toml", src)
		if err == nil && c == nil {
			t.Fatal("nil config without error")
		}
		if err != nil {
			var es Errors
			if !errors.As(err, &es) || len(es) == 0 {
				t.Fatalf("error is not config.Errors: %T", err)
			}
			for _, e := range es {
				if e.Line < 0 || e.File != "fuzz.toml" {
					t.Fatalf("bad position: %+v", e)
				}
			}
		}
	})
}
