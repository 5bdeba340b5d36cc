package pkgmeta

import (
	"errors"
	"fmt"
	"io"
)

// Bounds on what is read out of an archive. Real metadata files are a few
// KiB; the largest legitimate ones carry a long README as the description.
const (
	// MaxMetadataSize bounds one metadata file (METADATA, PKG-INFO,
	// package.json, Cargo.toml, a gem's uncompressed specification).
	MaxMetadataSize = 16 << 20
	// MaxReadmeSize bounds a crate's README: crates.io refuses publish
	// metadata over 1 MiB anyway (reference §5.3).
	MaxReadmeSize = 1 << 20
	// maxEntries bounds how many archive members are looked at before
	// giving up on finding the metadata file.
	maxEntries = 1 << 20
	// bombAllowance and bombRatio bound decompression: after the first
	// bombAllowance bytes, the decompressed stream may be at most bombRatio
	// times what was read from the file. Source archives compress a few
	// times; only a bomb reaches hundreds.
	bombAllowance = 64 << 20
	bombRatio     = 200
)

// ErrTooLarge is wrapped by every error about a bound being exceeded.
var ErrTooLarge = errors.New("exceeds the size limit")

// readBounded reads all of r, failing when it holds more than limit bytes.
func readBounded(r io.Reader, limit int64, what string) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", what, err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s is larger than %d bytes: %w", what, limit, ErrTooLarge)
	}
	return b, nil
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// bombGuard fails a decompressed stream that grows out of proportion to
// the compressed bytes behind it.
type bombGuard struct {
	r          io.Reader
	compressed *countingReader
	n          int64
}

func (g *bombGuard) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	g.n += int64(n)
	if g.n > bombAllowance && g.n > bombRatio*g.compressed.n {
		return n, fmt.Errorf("the archive decompresses to more than %d times its size (a decompression bomb?): %w", bombRatio, ErrTooLarge)
	}
	return n, err
}
