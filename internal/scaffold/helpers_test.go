package scaffold

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/releaserhq/releaser/internal/testenv"
)

// withRemote makes Detect see url as the origin remote, so results do not
// depend on the checkout the tests run in.
func withRemote(t *testing.T, url string) {
	t.Helper()
	saved := originURL
	originURL = func(string) string { return url }
	t.Cleanup(func() { originURL = saved })
}

// sample is the path of a sample project.
func sample(name string) string {
	return filepath.Join("testdata", "projects", filepath.FromSlash(name))
}

// copyTree copies a sample into a fresh directory, so tests can write into it.
func copyTree(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	testenv.CopyTree(t, src, dst)
	return dst
}

// writeTree makes a directory holding files (slash paths → contents).
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
