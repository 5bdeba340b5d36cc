package pkgmeta

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/releaserhq/releaser/internal/sample"
)

const exampleDir = "../../testdata/example"

// The sample artifacts, built once per test binary by internal/sample.
const (
	sampleWheel = "hello_releaser-1.2.3-py3-none-any.whl"
	sampleSdist = "hello_releaser-1.2.3.tar.gz"
	sampleNpm   = "hello-releaser-1.2.3.tgz"
	sampleCrate = "hello-releaser-1.2.3.crate"
	sampleGem   = "hello-releaser-1.2.3.gem"
)

var (
	samplesOnce sync.Once
	samplesDir  string
	samplesErr  error
)

// samplePath builds the example's real artifacts (once) and returns the
// path of one of them.
func samplePath(t testing.TB, name string) string {
	t.Helper()
	samplesOnce.Do(func() {
		samplesDir, samplesErr = os.MkdirTemp("", "pkgmeta-samples-")
		if samplesErr != nil {
			return
		}
		_, samplesErr = sample.Build(sample.Options{SrcDir: exampleDir, OutDir: samplesDir, Epoch: 1700000000})
	})
	if samplesErr != nil {
		t.Fatalf("building the sample artifacts: %v", samplesErr)
	}
	return filepath.Join(samplesDir, name)
}

func sampleBytes(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(samplePath(t, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestMain(m *testing.M) {
	code := m.Run()
	if samplesDir != "" {
		os.RemoveAll(samplesDir)
	}
	os.Exit(code)
}

// member is one file of an archive a test builds.
type member struct {
	name string
	data []byte
}

func tarBytes(t testing.TB, members ...member) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, m := range members {
		if err := tw.WriteHeader(&tar.Header{Name: m.name, Mode: 0o644, Size: int64(len(m.data)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(m.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func gzipBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func tarGz(t testing.TB, members ...member) []byte {
	t.Helper()
	return gzipBytes(t, tarBytes(t, members...))
}

func zipBytes(t testing.TB, members ...member) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, m := range members {
		w, err := zw.Create(m.name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(m.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const minimalMetadata = "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n\nbody\n"
