package artifact

import (
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
)

func TestCollect(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(t *testing.T, out, outside string)
		globs   []string
		want    []string // Rel of each result, in order
		wantErr []string // substrings of the error; nil means success
	}{
		{
			name: "sorted by name across subdirectories",
			setup: func(t *testing.T, out, _ string) {
				writeFile(t, out, "wheels/b-1.0-py3-none-any.whl", "b")
				writeFile(t, out, "sdist/a-1.0.tar.gz", "a")
				writeFile(t, out, "wheels/notes.txt", "ignored")
			},
			globs: []string{"wheels/*.whl", "sdist/*.tar.gz"},
			want:  []string{"sdist/a-1.0.tar.gz", "wheels/b-1.0-py3-none-any.whl"},
		},
		{
			name:  "same file via two globs counted once",
			setup: func(t *testing.T, out, _ string) { writeFile(t, out, "a.gem", "a") },
			globs: []string{"*.gem", "a.*"},
			want:  []string{"a.gem"},
		},
		{
			name:    "no globs",
			setup:   func(*testing.T, string, string) {},
			wantErr: []string{"[build].artifacts"},
		},
		{
			name:    "empty match",
			setup:   func(t *testing.T, out, _ string) { writeFile(t, out, "a.whl", "a") },
			globs:   []string{"*.whl", "*.gem"},
			wantErr: []string{`artifact glob "*.gem" matched nothing in `, "[build].artifacts"},
		},
		{
			name:    "absolute glob",
			setup:   func(t *testing.T, out, _ string) { writeFile(t, out, "a.whl", "a") },
			globs:   []string{"/etc/*"},
			wantErr: []string{`"/etc/*" is absolute`},
		},
		{
			name:    "dot-dot glob",
			setup:   func(t *testing.T, _, outside string) { writeFile(t, outside, "secret.txt", "s") },
			globs:   []string{"../*/secret.txt"},
			wantErr: []string{`"../*/secret.txt" contains ".."`},
		},
		{
			name:    "dot-dot in the middle",
			setup:   func(t *testing.T, out, _ string) { writeFile(t, out, "a/b.whl", "a") },
			globs:   []string{"a/../a/b.whl"},
			wantErr: []string{`contains ".."`},
		},
		{
			name:    "leading dot slash",
			setup:   func(t *testing.T, out, _ string) { writeFile(t, out, "a.whl", "a") },
			globs:   []string{"./a.whl"},
			wantErr: []string{`"./a.whl" is not a clean relative path`},
		},
		{
			name:    "empty glob",
			setup:   func(*testing.T, string, string) {},
			globs:   []string{""},
			wantErr: []string{"artifact glob is empty"},
		},
		{
			name:    "bad pattern",
			setup:   func(t *testing.T, out, _ string) { writeFile(t, out, "a.whl", "a") },
			globs:   []string{"[.whl"},
			wantErr: []string{`artifact glob "[.whl"`, "syntax"},
		},
		{
			name: "symlinked file",
			setup: func(t *testing.T, out, outside string) {
				target := writeFile(t, outside, "secret.whl", "s")
				symlink(t, target, filepath.Join(out, "evil.whl"))
			},
			globs:   []string{"*.whl"},
			wantErr: []string{`matched "evil.whl", which is a symlink`, "outside the build output"},
		},
		{
			name: "symlink inside the output is refused too",
			setup: func(t *testing.T, out, _ string) {
				writeFile(t, out, "real/a.whl", "a")
				symlink(t, "real/a.whl", filepath.Join(out, "b.whl"))
			},
			globs:   []string{"b.whl"},
			wantErr: []string{"is a symlink"},
		},
		{
			name: "symlinked directory",
			setup: func(t *testing.T, out, outside string) {
				writeFile(t, outside, "dir/x.whl", "x")
				symlink(t, filepath.Join(outside, "dir"), filepath.Join(out, "wheels"))
			},
			globs:   []string{"wheels/*.whl"},
			wantErr: []string{`matched "wheels/x.whl" through the symlinked directory "wheels"`},
		},
		{
			name: "symlinked directory via wildcard directory",
			setup: func(t *testing.T, out, outside string) {
				writeFile(t, out, "a/ok.whl", "x")
				writeFile(t, outside, "dir/x.whl", "x")
				symlink(t, filepath.Join(outside, "dir"), filepath.Join(out, "b"))
			},
			globs:   []string{"*/*.whl"},
			wantErr: []string{`through the symlinked directory "b"`},
		},
		{
			name:    "directory match",
			setup:   func(t *testing.T, out, _ string) { writeFile(t, out, "pkg.whl/inner", "x") },
			globs:   []string{"*.whl"},
			wantErr: []string{`matched "pkg.whl", which is a directory, not a regular file`},
		},
		{
			name: "fifo match",
			setup: func(t *testing.T, out, _ string) {
				if err := syscall.Mkfifo(filepath.Join(out, "pipe.whl"), 0o644); err != nil {
					t.Skip("mkfifo:", err)
				}
			},
			globs:   []string{"*.whl"},
			wantErr: []string{"which is a named pipe, not a regular file"},
		},
		{
			name: "duplicate base name in two subdirectories",
			setup: func(t *testing.T, out, _ string) {
				writeFile(t, out, "linux/tool.zip", "l")
				writeFile(t, out, "mac/tool.zip", "m")
			},
			globs:   []string{"linux/*.zip", "mac/*.zip"},
			wantErr: []string{`two artifacts are named "tool.zip"`, `"linux/tool.zip"`, `"mac/tool.zip"`},
		},
		{
			name:    "control character in name",
			setup:   func(t *testing.T, out, _ string) { writeFile(t, out, "a\n::error::x.whl", "a") },
			globs:   []string{"*.whl"},
			wantErr: []string{"control character", "rename the file"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, outside := t.TempDir(), t.TempDir()
			tt.setup(t, out, outside)
			files, err := Collect(out, tt.globs)
			if tt.wantErr != nil {
				wantErr(t, err, tt.wantErr...)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var rels []string
			for _, f := range files {
				rels = append(rels, f.Rel)
				if f.Name != filepath.Base(f.Path) || !filepath.IsAbs(f.Path) {
					t.Errorf("file %+v: Name must be the base of an absolute Path", f)
				}
				if got, err := os.ReadFile(f.Path); err != nil || len(got) == 0 {
					t.Errorf("file %+v: Path not readable: %v", f, err)
				}
			}
			if !slices.Equal(rels, tt.want) {
				t.Errorf("Collect = %q, want %q", rels, tt.want)
			}
		})
	}
}

func TestCollectOutputDir(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "dist")
	_, err := Collect(missing, []string{"*"})
	wantErr(t, err, missing, "does not exist")

	file := writeFile(t, dir, "file", "x")
	_, err = Collect(file, []string{"*"})
	wantErr(t, err, "is not a directory")
}

// The output directory itself may be a symlink: the user named it.
func TestCollectOutputDirSymlink(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "real/a.whl", "a")
	symlink(t, filepath.Join(dir, "real"), filepath.Join(dir, "dist"))
	files, err := Collect(filepath.Join(dir, "dist"), []string{"*.whl"})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 || files[0].Path != filepath.Join(dir, "real", "a.whl") {
		t.Errorf("Collect = %+v, want the file under its real path", files)
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}
