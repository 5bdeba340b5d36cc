package pkgmeta

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// NpmPackage is an npm tarball's package.json.
type NpmPackage struct {
	Name, Version string
	// Manifest is every top-level member of package.json with its value
	// exactly as written; the publish document embeds it.
	Manifest map[string]json.RawMessage
}

// ReadNpm reads package.json from an npm tarball.
func ReadNpm(path string) (*NpmPackage, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("npm tarball: %w", err)
	}
	defer f.Close()
	p, err := ReadNpmFrom(f)
	if err != nil {
		return nil, fmt.Errorf("npm tarball %s: %w", filepath.Base(path), err)
	}
	return p, nil
}

// ReadNpmFrom reads package.json from an npm tarball stream. npm strips
// the first path component of every member (npm pack writes "package/"),
// so the manifest is the package.json one directory down.
func ReadNpmFrom(r io.Reader) (*NpmPackage, error) {
	var data []byte
	err := scanTarGz(r, func(name string, _ int64, body io.Reader) error {
		if _, file, ok := depth1(name); !ok || file != "package.json" {
			return nil
		}
		b, err := readBounded(body, MaxMetadataSize, name)
		if err != nil {
			return err
		}
		data = b
		return errStop
	})
	if err != nil {
		return nil, err
	}
	if data == nil {
		return nil, errors.New("no package/package.json in the archive")
	}
	return ParsePackageJSON(data)
}

// ParsePackageJSON decodes a package.json, which must have a string name
// and version.
func ParsePackageJSON(data []byte) (*NpmPackage, error) {
	var m map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("package.json is not a JSON object: %w", err)
	}
	if dec.More() {
		return nil, errors.New("package.json has data after its JSON object")
	}
	if m == nil {
		return nil, errors.New("package.json is not a JSON object")
	}
	p := &NpmPackage{Manifest: m}
	for _, f := range []struct {
		key string
		dst *string
	}{{"name", &p.Name}, {"version", &p.Version}} {
		raw, ok := m[f.key]
		if !ok {
			return nil, fmt.Errorf("package.json has no %q", f.key)
		}
		if err := json.Unmarshal(raw, f.dst); err != nil || *f.dst == "" {
			return nil, fmt.Errorf("package.json %q is not a non-empty string", f.key)
		}
	}
	return p, nil
}
