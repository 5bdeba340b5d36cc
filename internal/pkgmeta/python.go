package pkgmeta

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Python is what a PyPI upload says about a wheel or an sdist besides its
// bytes.
type Python struct {
	Filename  string // base name
	Filetype  string // FiletypeWheel or FiletypeSdist
	PyVersion string // the wheel's python tag ("py3", "cp312"); "source" for an sdist
	Metadata  *CoreMetadata
}

// ReadWheel reads a wheel's .dist-info/METADATA.
func ReadWheel(path string) (*Python, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("wheel: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("wheel: %w", err)
	}
	return ReadWheelFrom(f, st.Size(), filepath.Base(path))
}

// ReadWheelFrom is ReadWheel on an open zip of the given size; filename
// (the base name) gives the python tag and picks the .dist-info directory.
func ReadWheelFrom(r io.ReaderAt, size int64, filename string) (*Python, error) {
	wf, err := ParseWheelFilename(filename)
	if err != nil {
		return nil, err
	}
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("wheel %s: not a zip archive: %w", filename, err)
	}
	var candidates []*zip.File
	for _, f := range zr.File {
		dir, file, ok := depth1(cleanName(f.Name))
		if ok && file == "METADATA" && strings.HasSuffix(dir, ".dist-info") {
			candidates = append(candidates, f)
		}
	}
	meta, err := pickDistInfo(candidates, wf)
	if err != nil {
		return nil, fmt.Errorf("wheel %s: %w", filename, err)
	}
	if meta.UncompressedSize64 > MaxMetadataSize {
		return nil, fmt.Errorf("wheel %s: %s is larger than %d bytes: %w", filename, meta.Name, MaxMetadataSize, ErrTooLarge)
	}
	rc, err := meta.Open()
	if err != nil {
		return nil, fmt.Errorf("wheel %s: %s: %w", filename, meta.Name, err)
	}
	defer rc.Close()
	// The size in the zip header may lie; the bounded read does not trust it.
	data, err := readBounded(rc, MaxMetadataSize, meta.Name)
	if err != nil {
		return nil, fmt.Errorf("wheel %s: %w", filename, err)
	}
	cm, err := ParseCoreMetadata(data)
	if err != nil {
		return nil, fmt.Errorf("wheel %s: %s: %w", filename, meta.Name, err)
	}
	if err := cm.check("wheel " + filename + " METADATA"); err != nil {
		return nil, err
	}
	return &Python{Filename: filename, Filetype: FiletypeWheel, PyVersion: wf.PythonTag, Metadata: cm}, nil
}

// pickDistInfo chooses the METADATA of the .dist-info directory: the only
// one, or the one named after the file name's distribution and version.
func pickDistInfo(candidates []*zip.File, wf WheelFilename) (*zip.File, error) {
	switch len(candidates) {
	case 0:
		return nil, errors.New("no .dist-info/METADATA at the top of the archive")
	case 1:
		return candidates[0], nil
	}
	want := NormalizeName(wf.Name) + "-" + wf.Version
	var match *zip.File
	for _, c := range candidates {
		dir, _, _ := depth1(cleanName(c.Name))
		stem := strings.TrimSuffix(dir, ".dist-info")
		i := strings.LastIndex(stem, "-")
		if i < 0 || NormalizeName(stem[:i])+"-"+stem[i+1:] != want {
			continue
		}
		if match != nil {
			return nil, errors.New("more than one .dist-info directory for this distribution")
		}
		match = c
	}
	if match == nil {
		return nil, fmt.Errorf("several .dist-info directories and none is %s-%s.dist-info", wf.Name, wf.Version)
	}
	return match, nil
}

// ReadSdist reads an sdist's top-level {name}-{version}/PKG-INFO.
func ReadSdist(path string) (*Python, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("sdist: %w", err)
	}
	defer f.Close()
	return ReadSdistFrom(f, filepath.Base(path))
}

// ReadSdistFrom is ReadSdist on a stream; filename is the base name.
func ReadSdistFrom(r io.Reader, filename string) (*Python, error) {
	if !strings.HasSuffix(filename, ".tar.gz") {
		return nil, fmt.Errorf("sdist %s: the file name must end in .tar.gz", filename)
	}
	var data []byte
	err := scanTarGz(r, func(name string, _ int64, body io.Reader) error {
		if _, file, ok := depth1(name); !ok || file != "PKG-INFO" {
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
		return nil, fmt.Errorf("sdist %s: %w", filename, err)
	}
	if data == nil {
		return nil, fmt.Errorf("sdist %s: no {name}-{version}/PKG-INFO in the archive", filename)
	}
	cm, err := ParseCoreMetadata(data)
	if err != nil {
		return nil, fmt.Errorf("sdist %s: PKG-INFO: %w", filename, err)
	}
	if err := cm.check("sdist " + filename + " PKG-INFO"); err != nil {
		return nil, err
	}
	return &Python{Filename: filename, Filetype: FiletypeSdist, PyVersion: "source", Metadata: cm}, nil
}

// CheckFilename applies PyPI's file name rules (reference §3.4): an
// sdist must be named exactly SdistFilename(name, version) (PEP 625); a
// wheel's name and version must be the metadata's (PEP 427 escapes "-" in
// both as "_").
func (p *Python) CheckFilename() error {
	name, version := p.Metadata.Name(), p.Metadata.Version()
	switch p.Filetype {
	case FiletypeSdist:
		if want := SdistFilename(name, version); p.Filename != want {
			return fmt.Errorf("sdist %s: PyPI requires the name %s for %s %s (PEP 625: normalised name, \"_\" for \"-\", the version as in PKG-INFO)", p.Filename, want, name, version)
		}
	case FiletypeWheel:
		wf, err := ParseWheelFilename(p.Filename)
		if err != nil {
			return err
		}
		if NormalizeName(wf.Name) != NormalizeName(name) {
			return fmt.Errorf("wheel %s: the file name says distribution %q but METADATA says %q", p.Filename, wf.Name, name)
		}
		if wf.Version != strings.ReplaceAll(version, "-", "_") {
			return fmt.Errorf("wheel %s: the file name says version %q but METADATA says %q", p.Filename, wf.Version, version)
		}
	default:
		return fmt.Errorf("%s: unknown file type %q", p.Filename, p.Filetype)
	}
	return nil
}
