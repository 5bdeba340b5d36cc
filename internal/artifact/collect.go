package artifact

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// File is a discovered, not yet hashed, build output.
type File struct {
	Name string // base name (unique within a release)
	Path string // absolute path on disk, with symlinks in outputDir resolved
	Rel  string // slash-separated path relative to the output dir
}

// Collect finds every file in outputDir matched by globs (fs.Glob syntax,
// relative to outputDir, subdirectories allowed like "wheels/*.whl").
//
// It refuses anything it could not safely publish: globs that are absolute
// or climb with "..", globs that match nothing, symlinks (or files reached
// through a symlinked directory, since either can point outside the build
// output), non-regular files, and two files sharing a base name (the name
// is the release asset's identity). A file matched by several globs is
// returned once. The result is sorted by Name.
func Collect(outputDir string, globs []string) ([]File, error) {
	if len(globs) == 0 {
		return nil, errors.New("no artifact globs given: list the build outputs to release in [build].artifacts")
	}
	root, err := outputRoot(outputDir)
	if err != nil {
		return nil, err
	}
	fsys := os.DirFS(root)
	var files []File
	byRel := map[string]bool{}
	byName := map[string]string{}
	for _, glob := range globs {
		if err := checkGlob(glob, outputDir); err != nil {
			return nil, err
		}
		matches, err := fs.Glob(fsys, glob)
		if err != nil {
			return nil, fmt.Errorf("artifact glob %q: %w (see the syntax of Go's path.Match)", glob, err)
		}
		if len(matches) == 0 {
			return nil, fmt.Errorf("artifact glob %q matched nothing in %s (check [build].artifacts in release.toml and that the build wrote its outputs there)", glob, root)
		}
		for _, rel := range matches {
			if byRel[rel] {
				continue
			}
			f, err := checkMatch(root, glob, rel)
			if err != nil {
				return nil, err
			}
			if other, dup := byName[f.Name]; dup {
				return nil, fmt.Errorf("two artifacts are named %q: %q and %q in %s; release asset names must be unique, so rename one or narrow [build].artifacts", f.Name, other, rel, root)
			}
			byRel[rel] = true
			byName[f.Name] = rel
			files = append(files, f)
		}
	}
	slices.SortFunc(files, func(a, b File) int { return strings.Compare(a.Name, b.Name) })
	return files, nil
}

// outputRoot returns outputDir as an absolute path with symlinks resolved.
// The output directory itself may be a symlink (the user chose it); only
// what lies below it is held to the no-symlink rule.
func outputRoot(outputDir string) (string, error) {
	abs, err := filepath.Abs(outputDir)
	if err != nil {
		return "", fmt.Errorf("build output directory %q: %w", outputDir, err)
	}
	fi, err := os.Stat(abs)
	if errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("build output directory %s does not exist: run the build first, or fix the output directory in release.toml", abs)
	}
	if err != nil {
		return "", fmt.Errorf("build output directory: %w", err)
	}
	if !fi.IsDir() {
		return "", fmt.Errorf("build output directory %s is not a directory", abs)
	}
	root, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return "", fmt.Errorf("build output directory: %w", err)
	}
	return root, nil
}

func checkGlob(glob, outputDir string) error {
	switch {
	case glob == "":
		return errors.New("artifact glob is empty: remove the empty entry from [build].artifacts")
	case filepath.IsAbs(glob) || strings.HasPrefix(glob, "/"):
		return fmt.Errorf("artifact glob %q is absolute: globs are relative to the build output directory %s, write e.g. \"dist/*.whl\"", glob, outputDir)
	case hasDotDot(glob):
		return fmt.Errorf("artifact glob %q contains \"..\": globs cannot reach outside the build output directory %s", glob, outputDir)
	case !fs.ValidPath(glob) || glob == ".":
		return fmt.Errorf("artifact glob %q is not a clean relative path (no leading \"./\", trailing \"/\" or empty elements): write it like \"wheels/*.whl\"", glob)
	}
	return nil
}

// checkMatch applies the per-file rules of Collect to one glob match.
func checkMatch(root, glob, rel string) (File, error) {
	cur, fi, link, err := lstatBelow(root, rel)
	if err != nil {
		return File{}, fmt.Errorf("artifact glob %q matched %q: %w", glob, rel, err)
	}
	switch {
	case link == rel:
		return File{}, fmt.Errorf("artifact glob %q matched %q, which is a symlink: refusing it because a symlink can point outside the build output; make the build write a regular file instead", glob, rel)
	case link != "":
		return File{}, fmt.Errorf("artifact glob %q matched %q through the symlinked directory %q: refusing it because a symlink can point outside the build output; make the build write the files into a real directory", glob, rel, link)
	}
	if !fi.Mode().IsRegular() {
		return File{}, fmt.Errorf("artifact glob %q matched %q, which is %s, not a regular file: narrow the glob to the files to release (e.g. \"dir/*.whl\")", glob, rel, describeMode(fi.Mode()))
	}
	// Defence in depth: with no symlinks on the way this cannot escape, but
	// the check is cheap and does not depend on the reasoning above.
	real, err := filepath.EvalSymlinks(cur)
	if err != nil {
		return File{}, fmt.Errorf("artifact glob %q matched %q: %w", glob, rel, err)
	}
	if _, ok := relBelow(root, real); !ok {
		return File{}, fmt.Errorf("artifact glob %q matched %q, which resolves to %q outside the build output %s: refusing it", glob, rel, real, root)
	}
	name := path.Base(rel)
	if err := checkName(name); err != nil {
		return File{}, fmt.Errorf("artifact glob %q matched %q: file name %w: rename the file", glob, rel, err)
	}
	return File{Name: name, Path: cur, Rel: rel}, nil
}

func describeMode(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "a special file (" + m.Type().String() + ")"
}
