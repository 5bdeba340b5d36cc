package artifact

import (
	"fmt"
	"path/filepath"
	"strings"
)

// relSlash returns target relative to base as a slash-separated path, or an
// error if target is not below base. Both are made absolute first. When the
// lexical answer escapes, it retries with symlinks in the directories
// resolved, because base and target may reach the same place by different
// spellings (e.g. /tmp vs /private/tmp on macOS).
func relSlash(base, target string) (string, error) {
	absBase, err := filepath.Abs(base)
	if err != nil {
		return "", fmt.Errorf("resolve %q: %w", base, err)
	}
	absTarget, err := filepath.Abs(target)
	if err != nil {
		return "", fmt.Errorf("resolve %q: %w", target, err)
	}
	if rel, ok := relBelow(absBase, absTarget); ok {
		return rel, nil
	}
	// Only directories are resolved: the file itself must not be a symlink,
	// and resolving it would hide that.
	realBase, err1 := filepath.EvalSymlinks(absBase)
	realDir, err2 := filepath.EvalSymlinks(filepath.Dir(absTarget))
	if err1 == nil && err2 == nil {
		if rel, ok := relBelow(realBase, filepath.Join(realDir, filepath.Base(absTarget))); ok {
			return rel, nil
		}
	}
	return "", fmt.Errorf("%q is not below %q", absTarget, absBase)
}

func relBelow(base, target string) (string, bool) {
	rel, err := filepath.Rel(base, target)
	if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return "", false
	}
	return filepath.ToSlash(rel), true
}
