package testenv

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// pkginfoShim teaches an old pkginfo (Debian bookworm ships twine 4.0.2 with pkginfo
// 1.8.2, which knows Metadata-Version up to 2.2) to read the newer versions the sample
// artifacts declare, by giving them 2.2's field list. Only twine's local reading of the
// files changes: what it sends, and everything the emulator does, is untouched. Newer
// pkginfo releases already know these versions and are left alone.
const pkginfoShim = `try:
    from pkginfo import distribution as _d
    _base = _d.HEADER_ATTRS.get("2.2") or _d.HEADER_ATTRS.get("2.1")
    for _v in ("2.3", "2.4", "2.5"):
        if _base is not None and _v not in _d.HEADER_ATTRS:
            _d.HEADER_ATTRS[_v] = _base
except Exception:
    pass
`

// Twine returns the path of twine, or skips (fails under RELEASER_REQUIRE_TOOLS=1).
func Twine(t testing.TB) string {
	t.Helper()
	path, err := exec.LookPath("twine")
	if err != nil {
		missingTool(t, "twine is not on PATH", "scripts/test-deps installs it (Debian package twine)")
	}
	return path
}

// RunTwine runs `twine upload` of files to a PyPI emulator at url with token, and
// returns its combined output.
func RunTwine(t testing.TB, twine, url, token string, extra []string, files ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	args := append([]string{"upload", "--repository-url", url + "/legacy/", "-u", "__token__", "-p", token,
		"--non-interactive", "--disable-progress-bar"}, extra...)
	cmd := exec.CommandContext(ctx, twine, append(args, files...)...)
	cmd.Env = append(os.Environ(), TwineEnv(t)...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TwineEnv is the environment twine needs here, beyond the caller's: the
// pkginfo shim, a private HOME and no keyring.
func TwineEnv(t testing.TB) []string {
	t.Helper()
	shim := t.TempDir()
	if err := os.WriteFile(filepath.Join(shim, "sitecustomize.py"), []byte(pkginfoShim), 0o644); err != nil {
		t.Fatal(err)
	}
	return []string{"PYTHONPATH=" + shim, "HOME=" + t.TempDir(), "PYTHON_KEYRING_BACKEND=keyring.backends.null.Keyring", "NO_COLOR=1"}
}

// SigstoreJS returns node and testdata/sigstore-js (verify.js, produce.js), or
// skips (fails under RELEASER_REQUIRE_TOOLS=1) when node or the installed
// packages are missing.
func SigstoreJS(t testing.TB) (node, dir string) {
	t.Helper()
	const hint = "run scripts/test-deps (npm ci --prefix testdata/sigstore-js)"
	node, err := exec.LookPath("node")
	if err != nil {
		missingTool(t, "node is not installed", hint)
	}
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir = filepath.Join(root, "testdata", "sigstore-js")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "sigstore", "package.json")); err != nil {
		missingTool(t, "sigstore-js is not installed", hint)
	}
	return node, dir
}
