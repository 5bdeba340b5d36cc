package pkgmeta

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Gem is what a .gem's specification says about its identity.
type Gem struct {
	Name, Version string
	Platform      string // "ruby" for a pure-Ruby gem
}

// FullName is RubyGems' name for the release: name-version, plus
// -platform unless it is "ruby".
func (g Gem) FullName() string {
	if g.Platform == "" || g.Platform == "ruby" {
		return g.Name + "-" + g.Version
	}
	return g.Name + "-" + g.Version + "-" + g.Platform
}

// ReadGem reads the specification of a .gem file.
func ReadGem(path string) (*Gem, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("gem: %w", err)
	}
	defer f.Close()
	g, err := ReadGemFrom(f)
	if err != nil {
		return nil, fmt.Errorf("gem %s: %w", filepath.Base(path), err)
	}
	return g, nil
}

// ReadGemFrom reads a .gem stream: a plain tar whose metadata.gz holds the
// YAML Gem::Specification.
func ReadGemFrom(r io.Reader) (*Gem, error) {
	var compressed []byte
	err := scanTar(r, func(name string, _ int64, body io.Reader) error {
		if name != "metadata.gz" {
			return nil
		}
		b, err := readBounded(body, MaxMetadataSize, name)
		if err != nil {
			return err
		}
		compressed = b
		return errStop
	})
	if err != nil {
		return nil, err
	}
	if compressed == nil {
		return nil, errors.New("no metadata.gz in the archive (is it a .gem built by gem build?)")
	}
	zr, err := gzip.NewReader(bytes.NewReader(compressed))
	if err != nil {
		return nil, fmt.Errorf("metadata.gz: %w", err)
	}
	spec, err := readBounded(zr, MaxMetadataSize, "metadata.gz's specification")
	if err != nil {
		return nil, err
	}
	g, err := ParseGemSpec(spec)
	if err != nil {
		return nil, fmt.Errorf("metadata.gz: %w", err)
	}
	return g, nil
}
