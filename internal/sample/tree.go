package sample

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// srcFile is one source file, read into memory: the sample project is tiny, and
// building every artifact from one snapshot means a file edited mid-build cannot
// make two artifacts disagree.
type srcFile struct {
	path string // slash-separated, relative to the tree root
	data []byte
	exec bool
}

// mode is the permission an archive records: only the executable bit of the
// checkout matters, so umask and filesystem quirks cannot change the bytes.
func (f srcFile) mode() int64 {
	if f.exec {
		return 0o755
	}
	return 0o644
}

// tree is an ecosystem directory of the example (python/, npm/, …), sorted by path.
type tree struct {
	root  string // the directory on disk, for error messages
	files []srcFile
}

// file returns the file at the slash-separated path rel, if the tree has it.
func (t tree) file(rel string) (srcFile, bool) {
	i := sort.Search(len(t.files), func(i int) bool { return t.files[i].path >= rel })
	if i < len(t.files) && t.files[i].path == rel {
		return t.files[i], true
	}
	return srcFile{}, false
}

// display names a file of the tree the way a user finds it on disk.
func (t tree) display(rel string) string {
	return filepath.Join(t.root, filepath.FromSlash(rel))
}

// skipped reports whether a directory entry is build debris or VCS state that no
// packaging tool would ship (and that a local `cargo build` or `pip install -e`
// may have left behind).
func skipped(name string, isDir bool) bool {
	if strings.HasPrefix(name, ".") {
		return true
	}
	if isDir {
		switch name {
		case "__pycache__", "node_modules", "target":
			return true
		}
		return false
	}
	return strings.HasSuffix(name, ".pyc")
}

// readTree snapshots every shipped file under root. Symlinks and special files are
// errors rather than followed or skipped: following one could pack a file from
// outside the project into a published artifact.
func readTree(root string) (tree, error) {
	info, err := os.Lstat(root)
	if err != nil {
		return tree{}, fmt.Errorf("read sample sources: %w", err)
	}
	if !info.IsDir() {
		return tree{}, fmt.Errorf("read sample sources: %s is not a directory (mode %s); it must be a real directory, not a symlink", root, info.Mode().Type())
	}
	t := tree{root: root}
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == root {
			return nil
		}
		if skipped(d.Name(), d.IsDir()) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if err := checkPath(rel); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		switch {
		case d.IsDir():
			return nil
		case !d.Type().IsRegular():
			return fmt.Errorf("%s: is a %s; only regular files may be packaged, replace it with a copy of its target", p, typeName(d.Type()))
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		t.files = append(t.files, srcFile{path: rel, data: data, exec: fi.Mode().Perm()&0o111 != 0})
		return nil
	})
	if err != nil {
		return tree{}, fmt.Errorf("read sample sources: %w", err)
	}
	sort.Slice(t.files, func(i, j int) bool { return t.files[i].path < t.files[j].path })
	return t, nil
}

func typeName(m fs.FileMode) string {
	if m&fs.ModeSymlink != 0 {
		return "symlink"
	}
	return "special file (" + m.String() + ")"
}

// checkPath refuses names that archives or the metadata files that list them
// (RECORD is CSV, gem metadata is YAML) could misread.
func checkPath(rel string) error {
	if !utf8.ValidString(rel) {
		return fmt.Errorf("file name is not valid UTF-8; rename it")
	}
	for _, r := range rel {
		if unicode.IsControl(r) || r == '\\' {
			return fmt.Errorf("file name contains %q; rename it", r)
		}
	}
	if path.Clean(rel) != rel || strings.HasPrefix(rel, "../") {
		return fmt.Errorf("file name is not a clean relative path")
	}
	return nil
}
