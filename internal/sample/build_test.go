package sample

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

func TestBuildDeterministic(t *testing.T) {
	a := build(t, exampleDir, testEpoch)
	b := build(t, exampleDir, testEpoch)
	later := build(t, exampleDir, testEpoch+86400)

	var got []string
	for name := range a {
		got = append(got, name)
	}
	sort.Strings(got)
	want := slices.Clone(wantArtifacts)
	sort.Strings(want)
	if !slices.Equal(got, want) {
		t.Fatalf("artifacts = %q, want %q", got, want)
	}
	for name := range a {
		if !bytes.Equal(a[name], b[name]) {
			t.Errorf("%s differs between two builds of the same sources", name)
		}
		if _, ok := later[name]; !ok {
			t.Errorf("%s missing when Epoch changes", name)
		}
	}
	// Epoch reaches the formats without a fixed timestamp of their own...
	for _, name := range []string{wantArtifacts[0], wantArtifacts[1], wantArtifacts[4]} {
		if bytes.Equal(a[name], later[name]) {
			t.Errorf("%s is unchanged by a different Epoch", name)
		}
	}
	// ...and not the ones whose tools always write a constant.
	for _, name := range []string{wantArtifacts[2], wantArtifacts[3]} {
		if !bytes.Equal(a[name], later[name]) {
			t.Errorf("%s changed with Epoch; npm and cargo use fixed timestamps", name)
		}
	}
}

func TestBuildReturnsPathsInOrder(t *testing.T) {
	out := filepath.Join(t.TempDir(), "new", "dir")
	paths, err := Build(Options{SrcDir: exampleDir, OutDir: out, Epoch: testEpoch})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range paths {
		got = append(got, filepath.Base(p))
	}
	if !slices.Equal(got, wantArtifacts) {
		t.Fatalf("paths = %q, want %q", got, wantArtifacts)
	}
	entries, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(wantArtifacts) {
		t.Errorf("OutDir holds %d entries, want only the %d artifacts (no temporary files)", len(entries), len(wantArtifacts))
	}
}

func TestBuildErrors(t *testing.T) {
	tests := []struct {
		name    string
		opts    func(o *Options)
		edit    func(t *testing.T, src string)
		wantErr []string // substrings of the error
	}{
		{
			name:    "pyproject version differs",
			edit:    replaceIn("python/pyproject.toml", `version = "1.2.3"`, `version = "1.2.4"`),
			wantErr: []string{"pyproject.toml", `"1.2.4"`, `"1.2.3"`},
		},
		{
			name:    "package.json version differs",
			edit:    replaceIn("npm/package.json", `"version": "1.2.3"`, `"version": "2.0.0"`),
			wantErr: []string{"package.json", `"2.0.0"`},
		},
		{
			name:    "Cargo.toml version differs",
			edit:    replaceIn("rust/Cargo.toml", `version = "1.2.3"`, `version = "1.2.30"`),
			wantErr: []string{"Cargo.toml", `"1.2.30"`},
		},
		{
			name:    "VERSION bumped alone",
			edit:    writeFile("VERSION", "1.3.0\n"),
			wantErr: []string{"pyproject.toml", `"1.3.0"`},
		},
		{
			name:    "VERSION not plain",
			edit:    writeFile("VERSION", "1.2.3-rc.1\n"),
			wantErr: []string{"VERSION", "MAJOR.MINOR.PATCH"},
		},
		{
			name:    "pyproject version missing",
			edit:    replaceIn("python/pyproject.toml", "version = \"1.2.3\"\n", ""),
			wantErr: []string{"pyproject.toml", "version is missing"},
		},
		{
			name:    "unsupported pyproject key",
			edit:    replaceIn("python/pyproject.toml", "[project.urls]", "dynamic = [\"readme\"]\n\n[project.urls]"),
			wantErr: []string{"pyproject.toml", "project.dynamic"},
		},
		{
			name:    "header injection in description",
			edit:    replaceIn("python/pyproject.toml", `description = "`, `description = "x\nRequires-Dist: evil\n`),
			wantErr: []string{"pyproject.toml", "Summary", "control character"},
		},
		{
			name:    "path in npm name",
			edit:    replaceIn("npm/package.json", `"name": "hello-releaser"`, `"name": "../evil"`),
			wantErr: []string{"package.json", "not a valid package name"},
		},
		{
			name:    "cargo dependencies",
			edit:    appendTo("rust/Cargo.toml", "\n[dependencies]\nserde = \"1\"\n"),
			wantErr: []string{"Cargo.toml", "dependencies"},
		},
		{
			name:    "gem version",
			edit:    appendTo("ruby/gem.toml", "version = \"1.2.3\"\n"),
			wantErr: []string{"gem.toml", "comes from VERSION"},
		},
		{
			name:    "gem.toml missing",
			edit:    remove("ruby/gem.toml"),
			wantErr: []string{"gem.toml", "missing"},
		},
		{
			name: "symlink in sources",
			edit: func(t *testing.T, src string) {
				if err := os.Symlink("/etc/passwd", filepath.Join(src, "npm", "passwd")); err != nil {
					t.Skipf("cannot make a symlink: %v", err)
				}
			},
			wantErr: []string{"passwd", "symlink"},
		},
		{
			name:    "negative epoch",
			opts:    func(o *Options) { o.Epoch = -1 },
			wantErr: []string{"epoch -1", "SOURCE_DATE_EPOCH"},
		},
		{
			name:    "no OutDir",
			opts:    func(o *Options) { o.OutDir = "" },
			wantErr: []string{"OutDir"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := copyExample(t)
			if tt.edit != nil {
				tt.edit(t, src)
			}
			out := filepath.Join(t.TempDir(), "out")
			o := Options{SrcDir: src, OutDir: out, Epoch: testEpoch}
			if tt.opts != nil {
				tt.opts(&o)
			}
			paths, err := Build(o)
			if err == nil {
				t.Fatalf("Build succeeded with %q, want an error", paths)
			}
			for _, s := range tt.wantErr {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
			if _, statErr := os.Stat(out); !os.IsNotExist(statErr) {
				t.Errorf("OutDir was created (stat: %v); a failed check must write nothing", statErr)
			}
		})
	}
}

func TestBuildZeroEpochClampsZip(t *testing.T) {
	got := build(t, exampleDir, 0)
	zr := openWheel(t, got[wantArtifacts[0]])
	if m := zr.File[0].Modified; m.Year() != 1980 {
		t.Errorf("wheel entry time = %v, want 1980 (zip's earliest)", m)
	}
}

func replaceIn(rel, old, new string) func(*testing.T, string) {
	return func(t *testing.T, src string) {
		t.Helper()
		p := filepath.Join(src, filepath.FromSlash(rel))
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(b, []byte(old)) {
			t.Fatalf("%s does not contain %q", rel, old)
		}
		if err := os.WriteFile(p, bytes.Replace(b, []byte(old), []byte(new), 1), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func writeFile(rel, content string) func(*testing.T, string) {
	return func(t *testing.T, src string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(src, filepath.FromSlash(rel)), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func appendTo(rel, content string) func(*testing.T, string) {
	return func(t *testing.T, src string) {
		t.Helper()
		p := filepath.Join(src, filepath.FromSlash(rel))
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, append(b, content...), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func remove(rel string) func(*testing.T, string) {
	return func(t *testing.T, src string) {
		t.Helper()
		if err := os.Remove(filepath.Join(src, filepath.FromSlash(rel))); err != nil {
			t.Fatal(err)
		}
	}
}
