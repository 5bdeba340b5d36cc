package pkgmeta

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
)

// cargoManifest is the part of a normalised Cargo.toml (the one cargo
// package writes into the .crate) that publish metadata comes from.
type cargoManifest struct {
	Package            *cargoPackage             `toml:"package"`
	Project            *cargoPackage             `toml:"project"` // the pre-2018 name of [package]
	Dependencies       map[string]any            `toml:"dependencies"`
	DevDependencies    map[string]any            `toml:"dev-dependencies"`
	DevDependencies2   map[string]any            `toml:"dev_dependencies"`
	BuildDependencies  map[string]any            `toml:"build-dependencies"`
	BuildDependencies2 map[string]any            `toml:"build_dependencies"`
	Target             map[string]cargoTarget    `toml:"target"`
	Features           map[string][]string       `toml:"features"`
	Badges             map[string]map[string]any `toml:"badges"`
}

type cargoTarget struct {
	Dependencies       map[string]any `toml:"dependencies"`
	DevDependencies    map[string]any `toml:"dev-dependencies"`
	DevDependencies2   map[string]any `toml:"dev_dependencies"`
	BuildDependencies  map[string]any `toml:"build-dependencies"`
	BuildDependencies2 map[string]any `toml:"build_dependencies"`
}

type cargoPackage struct {
	Name          string   `toml:"name"`
	Version       string   `toml:"version"`
	Authors       []string `toml:"authors"`
	Description   string   `toml:"description"`
	Documentation string   `toml:"documentation"`
	Homepage      string   `toml:"homepage"`
	Readme        any      `toml:"readme"` // a path, or true/false
	Keywords      []string `toml:"keywords"`
	Categories    []string `toml:"categories"`
	License       string   `toml:"license"`
	LicenseFile   string   `toml:"license-file"`
	Repository    string   `toml:"repository"`
	Links         string   `toml:"links"`
	RustVersion   string   `toml:"rust-version"`
}

// ParseCargoToml maps a normalised Cargo.toml to cargo's NewCrate. The
// readme content is not filled in (it lives in another file of the
// crate); ReadmeFile names it.
func ParseCargoToml(data []byte) (*NewCrate, error) {
	if len(data) > MaxMetadataSize {
		return nil, fmt.Errorf("the Cargo.toml is larger than %d bytes: %w", MaxMetadataSize, ErrTooLarge)
	}
	var m cargoManifest
	if _, err := toml.Decode(string(data), &m); err != nil {
		return nil, fmt.Errorf("parsing Cargo.toml: %w", err)
	}
	p := m.Package
	if p == nil {
		p = m.Project
	}
	if p == nil {
		return nil, errors.New("the Cargo.toml has no [package]")
	}
	if p.Name == "" || p.Version == "" {
		return nil, errors.New("the Cargo.toml [package] must have a name and a version (a normalised manifest spells both out)")
	}
	nc := &NewCrate{
		Name:          p.Name,
		Vers:          p.Version,
		Deps:          []NewCrateDependency{},
		Features:      map[string][]string{},
		Authors:       nonNil(p.Authors),
		Description:   optional(p.Description),
		Documentation: optional(p.Documentation),
		Homepage:      optional(p.Homepage),
		Keywords:      nonNil(p.Keywords),
		Categories:    nonNil(p.Categories),
		License:       optional(p.License),
		LicenseFile:   optional(p.LicenseFile),
		Repository:    optional(p.Repository),
		Badges:        map[string]map[string]string{},
		Links:         optional(p.Links),
		RustVersion:   optional(p.RustVersion),
	}
	switch r := p.Readme.(type) {
	case nil:
	case string:
		nc.ReadmeFile = optional(r)
	case bool:
		// readme = true means the default file name; false means none.
		if r {
			nc.ReadmeFile = optional("README.md")
		}
	default:
		return nil, errors.New("the Cargo.toml [package] readme must be a path or a boolean")
	}
	for k, v := range m.Features {
		nc.Features[k] = nonNil(v)
	}
	for badge, attrs := range m.Badges {
		out := map[string]string{}
		for k, v := range attrs {
			// cargo's badge attributes are strings; others are dropped as
			// cargo's own deserialisation would refuse them.
			if s, ok := v.(string); ok {
				out[k] = s
			}
		}
		nc.Badges[badge] = out
	}
	if err := addDeps(nc, nil, m.Dependencies, m.DevDependencies, m.DevDependencies2, m.BuildDependencies, m.BuildDependencies2); err != nil {
		return nil, err
	}
	for target, t := range m.Target {
		if err := addDeps(nc, optional(target), t.Dependencies, t.DevDependencies, t.DevDependencies2, t.BuildDependencies, t.BuildDependencies2); err != nil {
			return nil, err
		}
	}
	sort.SliceStable(nc.Deps, func(i, j int) bool {
		a, b := nc.Deps[i], nc.Deps[j]
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		return deref(a.Target) < deref(b.Target)
	})
	return nc, nil
}

