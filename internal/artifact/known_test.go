//go:build linux

package artifact

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// settled makes files written by the test count as older than the racy
// window, as a build's output is by the time a later stage verifies it.
func settled(t *testing.T) {
	t.Helper()
	old := now
	now = func() time.Time { return time.Now().Add(time.Minute) }
	t.Cleanup(func() { now = old; known.Clear() })
}

func manifestOf(t *testing.T, dir string, names ...string) *Manifest {
	t.Helper()
	var files []File
	for _, n := range names {
		files = append(files, File{Name: n, Path: filepath.Join(dir, n)})
	}
	arts, err := HashAll(context.Background(), files, dir, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	return New(Release{Name: "demo", Version: "1.0.0"}, arts)
}

func TestVerifyTrustsOnlyAnUnchangedFile(t *testing.T) {
	write := func(t *testing.T, dir, name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name    string
		change  func(t *testing.T, dir, path string)
		changed bool
	}{
		{"unchanged", func(*testing.T, string, string) {}, false},
		{"same size written in place, mtime restored", func(t *testing.T, dir, path string) {
			fi, _ := os.Stat(path)
			write(t, dir, "a.whl", "AAAAAAAA")
			if err := os.Chtimes(path, fi.ModTime(), fi.ModTime()); err != nil {
				t.Fatal(err)
			}
		}, true},
		{"another file renamed over it", func(t *testing.T, dir, path string) {
			other := write(t, dir, "other", "bbbbbbbb")
			if err := os.Rename(other, path); err != nil {
				t.Fatal(err)
			}
		}, true},
		{"changed and changed back", func(t *testing.T, dir, path string) {
			write(t, dir, "a.whl", "xxxxxxxx")
			write(t, dir, "a.whl", "aaaaaaaa")
		}, false}, // content is the same again: re-read, and it matches
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			settled(t)
			dir := t.TempDir()
			path := write(t, dir, "a.whl", "aaaaaaaa")
			m := manifestOf(t, dir, "a.whl")
			if _, _, ok := recall(path); !ok {
				t.Fatal("a settled file's digests were not remembered")
			}
			tc.change(t, dir, path)
			err := m.Verify(context.Background(), dir, 0, nil)
			if got := errors.Is(err, ErrChanged); got != tc.changed {
				t.Fatalf("Verify = %v, want changed=%v", err, tc.changed)
			}
			if _, _, remembered := recall(path); tc.name == "unchanged" && !remembered {
				t.Error("the unchanged file was forgotten")
			}
			// What is remembered now is the file as it is: a changed file
			// keeps failing.
			if err := m.Verify(context.Background(), dir, 0, nil); errors.Is(err, ErrChanged) != tc.changed {
				t.Errorf("second Verify = %v, want changed=%v", err, tc.changed)
			}
		})
	}
}

// TestRacyFileIsNotRemembered: a file changed just before it was hashed may
// be changed again within the same timestamp tick, so it is read every time.
func TestRacyFileIsNotRemembered(t *testing.T) {
	t.Cleanup(func() { known.Clear() })
	dir := t.TempDir()
	path := filepath.Join(dir, "a.whl")
	if err := os.WriteFile(path, []byte("fresh"), 0o644); err != nil {
		t.Fatal(err)
	}
	old := now
	now = func() time.Time { return time.Now().Add(-time.Minute) } // the file is "newer" than the hash
	defer func() { now = old }()
	if _, _, err := Hash(context.Background(), path, nil); err != nil {
		t.Fatal(err)
	}
	if _, _, ok := recall(path); ok {
		t.Fatal("a file changed within the racy window was remembered")
	}
}

// TestVerifyCountsProgressForRememberedFiles: the progress a caller shows
// adds up to the bytes verified either way.
func TestVerifyCountsProgressForRememberedFiles(t *testing.T) {
	settled(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.whl"), make([]byte, 3000), 0o644); err != nil {
		t.Fatal(err)
	}
	m := manifestOf(t, dir, "a.whl")
	var total int64
	if err := m.Verify(context.Background(), dir, 0, func(n int64) { total += n }); err != nil {
		t.Fatal(err)
	}
	if total != 3000 {
		t.Errorf("progress %d, want 3000", total)
	}
}
