package buildinfo

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// The tests that need releaser's binary share one build, made the way the
// GitHub Action makes it: by running scripts/action-build itself (so its
// flags cannot drift from what is tested) on a copy of the module's sources.
var (
	buildDir  string // removed by TestMain
	firstOnce sync.Once
	first     built
)

type built struct {
	src, bin string
	err      error
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "releaser-buildinfo-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	buildDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// moduleRoot is the checkout this test runs in.
func moduleRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("no go.mod at %s: %v", root, err)
	}
	return root
}

// releaserBinary is the shared build; the test skips under -short (scripts/test
// runs without it) because a cold build cache makes it the slowest thing here.
func releaserBinary(t *testing.T) built {
	t.Helper()
	if testing.Short() {
		t.Skip("builds releaser (-short)")
	}
	root := moduleRoot(t)
	firstOnce.Do(func() {
		first = buildCopy(root, filepath.Join(buildDir, "a"))
	})
	if first.err != nil {
		t.Fatal(first.err)
	}
	return first
}

// buildCopy copies the sources releaser's binary is built from to dir/src
// and runs scripts/action-build there.
func buildCopy(root, dir string) built {
	b := built{src: filepath.Join(dir, "src")}
	files, err := sourceFiles(root)
	if err != nil {
		b.err = err
		return b
	}
	for _, rel := range append(files, "go.mod", "go.sum", filepath.Join("scripts", "action-build")) {
		if err := copyFile(filepath.Join(root, rel), filepath.Join(b.src, rel)); err != nil {
			b.err = fmt.Errorf("copying the sources: %w", err)
			return b
		}
	}
	runner := filepath.Join(dir, "runner")
	cmd := exec.Command(filepath.Join(b.src, "scripts", "action-build"))
	cmd.Env = append(buildEnv(), "GITHUB_ACTION_PATH="+b.src, "RUNNER_TEMP="+runner, "GITHUB_PATH=")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.err = fmt.Errorf("scripts/action-build in %s: %w\n%s", b.src, err, out)
		return b
	}
	b.bin = filepath.Join(runner, "releaser-action", "bin", "releaser")
	return b
}

// buildEnv is the test's environment without the variables a runner would not
// have set and that would change the build (GOFLAGS: this machine's, or a
// developer's -race).
func buildEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GOFLAGS=") {
			env = append(env, kv)
		}
	}
	return env
}

// sourceFiles lists, relative to root, the files of this module that go
// build reads for ./cmd/releaser with CGO_ENABLED=0 (as action-build builds).
func sourceFiles(root string) ([]string, error) {
	cmd := exec.Command("go", "list", "-deps", "-json=ImportPath,Dir,Module,GoFiles,SFiles,HFiles,SysoFiles,EmbedFiles", "./cmd/releaser")
	cmd.Dir = root
	cmd.Env = append(buildEnv(), "CGO_ENABLED=0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list -deps ./cmd/releaser: %w\n%s", err, stderr.Bytes())
	}
	var files []string
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p struct {
			ImportPath, Dir                                string
			Module                                         *struct{ Main bool }
			GoFiles, SFiles, HFiles, SysoFiles, EmbedFiles []string
		}
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, fmt.Errorf("go list -deps: %w", err)
		}
		if p.Module == nil || !p.Module.Main {
			continue // the standard library and dependencies come from GOROOT and the module cache
		}
		rel, err := filepath.Rel(root, p.Dir)
		if err != nil {
			return nil, err
		}
		for _, set := range [][]string{p.GoFiles, p.SFiles, p.HFiles, p.SysoFiles, p.EmbedFiles} {
			for _, f := range set {
				files = append(files, filepath.Join(rel, f))
			}
		}
	}
	if len(files) == 0 {
		return nil, errors.New("go list -deps ./cmd/releaser named no file of this module")
	}
	return files, nil
}

func copyFile(from, to string) error {
	info, err := os.Stat(from)
	if err != nil {
		return err
	}
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return err
	}
	return os.WriteFile(to, b, info.Mode().Perm())
}

func sha256File(t *testing.T, name string) (string, []byte) {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), b
}

// TestReproducibleBuild builds releaser twice from copies of the sources at
// two different absolute paths: -trimpath is what must make the binaries
// equal. Both builds share the build cache (two cold caches would take
// minutes), so this proves that nothing path-dependent reaches the cache
// keys or the link, not that the compiler is deterministic across caches.
func TestReproducibleBuild(t *testing.T) {
	t.Parallel()
	a := releaserBinary(t)
	b := buildCopy(moduleRoot(t), filepath.Join(buildDir, "second", "checkout-at-another-path"))
	if b.err != nil {
		t.Fatal(b.err)
	}
	if a.src == b.src {
		t.Fatal("both builds used the same source path; the test would prove nothing")
	}
	sumA, binA := sha256File(t, a.bin)
	sumB, binB := sha256File(t, b.bin)
	if sumA != sumB {
		t.Errorf("releaser built from %s and from %s differ:\n  %s\n  %s\ncompare `go version -m` of both, and look for a path or a time stamped into the binary", a.src, b.src, sumA, sumB)
	}
	// What -trimpath is for: no trace of where the build ran.
	modcache := strings.TrimSpace(goEnv(t, "GOMODCACHE"))
	for _, bin := range []struct {
		name string
		data []byte
	}{{a.bin, binA}, {b.bin, binB}} {
		for _, path := range []string{a.src, b.src, modcache} {
			if path != "" && bytes.Contains(bin.data, []byte(path)) {
				t.Errorf("%s contains the build machine's path %s", bin.name, path)
			}
		}
	}
}

func goEnv(t *testing.T, name string) string {
	t.Helper()
	out, err := exec.Command("go", "env", name).Output()
	if err != nil {
		t.Fatalf("go env %s: %v", name, err)
	}
	return string(out)
}
