package scaffold

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
)

// model is everything the templates print, checked and derived once.
type model struct {
	Opt          Options
	Name         string // [project].name
	Kinds        []kindModel
	Has          map[string]bool // by Kind, for the templates
	PinNeeded    bool            // the releaser ref is not a commit SHA yet
	VersionFrom  string
	Version      string // literal, when VersionFrom is empty
	Repository   string // owner/name, or repoPlaceholder
	RepoKnown    bool
	Owner        string
	RepoName     string
	Artifacts    []string
	Commands     []command
	Gates        []string // gate environments, in order
	Environments []string // [approval].environments
}

type kindModel struct {
	Kind     Kind
	Registry string
	Display  string
	Package  string
	Manifest string
}

// command is one [[build.command]] with the comment that says why it is so.
type command struct {
	Name    string
	Comment []string
	Argv    []string
	Shell   string
}

// repoPlaceholder passes internal/config's owner/name check, so release.toml
// loads before the user fills it in; the registries would refuse it.
const repoPlaceholder = "OWNER/REPO"

var (
	reReleaseName = regexp.MustCompile(`[^A-Za-z0-9._-]`)
	reRelPath     = regexp.MustCompile(`^[A-Za-z0-9._/-]+$`)
	reSHA         = regexp.MustCompile(`^[0-9a-f]{40}$`)
)

func newModel(p *Project, o Options) (*model, error) {
	if p == nil || len(p.Kinds) == 0 {
		return nil, fmt.Errorf("render: no project kinds to render")
	}
	o, err := o.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("render: %w", err)
	}
	m := &model{Opt: o, Has: map[string]bool{}, PinNeeded: !reSHA.MatchString(o.ReleaserRef)}
	for _, k := range Kinds {
		m.Has[string(k)] = false // every key present: the templates refuse a missing one
	}
	for _, k := range p.Kinds {
		info, ok := kindInfos[k]
		if !ok || m.Has[string(k)] {
			return nil, fmt.Errorf("render: kind %q is unknown or listed twice", k)
		}
		m.Has[string(k)] = true
		name := p.Names[k]
		if name == "" && k == p.Kinds[0] {
			name = p.Name
		}
		if err := checkName(k, name); err != nil {
			return nil, fmt.Errorf("render: %s package name: %w", k, err)
		}
		manifest := p.Manifests[k]
		if k == Ruby {
			if manifest == "" {
				manifest = name + ".gemspec"
			}
			if !reGemspec.MatchString(manifest) {
				return nil, fmt.Errorf("render: gemspec %q: a file name of letters, digits, '.', '_' and '-'", manifest)
			}
		}
		m.Kinds = append(m.Kinds, kindModel{Kind: k, Registry: info.registry, Display: info.display, Package: name, Manifest: manifest})
		for _, a := range info.artifacts {
			if !slices.Contains(m.Artifacts, a) {
				m.Artifacts = append(m.Artifacts, a)
			}
		}
		m.Commands = append(m.Commands, buildCommands(k, name, manifest, p.Kinds)...)
	}
	m.Name = releaseName(m.Kinds[0].Package)

	if err := m.version(p); err != nil {
		return nil, err
	}
	m.Repository, m.RepoKnown = repoPlaceholder, false
	if p.Repository != "" {
		if !reRepo.MatchString(p.Repository) {
			return nil, fmt.Errorf("render: repository %q is not owner/name", p.Repository)
		}
		m.Repository, m.RepoKnown = p.Repository, true
	}
	m.Owner, m.RepoName, _ = strings.Cut(m.Repository, "/")

	for n := 1; n <= o.Approvers; n++ {
		m.Gates = append(m.Gates, gateEnvironment(n))
	}
	m.Environments = append(slices.Clone(m.Gates), o.Environment)
	return m, nil
}

func (m *model) version(p *Project) error {
	if p.VersionFrom != "" {
		clean := path.Clean(p.VersionFrom)
		if clean != p.VersionFrom || path.IsAbs(clean) || strings.HasPrefix(clean, "../") || clean == ".." || !reRelPath.MatchString(clean) {
			return fmt.Errorf("render: version_from %q is not a plain relative path", p.VersionFrom)
		}
		m.VersionFrom = clean
		return nil
	}
	m.Version = p.Version
	return nil
}

// releaseName makes a package name a valid [project].name: an npm scope is
// not part of what the release is called.
func releaseName(pkg string) string {
	if i := strings.IndexByte(pkg, '/'); strings.HasPrefix(pkg, "@") && i > 0 {
		pkg = pkg[i+1:]
	}
	return reReleaseName.ReplaceAllString(pkg, "-")
}
