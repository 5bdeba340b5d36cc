// Package sample builds the artifacts of releaser's example project
// (testdata/example): a wheel, an sdist, an npm tarball, a .crate and a .gem, in
// the real formats of each ecosystem, without any of their toolchains. Later
// stages upload these to registries and emulators, so the bytes must be what
// the real tools would accept, and the same sources and Epoch always give the
// same bytes.
package sample

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Options says where the example's sources are, where artifacts go, and the
// time (seconds since 1970, as SOURCE_DATE_EPOCH) recorded in archives whose
// format has no fixed timestamp of its own.
type Options struct {
	SrcDir, OutDir string
	Epoch          int64
}

// zip stores MS-DOS times: 1980 to 2107.
var (
	zipMin = time.Date(1980, time.January, 1, 0, 0, 0, 0, time.UTC)
	zipMax = time.Date(2107, time.December, 31, 23, 59, 58, 0, time.UTC)
)

// Build writes into OutDir (created if missing) the wheel, sdist, npm tarball,
// .crate and .gem of the example in SrcDir, and returns their paths in that
// order. Every manifest is read and checked against SrcDir/VERSION before any
// file is written; each file is written under a temporary name and renamed, so
// OutDir never holds a partial artifact.
func Build(o Options) ([]string, error) {
	if o.SrcDir == "" || o.OutDir == "" {
		return nil, errors.New("sample build: SrcDir and OutDir must both be set")
	}
	mtime := time.Unix(o.Epoch, 0).UTC()
	if mtime.After(zipMax) || o.Epoch < 0 {
		return nil, fmt.Errorf("sample build: epoch %d is outside what zip and tar timestamps hold (0 to %d); set SOURCE_DATE_EPOCH to a time in that range", o.Epoch, zipMax.Unix())
	}
	zipTime := mtime
	if zipTime.Before(zipMin) {
		zipTime = zipMin
	}
	version, err := readVersion(o.SrcDir)
	if err != nil {
		return nil, err
	}
	trees := map[string]tree{}
	for _, dir := range []string{"python", "npm", "rust", "ruby"} {
		t, err := readTree(filepath.Join(o.SrcDir, dir))
		if err != nil {
			return nil, err
		}
		trees[dir] = t
	}
	py, err := loadPython(trees["python"], version)
	if err != nil {
		return nil, err
	}

	type artifact struct {
		name string
		data []byte
	}
	var arts []artifact
	for _, build := range []func() (string, []byte, error){
		func() (string, []byte, error) { return buildWheel(py, zipTime) },
		func() (string, []byte, error) { return buildSdist(py, mtime) },
		func() (string, []byte, error) { return buildNpm(trees["npm"], version) },
		func() (string, []byte, error) { return buildCrate(trees["rust"], version) },
		func() (string, []byte, error) { return buildGem(trees["ruby"], version, mtime) },
	} {
		name, data, err := build()
		if err != nil {
			return nil, err
		}
		arts = append(arts, artifact{name, data})
	}

	if err := os.MkdirAll(o.OutDir, 0o755); err != nil {
		return nil, fmt.Errorf("sample build: %w", err)
	}
	paths := make([]string, 0, len(arts))
	for _, a := range arts {
		p := filepath.Join(o.OutDir, a.name)
		if err := writeAtomic(p, a.data); err != nil {
			return nil, fmt.Errorf("sample build: write %s: %w", p, err)
		}
		paths = append(paths, p)
	}
	return paths, nil
}

// writeAtomic replaces path with data via a temporary file in the same directory.
func writeAtomic(path string, data []byte) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = os.Remove(f.Name())
		}
	}()
	if _, err = f.Write(data); err != nil {
		_ = f.Close()
		return err
	}
	if err = f.Chmod(0o644); err != nil {
		_ = f.Close()
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
