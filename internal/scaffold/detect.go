package scaffold

import (
	"errors"
	"fmt"
	"github.com/releaserhq/releaser/internal/config"
	"os"
	"path/filepath"
	"strings"
)

// Project is what Detect found in a directory.
type Project struct {
	// Dir is the project directory, absolute.
	Dir string
	// Kinds is every kind found, in the order of Kinds (a repository can have several).
	Kinds []Kind
	// Name is the package name from the first kind's manifest.
	Name string
	// Names is the package name per kind.
	Names map[Kind]string
	// Manifests is the manifest file per kind, relative to Dir (the gemspec's
	// name is needed to build the gem).
	Manifests map[Kind]string
	// Version is the literal version of the manifest VersionFrom names; when no
	// manifest releaser can read holds one, the first literal version found
	// elsewhere (a gemspec, [tool.poetry]); else empty.
	Version string
	// VersionFrom is the file release.toml reads the version from
	// (pyproject.toml, package.json or Cargo.toml, relative to Dir), or ""
	// when none of them holds a literal version.
	VersionFrom string
	// Repository is "owner/name" of the github.com remote "origin", else "".
	Repository string
}

// found is one manifest's contribution.
type found struct {
	kind     Kind
	file     string // relative to the project directory
	name     string
	version  string // literal version, or ""
	readable bool   // internal/config can read the version from file
}

// reader reads one kind's manifest from dir. It returns nil, "" when the kind
// is absent, or nil and a reason when a manifest is there but is not a package
// of that kind (a private package.json, a Cargo workspace root).
type reader func(dir string) (f *found, skipped string, err error)

var readers = []reader{readPyproject, readPackageJSON, readCargo, readGemspec}

// manifestNames is what Detect looks for, for the message when nothing is found.
const manifestNames = "pyproject.toml, package.json, Cargo.toml, *.gemspec"

// Detect inspects dir's top level for pyproject.toml, package.json, Cargo.toml
// and *.gemspec. It never runs anything from the project.
func Detect(dir string) (*Project, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("detect project: %w", err)
	}
	st, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("detect project: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("detect project: %s is not a directory", abs)
	}
	p := &Project{Dir: abs, Names: map[Kind]string{}, Manifests: map[Kind]string{}}
	var all []*found
	var skipped []string
	for _, read := range readers {
		f, why, err := read(abs)
		if err != nil {
			return nil, err
		}
		if why != "" {
			skipped = append(skipped, why)
		}
		if f == nil {
			continue
		}
		if err := checkName(f.kind, f.name); err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Join(abs, f.file), err)
		}
		if f.version != "" && !config.ValidVersion(f.version) {
			return nil, &ManifestError{File: filepath.Join(abs, f.file),
				Msg: fmt.Sprintf("version %q is not one releaser can release: use a version like 1.2.3 or 1.2.3-rc.1", f.version)}
		}
		all = append(all, f)
		p.Kinds = append(p.Kinds, f.kind)
		p.Names[f.kind] = f.name
		p.Manifests[f.kind] = f.file
	}
	if len(all) == 0 {
		return nil, noProjectError(abs, skipped)
	}
	p.Name = all[0].name
	p.Version, p.VersionFrom = pickVersion(all)
	p.Repository = repositoryOf(abs)
	return p, nil
}

// pickVersion prefers a manifest releaser reads at release time, so the
// version is written in one place only: in a maturin project pyproject.toml's
// version is dynamic and Cargo.toml's is the one.
func pickVersion(all []*found) (version, from string) {
	for _, f := range all {
		if f.version != "" && f.readable {
			return f.version, f.file
		}
	}
	for _, f := range all {
		if f.version != "" {
			return f.version, ""
		}
	}
	return "", ""
}

// ErrNoProject is wrapped by Detect's error when dir holds no package manifest.
var ErrNoProject = errors.New("no package manifest found")

func noProjectError(dir string, skipped []string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: looked for %s", dir, manifestNames)
	for _, s := range skipped {
		b.WriteString("; ")
		b.WriteString(s)
	}
	b.WriteString(". Write release.toml by hand: copy release.toml.example from the releaser repository and edit it")
	return fmt.Errorf("%w in %s", ErrNoProject, b.String())
}
