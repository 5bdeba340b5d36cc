package sample

import (
	"sort"
	"time"
)

// buildSdist writes a source distribution (PEP 625 name, PEP 643 PKG-INFO): the
// whole python/ tree plus PKG-INFO under one top directory, with directory entries,
// as build backends make them.
func buildSdist(p *pyPackage, mtime time.Time) (string, []byte, error) {
	stem := p.dist + "-" + p.version
	files := []tarEntry{{name: stem + "/PKG-INFO", data: p.metadata, mode: 0o644}}
	for _, f := range p.src.files {
		if f.path == "PKG-INFO" {
			continue // ours, generated from pyproject.toml, is the one that counts
		}
		files = append(files, tarEntry{name: stem + "/" + f.path, data: f.data, mode: f.mode()})
	}
	sort.Slice(files, func(i, j int) bool { return files[i].name < files[j].name })
	data, err := tarGz(withDirs(files),
		tarStyle{mtime: mtime},
		gzipStyle{mtime: mtime, os: gzipOSUnknown})
	if err != nil {
		return "", nil, err
	}
	return stem + ".tar.gz", data, nil
}
