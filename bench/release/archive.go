//go:build releaserbench

package release

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"time"
)

// zipTime and tarTime are the example's SOURCE_DATE_EPOCH (mkdist's default).
var (
	zipTime = time.Unix(1700000000, 0).UTC()
	tarTime = zipTime
)

// member is one extra file added to an archive.
type member struct {
	name string
	mode int64
	size int64
	body io.Reader
}

// extendTarGz copies the .tar.gz at base to path with extra members appended
// (a vendored blob in the sdist, a prebuilt addon in the npm package, test
// fixtures in the crate): still the same package to every reader.
func extendTarGz(base, path string, extra ...member) error {
	in, err := os.Open(base)
	if err != nil {
		return err
	}
	defer in.Close()
	zr, err := gzip.NewReader(in)
	if err != nil {
		return fmt.Errorf("%s: %w", base, err)
	}
	return writeTarGz(path, func(tw *tar.Writer) error {
		tr := tar.NewReader(zr)
		for {
			h, err := tr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				return fmt.Errorf("%s: %w", base, err)
			}
			if err := tw.WriteHeader(h); err != nil {
				return err
			}
			if _, err := io.Copy(tw, tr); err != nil {
				return err
			}
		}
		return addMembers(tw, extra)
	})
}

// writeTarGz writes a .tar.gz whose members fill adds. Payloads are random,
// so the fastest level loses nothing to the others but time.
func writeTarGz(path string, fill func(*tar.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<20)
	zw, err := gzip.NewWriterLevel(bw, gzip.BestSpeed)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(zw)
	if err := fill(tw); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	for _, c := range []io.Closer{tw, zw} {
		if err := c.Close(); err != nil {
			return err
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return f.Close()
}

func addMembers(tw *tar.Writer, ms []member) error {
	for _, m := range ms {
		h := &tar.Header{Name: m.name, Mode: m.mode, Size: m.size, ModTime: tarTime, Typeflag: tar.TypeReg}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if n, err := io.Copy(tw, m.body); err != nil || n != m.size {
			return fmt.Errorf("%s: wrote %d of %d bytes: %v", m.name, n, m.size, err)
		}
	}
	return nil
}

// writeZip writes a Windows binary archive: the .exe stored (random bytes
// do not compress) and a deflated README.
func writeZip(path string, ms ...member) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<20)
	zw := zip.NewWriter(bw)
	for _, m := range ms {
		method := zip.Deflate
		if m.size > 1<<20 {
			method = zip.Store
		}
		h := &zip.FileHeader{Name: m.name, Method: method, Modified: zipTime}
		h.SetMode(os.FileMode(m.mode))
		w, err := zw.CreateHeader(h)
		if err != nil {
			return err
		}
		if n, err := io.Copy(w, m.body); err != nil || n != m.size {
			return fmt.Errorf("%s: wrote %d of %d bytes: %v", m.name, n, m.size, err)
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return f.Close()
}
