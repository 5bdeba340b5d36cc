package sample

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
)

// npmEpoch is the fixed mtime npm pack gives every tarball entry.
var npmEpoch = time.Date(1985, time.October, 26, 8, 15, 0, 0, time.UTC)

const packageJSON = "package.json"

// buildNpm writes the tarball `npm pack` would: every file under package/,
// package.json first so a streaming reader meets the manifest before the rest.
func buildNpm(src tree, version string) (string, []byte, error) {
	file := src.display(packageJSON)
	pj, ok := src.file(packageJSON)
	if !ok {
		return "", nil, fmt.Errorf("%s: missing; the npm example needs a package.json", file)
	}
	var m struct {
		Name    string `json:"name"`
		Version string `json:"version"`
	}
	if err := json.Unmarshal(pj.data, &m); err != nil {
		return "", nil, fmt.Errorf("%s: %w", file, err)
	}
	if err := checkName(file, `"name"`, m.Name, npmName, 214); err != nil {
		return "", nil, err
	}
	if err := sameVersion(file, `"version"`, m.Version, version); err != nil {
		return "", nil, err
	}
	entries := []tarEntry{{name: "package/" + packageJSON, data: pj.data, mode: pj.mode()}}
	var rest []tarEntry
	for _, f := range src.files {
		if f.path != packageJSON {
			rest = append(rest, tarEntry{name: "package/" + f.path, data: f.data, mode: f.mode()})
		}
	}
	// npm orders paths case-insensitively (README.md sorts among the r's).
	sort.Slice(rest, func(i, j int) bool {
		a, b := strings.ToLower(rest[i].name), strings.ToLower(rest[j].name)
		if a != b {
			return a < b
		}
		return rest[i].name < rest[j].name
	})
	data, err := tarGz(append(entries, rest...),
		tarStyle{mtime: npmEpoch},
		gzipStyle{os: gzipOSUnknown})
	if err != nil {
		return "", nil, err
	}
	return npmTarball(m.Name, version), data, nil
}
