package pkgmeta

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
)

// errStop ends a scan early without an error.
var errStop = errors.New("stop")

// visitFunc sees one regular file of an archive: its cleaned name and its
// content (read it or not). Returning errStop ends the scan successfully.
type visitFunc func(name string, size int64, body io.Reader) error

// scanTarGz walks the regular files of a gzip-compressed tar.
func scanTarGz(r io.Reader, visit visitFunc) error {
	cr := &countingReader{r: r}
	zr, err := gzip.NewReader(cr)
	if err != nil {
		return fmt.Errorf("not a gzip file: %w", err)
	}
	defer zr.Close()
	// A .tar.gz may be several concatenated gzip members; tools that write
	// metadata archives do not, and reading only the first keeps the bomb
	// guard's accounting simple.
	zr.Multistream(false)
	return scanTar(&bombGuard{r: zr, compressed: cr}, visit)
}

// scanTar walks the regular files of an uncompressed tar.
func scanTar(r io.Reader, visit visitFunc) error {
	tr := tar.NewReader(r)
	for i := 0; ; i++ {
		if i >= maxEntries {
			return fmt.Errorf("the archive has more than %d members: %w", maxEntries, ErrTooLarge)
		}
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading the tar archive: %w", err)
		}
		// The reader already turns the old TypeRegA into TypeReg.
		if h.Typeflag != tar.TypeReg {
			continue
		}
		if err := visit(cleanName(h.Name), h.Size, tr); err != nil {
			if errors.Is(err, errStop) {
				return nil
			}
			return err
		}
	}
}

// cleanName makes a member name comparable: no leading "./" or "/", no
// "." or ".." segments (".." cannot climb above the root here; we only
// ever match names, never write files).
func cleanName(name string) string {
	return strings.TrimPrefix(path.Clean("/"+name), "/")
}

// depth1 reports whether name is "<one directory>/<file>" and returns both.
func depth1(name string) (dir, file string, ok bool) {
	dir, file, ok = strings.Cut(name, "/")
	if !ok || dir == "" || file == "" || strings.Contains(file, "/") {
		return "", "", false
	}
	return dir, file, true
}
