package sample

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"path"
	"time"
)

// tarEntry is one member of a tar archive; a name ending in "/" is a directory.
type tarEntry struct {
	name string
	data []byte
	mode int64
}

// tarStyle is everything about a tar that is not its content. Each packaging tool
// has its own conventions, and clients compare against them, so every field here
// is fixed per format instead of taken from the machine that builds.
type tarStyle struct {
	mtime        time.Time
	uname, gname string
	format       tar.Format // tar.FormatUnknown lets archive/tar pick the narrowest
}

// tarBytes writes entries in the given order.
func tarBytes(entries []tarEntry, st tarStyle) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := &tar.Header{
			Name:    e.name,
			Mode:    e.mode,
			Size:    int64(len(e.data)),
			ModTime: st.mtime,
			Uname:   st.uname,
			Gname:   st.gname,
			Format:  st.format,
		}
		h.Typeflag = tar.TypeReg
		if e.name != "" && e.name[len(e.name)-1] == '/' {
			h.Typeflag = tar.TypeDir
			h.Size = 0
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, fmt.Errorf("tar %s: %w", e.name, err)
		}
		if _, err := tw.Write(e.data); err != nil {
			return nil, fmt.Errorf("tar %s: %w", e.name, err)
		}
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("tar: %w", err)
	}
	return buf.Bytes(), nil
}

// withDirs inserts a directory entry (mode 0755) before the first file of each
// directory, as source tarballs made by Python tools carry them. files must be
// sorted by name.
func withDirs(files []tarEntry) []tarEntry {
	seen := map[string]bool{}
	var out []tarEntry
	var add func(dir string)
	add = func(dir string) {
		if dir == "." || dir == "/" || seen[dir] {
			return
		}
		add(path.Dir(dir))
		seen[dir] = true
		out = append(out, tarEntry{name: dir + "/", mode: 0o755})
	}
	for _, f := range files {
		add(path.Dir(f.name))
		out = append(out, f)
	}
	return out
}

// gzipStyle is the gzip header: the file name it records, its mtime and the OS byte.
type gzipStyle struct {
	name  string
	mtime time.Time // the zero Time writes 0, "no timestamp"
	os    byte
}

const (
	gzipOSUnix    = 3
	gzipOSUnknown = 255
)

// gzipBytes compresses at the best level, as cargo, npm and RubyGems all do.
func gzipBytes(raw []byte, st gzipStyle) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, fmt.Errorf("gzip: %w", err)
	}
	zw.Name = st.name
	zw.ModTime = st.mtime
	zw.OS = st.os
	if _, err := zw.Write(raw); err != nil {
		return nil, fmt.Errorf("gzip: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("gzip: %w", err)
	}
	return buf.Bytes(), nil
}

// tarGz is tarBytes followed by gzipBytes.
func tarGz(entries []tarEntry, st tarStyle, gz gzipStyle) ([]byte, error) {
	raw, err := tarBytes(entries, st)
	if err != nil {
		return nil, err
	}
	return gzipBytes(raw, gz)
}
