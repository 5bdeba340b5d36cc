package pkgmeta

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"unicode/utf8"
)

// Crate is a .crate's publish metadata.
type Crate struct {
	Name, Version string
	NewCrate      *NewCrate // with the README's content when Cargo.toml names one
}

// ReadCrate reads the Cargo.toml (and README) of a .crate file.
func ReadCrate(path string) (*Crate, error) {
	c, err := ReadCrateFrom(func() (io.ReadCloser, error) { return os.Open(path) })
	if err != nil {
		return nil, fmt.Errorf("crate %s: %w", filepath.Base(path), err)
	}
	return c, nil
}

// ReadCrateFrom reads a .crate that open returns from its start. It is
// called once, or twice when the README comes before Cargo.toml in the
// archive (only Cargo.toml says which file the README is).
func ReadCrateFrom(open func() (io.ReadCloser, error)) (*Crate, error) {
	var (
		c          *Crate
		readmePath string // member name of the README, once known
		readme     []byte
	)
	readReadme := func(body io.Reader) error {
		b, err := readBounded(body, MaxReadmeSize, "the README "+readmePath)
		if err != nil {
			return err
		}
		readme = b
		return errStop
	}
	err := scan(open, func(name string, _ int64, body io.Reader) error {
		if c != nil {
			if name == readmePath {
				return readReadme(body)
			}
			return nil
		}
		dir, file, ok := depth1(name)
		if !ok || file != "Cargo.toml" {
			return nil
		}
		data, err := readBounded(body, MaxMetadataSize, name)
		if err != nil {
			return err
		}
		nc, err := ParseCargoToml(data)
		if err != nil {
			return err
		}
		if want := crateDir(nc.Name, nc.Vers); dir != want {
			return fmt.Errorf("the Cargo.toml is in %s/, but a crate's files must be under %s/ (its name and version)", dir, want)
		}
		c = &Crate{Name: nc.Name, Version: nc.Vers, NewCrate: nc}
		if nc.ReadmeFile == nil {
			return errStop
		}
		rel := path.Clean(*nc.ReadmeFile)
		if path.IsAbs(rel) || hasDotDot(rel) {
			return fmt.Errorf("the Cargo.toml readme %q points outside the crate", *nc.ReadmeFile)
		}
		readmePath = dir + "/" + rel
		return nil
	})
	if err != nil {
		return nil, err
	}
	if c == nil {
		return nil, errors.New("no {name}-{version}/Cargo.toml in the archive")
	}
	if readmePath != "" && readme == nil {
		// The README was before Cargo.toml, or is missing: look again.
		err := scan(open, func(name string, _ int64, body io.Reader) error {
			if name == readmePath {
				return readReadme(body)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if readme == nil {
			return nil, fmt.Errorf("the Cargo.toml names the readme %q but the crate has no %s", *c.NewCrate.ReadmeFile, readmePath)
		}
	}
	if readme != nil {
		if !utf8.Valid(readme) {
			return nil, fmt.Errorf("the README %s is not valid UTF-8", readmePath)
		}
		s := string(readme)
		c.NewCrate.Readme = &s
	}
	return c, nil
}

func scan(open func() (io.ReadCloser, error), visit visitFunc) error {
	rc, err := open()
	if err != nil {
		return err
	}
	defer rc.Close()
	return scanTarGz(rc, visit)
}
