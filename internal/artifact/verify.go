package artifact

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
)

// ErrChanged marks a Verify failure where the file on disk no longer
// matches the manifest (test with errors.Is).
var ErrChanged = errors.New("changed after it was built")

// Verify re-hashes every artifact (paths relative to baseDir) and compares
// the size and all three digests with the manifest. The first mismatch,
// missing file, symlink or non-regular file is returned as an error naming
// the file; a mismatch wraps ErrChanged and lists expected and actual
// values. It runs like HashAll: at most workers files at once (<= 0 means
// GOMAXPROCS), stopping at the first error; progress must be safe for
// concurrent use.
func (m *Manifest) Verify(ctx context.Context, baseDir string, workers int, progress func(n int64)) error {
	if err := validate(m); err != nil {
		return fmt.Errorf("verify manifest: %w", err)
	}
	return forEach(ctx, len(m.Artifacts), workers, func(ctx context.Context, i int) error {
		return verifyOne(ctx, m.Artifacts[i], baseDir, progress)
	})
}

func verifyOne(ctx context.Context, want Artifact, baseDir string, progress func(int64)) error {
	full := filepath.Join(baseDir, filepath.FromSlash(want.Path))
	_, fi, link, err := lstatBelow(baseDir, want.Path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("artifact %q: %s is missing: it is in the manifest but not on disk; put the build output below %s as it was when the manifest was written: %w", want.Name, full, baseDir, err)
	case err != nil:
		return fmt.Errorf("artifact %q: %w", want.Name, err)
	case link != "":
		return fmt.Errorf("artifact %q: %s is reached through the symlink %s: refusing it because a symlink can point anywhere; keep artifacts as regular files", want.Name, full, link)
	case !fi.Mode().IsRegular():
		return fmt.Errorf("artifact %q: %s is %s, not a regular file", want.Name, full, describeMode(fi.Mode()))
	}
	// A file this process hashed and nobody changed since is not read again
	// (see known.go).
	d, n, ok := recall(full)
	if ok && progress != nil {
		progress(n)
	}
	if !ok {
		if d, n, err = Hash(ctx, full, progress); err != nil {
			return fmt.Errorf("artifact %q: %w", want.Name, err)
		}
	}
	got := want
	got.Size, got.Digests = n, d
	if diffs := contentDiffs(got, want); len(diffs) > 0 {
		parts := make([]string, len(diffs))
		for i, df := range diffs {
			parts[i] = fmt.Sprintf("%s is %s, the manifest says %s", df.field, df.a, df.b)
		}
		return fmt.Errorf("artifact %q (%s) %w: %s; do not publish it: rebuild, or find what modified it", want.Name, full, ErrChanged, strings.Join(parts, "; "))
	}
	return nil
}

type fieldDiff struct{ field, a, b string }

// contentDiffs lists the fields in which a and b record different content.
func contentDiffs(a, b Artifact) []fieldDiff {
	var out []fieldDiff
	add := func(field, x, y string) {
		if x != y {
			out = append(out, fieldDiff{field, x, y})
		}
	}
	add("size", fmt.Sprint(a.Size), fmt.Sprint(b.Size))
	add("kind", string(a.Kind), string(b.Kind))
	add("sha256", a.Digests.SHA256, b.Digests.SHA256)
	add("sha512", a.Digests.SHA512, b.Digests.SHA512)
	add("blake2b_256", a.Digests.BLAKE2b256, b.Digests.BLAKE2b256)
	return out
}
