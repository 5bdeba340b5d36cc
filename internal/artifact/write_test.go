package artifact

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestWriteFileRoundTrip(t *testing.T) {
	m := validManifest()
	slices.Reverse(m.Artifacts) // unsorted on purpose
	before := slices.Clone(m.Artifacts)
	p := filepath.Join(t.TempDir(), "manifest.json")
	if err := os.WriteFile(p, []byte("old content"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := m.WriteFile(p); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(m.Artifacts, before) {
		t.Error("WriteFile modified the manifest it wrote")
	}
	got, err := ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	want := validManifest() // sorted order
	if !reflect.DeepEqual(got, want) {
		t.Errorf("read back %+v, want %+v", got, want)
	}
	raw, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	text := string(raw)
	if !strings.HasPrefix(text, "{\n  \"version\": 1,\n  \"release\": {\n    \"name\"") || !strings.HasSuffix(text, "}\n") {
		t.Errorf("not 2-space indented with a trailing newline:\n%s", text)
	}
	if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("mode = %v, %v; want 0644", fi.Mode(), err)
	}
	assertOnly(t, filepath.Dir(p), "manifest.json")
}

func TestWriteFileFailureLeavesNothing(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string) (path string, m *Manifest)
		want  string
		files []string // what the directory must hold afterwards
	}{
		{
			name: "target directory missing",
			setup: func(t *testing.T, dir string) (string, *Manifest) {
				return filepath.Join(dir, "missing", "manifest.json"), validManifest()
			},
			want: "no such file or directory",
		},
		{
			name: "rename fails: target is a directory",
			setup: func(t *testing.T, dir string) (string, *Manifest) {
				writeFile(t, dir, "manifest.json/keep", "x")
				return filepath.Join(dir, "manifest.json"), validManifest()
			},
			want:  "manifest.json",
			files: []string{"manifest.json"},
		},
		{
			name: "invalid manifest",
			setup: func(t *testing.T, dir string) (string, *Manifest) {
				m := validManifest()
				m.Artifacts[0].Path = "../escape.whl"
				return filepath.Join(dir, "manifest.json"), m
			},
			want: `contains ".."`,
		},
		{
			name: "zero version",
			setup: func(t *testing.T, dir string) (string, *Manifest) {
				return filepath.Join(dir, "manifest.json"), &Manifest{Release: Release{Name: "n", Version: "1"}}
			},
			want: "version 0 is not supported",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			p, m := tt.setup(t, dir)
			wantErr(t, m.WriteFile(p), "write manifest "+p, tt.want)
			assertOnly(t, dir, tt.files...)
		})
	}
}

// assertOnly fails unless dir holds exactly the named entries (no temp files).
func assertOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if !slices.Equal(got, names) {
		t.Errorf("%s holds %q, want %q", dir, got, names)
	}
}
