package buildinfo

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"
)

// Module is one module linked into a binary, as `go version -m` names it.
type Module struct {
	Path    string
	Version string
	Replace *Module // the module actually compiled in, when go.mod replaces Path
}

// VersionText is how DEPENDENCIES.md writes the version:
// "v1.2.3", or "v1.2.3 => example.com/fork v1.2.4" for a replaced module.
func (m Module) VersionText() string {
	if m.Replace == nil {
		return m.Version
	}
	return strings.TrimSpace(m.Version + " => " + m.Replace.Path + " " + m.Replace.Version)
}

// ParseVersionM reads the dependencies from `go version -m BINARY`: each
// "dep" line, and the "=>" line that follows a replaced one. The main module
// ("mod") and the build settings are not dependencies.
func ParseVersionM(out []byte) ([]Module, error) {
	var mods []Module
	sc := bufio.NewScanner(bytes.NewReader(out))
	for n := 1; sc.Scan(); n++ {
		fields := strings.Split(strings.TrimSpace(sc.Text()), "\t")
		for i := range fields {
			fields[i] = strings.TrimSpace(fields[i]) // a field of spaces is an empty one
		}
		switch fields[0] {
		case "dep":
			if len(fields) < 3 || fields[1] == "" || fields[2] == "" {
				return nil, fmt.Errorf("go version -m line %d: a dep line needs a path and a version: %q", n, sc.Text())
			}
			mods = append(mods, Module{Path: fields[1], Version: fields[2]})
		case "=>":
			if len(mods) == 0 || len(fields) < 2 || fields[1] == "" {
				return nil, fmt.Errorf("go version -m line %d: a replacement without its dep line: %q", n, sc.Text())
			}
			r := &Module{Path: fields[1]}
			if len(fields) > 2 {
				r.Version = fields[2] // empty for a directory replacement
			}
			mods[len(mods)-1].Replace = r
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading go version -m: %w", err)
	}
	return mods, nil
}
