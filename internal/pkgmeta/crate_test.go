package pkgmeta

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestParseCargoToml(t *testing.T) {
	const pkg = "[package]\nname = \"demo\"\nversion = \"1.0.0\"\n"
	tests := []struct {
		name    string
		toml    string
		check   func(t *testing.T, nc *NewCrate)
		wantErr string
	}{
		{
			name: "minimal",
			toml: pkg,
			check: func(t *testing.T, nc *NewCrate) {
				if nc.Name != "demo" || nc.Vers != "1.0.0" || nc.ReadmeFile != nil || len(nc.Deps) != 0 || nc.Authors == nil || nc.Keywords == nil {
					t.Errorf("got %+v", nc)
				}
			},
		},
		{
			name: "every package field",
			toml: `[package]
name = "demo"
version = "1.0.0"
authors = ["A <a@example.com>"]
description = "d"
documentation = "https://docs.rs/demo"
homepage = "https://example.com"
readme = "docs/README.md"
keywords = ["k1", "k2"]
categories = ["c"]
license = "MIT OR Apache-2.0"
license-file = "LICENSE"
repository = "https://github.com/o/demo"
links = "z"
rust-version = "1.70"

[badges.maintenance]
status = "actively-developed"
ignored = 3

[features]
default = ["std"]
std = []
serde = ["dep:serde"]
`,
			check: func(t *testing.T, nc *NewCrate) {
				b, _ := json.Marshal(nc)
				for _, want := range []string{
					`"authors":["A \u003ca@example.com\u003e"]`, `"description":"d"`, `"documentation":"https://docs.rs/demo"`,
					`"homepage":"https://example.com"`, `"readme":null`, `"readme_file":"docs/README.md"`, `"keywords":["k1","k2"]`,
					`"categories":["c"]`, `"license":"MIT OR Apache-2.0"`, `"license_file":"LICENSE"`, `"repository":"https://github.com/o/demo"`,
					`"links":"z"`, `"rust_version":"1.70"`, `"badges":{"maintenance":{"status":"actively-developed"}}`,
					`"features":{"default":["std"],"serde":["dep:serde"],"std":[]}`,
				} {
					if !strings.Contains(string(b), want) {
						t.Errorf("%s lacks %s", b, want)
					}
				}
			},
		},
		{
			name: "dependencies of every kind",
			toml: pkg + `
[dependencies]
plain = "1.0"
serde = { version = "1", features = ["derive"], optional = true, default-features = false }
renamed = { package = "real-name", version = "0.3" }
other = { version = "2", registry-index = "https://other.example/index" }

[dev-dependencies]
tester = "0.1"

[build-dependencies.cc]
version = "1.0"

[target.'cfg(unix)'.dependencies]
libc = "0.2"
`,
			check: func(t *testing.T, nc *NewCrate) {
				byName := map[string]NewCrateDependency{}
				for _, d := range nc.Deps {
					byName[d.Name] = d
				}
				if len(nc.Deps) != 7 {
					t.Fatalf("%d deps: %+v", len(nc.Deps), nc.Deps)
				}
				if d := byName["plain"]; d.VersionReq != "1.0" || d.Kind != "normal" || !d.DefaultFeatures || d.Optional || d.Target != nil || d.Features == nil {
					t.Errorf("plain = %+v", d)
				}
				if d := byName["serde"]; d.VersionReq != "1" || !d.Optional || d.DefaultFeatures || len(d.Features) != 1 || d.Features[0] != "derive" {
					t.Errorf("serde = %+v", d)
				}
				if d := byName["real-name"]; deref(d.ExplicitNameInToml) != "renamed" || d.VersionReq != "0.3" {
					t.Errorf("renamed = %+v", d)
				}
				if d := byName["other"]; deref(d.Registry) != "https://other.example/index" {
					t.Errorf("other = %+v", d)
				}
				if d := byName["tester"]; d.Kind != "dev" {
					t.Errorf("tester = %+v", d)
				}
				if d := byName["cc"]; d.Kind != "build" || d.VersionReq != "1.0" {
					t.Errorf("cc = %+v", d)
				}
				if d := byName["libc"]; deref(d.Target) != "cfg(unix)" || d.Kind != "normal" {
					t.Errorf("libc = %+v", d)
				}
				b, _ := json.Marshal(byName["plain"])
				if string(b) != `{"optional":false,"default_features":true,"name":"plain","features":[],"version_req":"1.0","target":null,"kind":"normal"}` {
					t.Errorf("plain dependency JSON = %s", b)
				}
			},
		},
		{
			name:  "readme = true is README.md",
			toml:  pkg + "readme = true\n",
			check: func(t *testing.T, nc *NewCrate) { expectReadme(t, nc, "README.md") },
		},
		{
			name:  "readme = false is none",
			toml:  pkg + "readme = false\n",
			check: func(t *testing.T, nc *NewCrate) { expectReadme(t, nc, "") },
		},
		{name: "legacy [project]", toml: "[project]\nname = \"demo\"\nversion = \"1.0.0\"\n", check: func(t *testing.T, nc *NewCrate) {}},
		{name: "no package", toml: "[lib]\nname = \"x\"\n", wantErr: "no [package]"},
		{name: "no version", toml: "[package]\nname = \"demo\"\n", wantErr: "name and a version"},
		{name: "workspace-inherited version", toml: "[package]\nname = \"demo\"\nversion.workspace = true\n", wantErr: "parsing Cargo.toml"},
		{name: "not TOML", toml: "[package\n", wantErr: "parsing Cargo.toml"},
		{name: "readme of the wrong type", toml: pkg + "readme = 3\n", wantErr: "readme must be"},
		{name: "dependency of the wrong type", toml: pkg + "[dependencies]\nx = 3\n", wantErr: "neither a version string"},
		{name: "dependency field of the wrong type", toml: pkg + "[dependencies]\nx = { optional = \"yes\" }\n", wantErr: "optional has the wrong type"},
		{name: "dependency features of the wrong type", toml: pkg + "[dependencies]\nx = { features = [1] }\n", wantErr: "features has the wrong type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nc, err := ParseCargoToml([]byte(tt.toml))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to mention %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, nc)
		})
	}
}

