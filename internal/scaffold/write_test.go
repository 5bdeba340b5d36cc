package scaffold

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var twoFiles = []File{
	{Path: "release.toml", Content: []byte("new toml\n")},
	{Path: ".github/workflows/release.yml", Content: []byte("new yml\n")},
}

func TestWriteNew(t *testing.T) {
	dir := t.TempDir()
	written, err := Write(dir, twoFiles, false)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(dir, "release.toml"), filepath.Join(dir, ".github", "workflows", "release.yml")}
	if !slices.Equal(written, want) {
		t.Errorf("written = %v, want %v", written, want)
	}
	for i, f := range twoFiles {
		checkFile(t, want[i], string(f.Content))
	}
	checkNoTemp(t, dir)
}

func TestWriteRefusesToOverwrite(t *testing.T) {
	tests := []struct {
		name     string
		existing []string // slash paths made before Write
	}{
		{"one exists", []string{"release.toml"}},
		{"the other exists", []string{".github/workflows/release.yml"}},
		{"both exist", []string{"release.toml", ".github/workflows/release.yml"}},
		{"a symlink counts", []string{"release.toml@"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			var existing []string
			for _, p := range tt.existing {
				link := strings.HasSuffix(p, "@")
				p = strings.TrimSuffix(p, "@")
				full := filepath.Join(dir, filepath.FromSlash(p))
				if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
					t.Fatal(err)
				}
				var err error
				if link {
					err = os.Symlink("nowhere", full)
				} else {
					err = os.WriteFile(full, []byte("mine\n"), 0o644)
				}
				if err != nil {
					t.Fatal(err)
				}
				existing = append(existing, full)
			}
			written, err := Write(dir, twoFiles, false)
			var ee *ExistError
			if !errors.As(err, &ee) || !errors.Is(err, fs.ErrExist) {
				t.Fatalf("Write = %v, %v; want an ExistError", written, err)
			}
			if len(written) != 0 {
				t.Errorf("written = %v, want nothing", written)
			}
			if !slices.Equal(ee.Paths, existing) {
				t.Errorf("ExistError names %v, want %v", ee.Paths, existing)
			}
			for _, p := range existing {
				if !strings.Contains(err.Error(), p) {
					t.Errorf("error %q does not name %s", err, p)
				}
			}
			if !strings.Contains(err.Error(), "--force") {
				t.Errorf("error %q does not mention --force", err)
			}
			// Nothing was written: the existing files are untouched and the
			// missing ones still missing.
			for _, f := range twoFiles {
				full := filepath.Join(dir, filepath.FromSlash(f.Path))
				if slices.Contains(existing, full) {
					if st, err := os.Lstat(full); err == nil && st.Mode().IsRegular() {
						checkFile(t, full, "mine\n")
					}
				} else if _, err := os.Lstat(full); !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("%s was written (%v)", f.Path, err)
				}
			}
			checkNoTemp(t, dir)

			written, err = Write(dir, twoFiles, true)
			if err != nil || len(written) != 2 {
				t.Fatalf("Write with force = %v, %v", written, err)
			}
			for i, f := range twoFiles {
				checkFile(t, written[i], string(f.Content))
			}
			checkNoTemp(t, dir)
		})
	}
}

func TestWriteRefusesBadPaths(t *testing.T) {
	for _, p := range []string{"", "../release.toml", "a/../../b", "/etc/release.toml", "./release.toml", "a//b", `a\b`} {
		dir := t.TempDir()
		if _, err := Write(dir, []File{{Path: p, Content: []byte("x")}}, true); err == nil {
			t.Errorf("Write(%q) succeeded", p)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Errorf("Write(%q) left %v", p, entries)
		}
	}
	if _, err := Write(t.TempDir(), []File{twoFiles[0], twoFiles[0]}, true); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("Write of a path twice = %v", err)
	}
}

// Not even --force turns a directory into a file.
func TestWriteRefusesDirectory(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "release.toml"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := Write(dir, twoFiles, true); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("Write over a directory = %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, ".github")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf(".github was created: %v", err)
	}
}

func checkFile(t *testing.T, path, want string) {
	t.Helper()
	st, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	if !st.Mode().IsRegular() || st.Mode().Perm() != 0o644 && want != "mine\n" {
		t.Errorf("%s: mode %v, want a regular 0644 file", path, st.Mode())
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("%s = %q, want %q", path, got, want)
	}
}

func checkNoTemp(t *testing.T, dir string) {
	t.Helper()
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.Contains(d.Name(), ".tmp-") {
			t.Errorf("temporary file left: %s", p)
		}
		return nil
	})
}
