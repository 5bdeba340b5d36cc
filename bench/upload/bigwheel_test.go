//go:build releaserbench

package upload

import (
	"archive/zip"
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/releaserhq/releaser/bench/benchkit"
	"github.com/releaserhq/releaser/internal/sample"
)

const wheelName = "hello_releaser-1.2.3-py3-none-any.whl"

// bigWheel is the sample wheel plus one stored (uncompressed) payload of
// size bytes, kept in dir between runs.
func bigWheel(t *testing.T, dir string, size int64) string {
	t.Helper()
	path := filepath.Join(dir, fmt.Sprintf("wheel-%dMiB", size>>20), wheelName)
	if fi, err := os.Stat(path); err == nil && fi.Size() > size {
		return path
	}
	must := func(err error) { t.Helper(); benchkit.Must(t, err) }
	must(os.MkdirAll(filepath.Dir(path), 0o755))
	src := t.TempDir()
	_, err := sample.Build(sample.Options{SrcDir: "../../testdata/example", OutDir: src, Epoch: 1700000000})
	must(err)
	zr, err := zip.OpenReader(filepath.Join(src, wheelName))
	must(err)
	defer zr.Close()
	f, err := os.Create(path + ".tmp")
	must(err)
	bw := bufio.NewWriterSize(f, 1<<20)
	zw := zip.NewWriter(bw)
	w, err := zw.CreateHeader(&zip.FileHeader{Name: "hello_releaser/payload.bin", Method: zip.Store})
	must(err)
	rng := rand.NewChaCha8([32]byte{1})
	_, err = io.CopyN(w, rng, size)
	must(err)
	for _, e := range zr.File {
		must(zw.Copy(e))
	}
	must(zw.Close())
	must(bw.Flush())
	must(f.Close())
	must(os.Rename(path+".tmp", path))
	return path
}
