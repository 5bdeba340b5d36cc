package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/releaserhq/releaser/internal/sample"
)

// requireTool returns the path of an external tool the test needs, or skips the test
// loudly; with RELEASER_REQUIRE_TOOLS=1 (CI) a missing tool fails it instead.
func requireTool(t *testing.T, name, hint string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	missingTool(t, name+" is not on PATH", hint)
	return ""
}

func TestMain(m *testing.M) {
	code := m.Run()
	if sampleDir != "" {
		_ = os.RemoveAll(sampleDir)
	}
	os.Exit(code)
}

var (
	sampleOnce sync.Once
	sampleDir  string
	sampleErr  error
)

// sampleArtifacts builds the example's real artifacts once per test binary and returns
// file name → path. Tests must not modify them.
func sampleArtifacts(t *testing.T) map[string]string {
	t.Helper()
	sampleOnce.Do(func() {
		sampleDir, sampleErr = os.MkdirTemp("", "testenv-sample-")
		if sampleErr != nil {
			return
		}
		_, sampleErr = sample.Build(sample.Options{SrcDir: "../../testdata/example", OutDir: sampleDir, Epoch: 1700000000})
	})
	if sampleErr != nil {
		t.Fatalf("build sample artifacts: %v", sampleErr)
	}
	entries, err := os.ReadDir(sampleDir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range entries {
		out[e.Name()] = filepath.Join(sampleDir, e.Name())
	}
	return out
}

const (
	sampleWheel = "hello_releaser-1.2.3-py3-none-any.whl"
	sampleSdist = "hello_releaser-1.2.3.tar.gz"
	sampleNpm   = "hello-releaser-1.2.3.tgz"
	sampleCrate = "hello-releaser-1.2.3.crate"
	sampleGem   = "hello-releaser-1.2.3.gem"
)