func expectReadme(t *testing.T, nc *NewCrate, want string) {
	t.Helper()
	if deref(nc.ReadmeFile) != want {
		t.Errorf("readme_file = %v, want %q", nc.ReadmeFile, want)
	}
}

// opener counts how often a crate is read.
type opener struct {
	data  []byte
	opens int
}

func (o *opener) open() (io.ReadCloser, error) {
	o.opens++
	return io.NopCloser(bytes.NewReader(o.data)), nil
}

func TestReadCrateFrom(t *testing.T) {
	toml := []byte("[package]\nname = \"demo\"\nversion = \"1.0.0\"\nreadme = \"README.md\"\n")
	noReadme := []byte("[package]\nname = \"demo\"\nversion = \"1.0.0\"\n")
	tests := []struct {
		name      string
		members   []member
		wantOpens int
		readme    string
		wantErr   string
	}{
		{
			name:      "README after Cargo.toml: one pass",
			members:   []member{{"demo-1.0.0/Cargo.toml", toml}, {"demo-1.0.0/README.md", []byte("# Demo\n")}},
			wantOpens: 1, readme: "# Demo\n",
		},
		{
			name:      "README before Cargo.toml: a second pass",
			members:   []member{{"demo-1.0.0/README.md", []byte("# Demo\n")}, {"demo-1.0.0/Cargo.toml", toml}},
			wantOpens: 2, readme: "# Demo\n",
		},
		{
			name:      "no readme named",
			members:   []member{{"demo-1.0.0/Cargo.toml", noReadme}, {"demo-1.0.0/README.md", []byte("x")}},
			wantOpens: 1,
		},
		{
			name:    "named README missing",
			members: []member{{"demo-1.0.0/Cargo.toml", toml}},
			wantErr: "has no demo-1.0.0/README.md",
		},
		{
			name:    "README not UTF-8",
			members: []member{{"demo-1.0.0/Cargo.toml", toml}, {"demo-1.0.0/README.md", []byte("\xff")}},
			wantErr: "not valid UTF-8",
		},
		{
			name:    "README outside the crate",
			members: []member{{"demo-1.0.0/Cargo.toml", []byte("[package]\nname = \"demo\"\nversion = \"1.0.0\"\nreadme = \"../README.md\"\n")}},
			wantErr: "points outside",
		},
		{
			name:    "directory is not name-version",
			members: []member{{"demo/Cargo.toml", noReadme}},
			wantErr: "must be under demo-1.0.0/",
		},
		{
			name:    "no Cargo.toml",
			members: []member{{"demo-1.0.0/src/lib.rs", nil}},
			wantErr: "no {name}-{version}/Cargo.toml",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := &opener{data: tarGz(t, tt.members...)}
			c, err := ReadCrateFrom(o.open)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to mention %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if o.opens != tt.wantOpens {
				t.Errorf("opened %d times, want %d", o.opens, tt.wantOpens)
			}
			if deref(c.NewCrate.Readme) != tt.readme {
				t.Errorf("readme = %q, want %q", deref(c.NewCrate.Readme), tt.readme)
			}
		})
	}
	t.Run("README too large", func(t *testing.T) {
		o := &opener{data: tarGz(t, member{"demo-1.0.0/Cargo.toml", toml}, member{"demo-1.0.0/README.md", make([]byte, MaxReadmeSize+1)})}
		if _, err := ReadCrateFrom(o.open); !errors.Is(err, ErrTooLarge) {
			t.Fatalf("err = %v, want ErrTooLarge", err)
		}
	})
}

func TestReadNpmFrom(t *testing.T) {
	tests := []struct {
		name    string
		members []member
		want    string
		wantErr string
	}{
		{name: "package/", members: []member{{"package/index.js", nil}, {"package/package.json", []byte(`{"name":"@o/demo","version":"1.0.0"}`)}}, want: "@o/demo@1.0.0"},
		{name: "another top directory, as npm strips the first component", members: []member{{"demo/package.json", []byte(`{"name":"demo","version":"2.0.0"}`)}}, want: "demo@2.0.0"},
		{name: "nested package.json only", members: []member{{"package/node_modules/x/package.json", []byte(`{"name":"x","version":"1"}`)}}, wantErr: "no package/package.json"},
		{name: "not an object", members: []member{{"package/package.json", []byte(`[1]`)}}, wantErr: "not a JSON object"},
		{name: "null", members: []member{{"package/package.json", []byte(`null`)}}, wantErr: "not a JSON object"},
		{name: "trailing data", members: []member{{"package/package.json", []byte(`{"name":"a","version":"1"} {}`)}}, wantErr: "after its JSON object"},
		{name: "version not a string", members: []member{{"package/package.json", []byte(`{"name":"a","version":1}`)}}, wantErr: `"version" is not`},
		{name: "no name", members: []member{{"package/package.json", []byte(`{"version":"1"}`)}}, wantErr: `no "name"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ReadNpmFrom(bytes.NewReader(tarGz(t, tt.members...)))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to mention %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Name + "@" + p.Version; got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}
