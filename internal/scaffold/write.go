package scaffold

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// ExistError is Write refusing to overwrite: it names every file already
// there. errors.Is(err, fs.ErrExist) holds.
type ExistError struct {
	Paths []string
}

func (e *ExistError) Error() string {
	verb := "exist"
	if len(e.Paths) == 1 {
		verb = "exists"
	}
	return fmt.Sprintf("%s already %s; nothing was written (--force overwrites)", strings.Join(e.Paths, ", "), verb)
}

func (e *ExistError) Unwrap() error { return fs.ErrExist }

// Write writes files under dir. Without force it first checks every target
// and, if any exists, writes nothing. Each file is written to a temporary
// file in its own directory and renamed into place, so a reader never sees
// half a file. It returns the paths written (dir joined with each File.Path).
func Write(dir string, files []File, force bool) ([]string, error) {
	targets := make([]string, len(files))
	seen := map[string]bool{}
	for i, f := range files {
		if err := checkRelPath(f.Path); err != nil {
			return nil, err
		}
		if seen[f.Path] {
			return nil, fmt.Errorf("write: %s is listed twice", f.Path)
		}
		seen[f.Path] = true
		targets[i] = filepath.Join(dir, filepath.FromSlash(f.Path))
	}
	var existing []string
	for _, t := range targets {
		st, err := os.Lstat(t)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			continue
		case err != nil:
			return nil, fmt.Errorf("write: %w", err)
		case st.IsDir():
			// Not even --force replaces a directory with a file.
			return nil, fmt.Errorf("write: %s is a directory", t)
		}
		existing = append(existing, t)
	}
	if len(existing) > 0 && !force {
		return nil, &ExistError{Paths: existing}
	}
	var written []string
	for i, f := range files {
		if err := writeAtomic(targets[i], f.Content); err != nil {
			return written, err
		}
		written = append(written, targets[i])
	}
	return written, nil
}

func checkRelPath(p string) error {
	if p == "" || path.IsAbs(p) || strings.Contains(p, `\`) || path.Clean(p) != p || p == ".." || strings.HasPrefix(p, "../") || filepath.IsAbs(filepath.FromSlash(p)) {
		return fmt.Errorf("write: %q is not a plain relative slash path", p)
	}
	return nil
}

func writeAtomic(target string, content []byte) error {
	dir := filepath.Dir(target)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write %s: %w", target, err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(target)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", target, err)
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(content); err != nil {
		return fmt.Errorf("write %s: %w", target, err)
	}
	// CreateTemp makes the file 0600; these files are meant to be committed and read.
	if err := tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("write %s: %w", target, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", target, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", target, err)
	}
	if err := os.Rename(tmp.Name(), target); err != nil {
		return fmt.Errorf("write %s: %w", target, err)
	}
	done = true
	return nil
}