func addDeps(nc *NewCrate, target *string, normal, dev, dev2, build, build2 map[string]any) error {
	for _, t := range []struct {
		kind  string
		table map[string]any
	}{{"normal", normal}, {"dev", dev}, {"dev", dev2}, {"build", build}, {"build", build2}} {
		for key, v := range t.table {
			d, err := dependency(key, v)
			if err != nil {
				return err
			}
			d.Kind = t.kind
			d.Target = target
			nc.Deps = append(nc.Deps, d)
		}
	}
	return nil
}

// dependency reads `key = "req"` or `[dependencies.key]` tables.
func dependency(key string, v any) (NewCrateDependency, error) {
	d := NewCrateDependency{Name: key, DefaultFeatures: true, Features: []string{}, VersionReq: "*"}
	if key == "" {
		return d, errors.New("the Cargo.toml has a dependency with an empty name")
	}
	bad := func(field string) error {
		return fmt.Errorf("the Cargo.toml dependency %q: %s has the wrong type", key, field)
	}
	switch t := v.(type) {
	case string:
		d.VersionReq = t
		return d, nil
	case map[string]any:
		for field, val := range t {
			var ok bool
			switch field {
			case "version":
				d.VersionReq, ok = val.(string)
			case "features":
				d.Features, ok = stringList(val)
			case "optional":
				d.Optional, ok = val.(bool)
			case "default-features", "default_features":
				d.DefaultFeatures, ok = val.(bool)
			case "package":
				var name string
				name, ok = val.(string)
				d.Name, d.ExplicitNameInToml = name, optional(key)
			case "registry-index":
				var s string
				s, ok = val.(string)
				d.Registry = optional(s)
			case "artifact":
				if s, isStr := val.(string); isStr {
					d.Artifact, ok = []string{s}, true
				} else {
					d.Artifact, ok = stringList(val)
				}
			case "target":
				var s string
				s, ok = val.(string)
				d.BindepTarget = optional(s)
			case "lib":
				d.Lib, ok = val.(bool)
			default:
				ok = true // path, git, branch, public, …: not part of the publish metadata
			}
			if !ok {
				return d, bad(field)
			}
		}
		if d.Name == "" {
			return d, bad("package")
		}
		return d, nil
	}
	return d, fmt.Errorf("the Cargo.toml dependency %q is neither a version string nor a table", key)
}

func stringList(v any) ([]string, bool) {
	items, ok := v.([]any)
	if !ok {
		return nil, false
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		s, ok := it.(string)
		if !ok {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// crateDir is the directory every member of a .crate lives under.
func crateDir(name, version string) string { return name + "-" + version }

// hasDotDot reports a path that would leave the crate's directory.
func hasDotDot(p string) bool {
	for _, seg := range strings.Split(p, "/") {
		if seg == ".." {
			return true
		}
	}
	return false
}
