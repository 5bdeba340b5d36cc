package sample

import (
	"fmt"
	"path"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
)

// pyProject is the subset of PEP 621 [project] metadata the sample builder turns
// into Core Metadata. Keys outside it are errors, not ignored, so metadata added
// to pyproject.toml can never silently miss the published artifacts.
type pyProject struct {
	Project struct {
		Name           string            `toml:"name"`
		Version        string            `toml:"version"`
		Description    string            `toml:"description"`
		Readme         any               `toml:"readme"`
		RequiresPython string            `toml:"requires-python"`
		License        any               `toml:"license"`
		LicenseFiles   []string          `toml:"license-files"`
		Authors        []pyPerson        `toml:"authors"`
		Keywords       []string          `toml:"keywords"`
		Classifiers    []string          `toml:"classifiers"`
		URLs           map[string]string `toml:"urls"`
		Dependencies   []string          `toml:"dependencies"`
	} `toml:"project"`
}

type pyPerson struct {
	Name  string `toml:"name"`
	Email string `toml:"email"`
}

// pyPackage is the python/ tree with its parsed, validated metadata.
type pyPackage struct {
	src          tree
	name         string // as in the manifest; Core Metadata keeps it
	dist         string // normalised for file names
	version      string
	licenseFiles []string
	metadata     []byte // METADATA in the wheel, PKG-INFO in the sdist
}

const pyprojectFile = "pyproject.toml"

func loadPython(src tree, version string) (*pyPackage, error) {
	file := src.display(pyprojectFile)
	f, ok := src.file(pyprojectFile)
	if !ok {
		return nil, fmt.Errorf("%s: missing; the Python example needs a PEP 621 pyproject.toml", file)
	}
	var pp pyProject
	md, err := toml.Decode(string(f.data), &pp)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	for _, k := range md.Undecoded() {
		if len(k) > 0 && k[0] == "project" {
			return nil, fmt.Errorf("%s: key %q is not supported by the sample builder; remove it or teach internal/sample about it", file, k.String())
		}
	}
	p := pp.Project
	if err := checkName(file, "[project] name", p.Name, pep508Name, 200); err != nil {
		return nil, err
	}
	if err := sameVersion(file, "[project] version", p.Version, version); err != nil {
		return nil, err
	}
	fields := []field{
		{"Metadata-Version", "2.4"},
		{"Name", p.Name},
		{"Version", version},
	}
	if p.Description != "" {
		fields = append(fields, field{"Summary", p.Description})
	}
	if len(p.Keywords) > 0 {
		fields = append(fields, field{"Keywords", strings.Join(p.Keywords, ",")})
	}
	if names, emails := splitAuthors(p.Authors); names != "" || emails != "" {
		if names != "" {
			fields = append(fields, field{"Author", names})
		}
		if emails != "" {
			fields = append(fields, field{"Author-email", emails})
		}
	}
	switch lic := p.License.(type) {
	case nil:
	case string:
		fields = append(fields, field{"License-Expression", lic})
	default:
		return nil, fmt.Errorf("%s: [project] license must be an SPDX expression string such as \"MIT\" (PEP 639); the table form is deprecated", file)
	}
	for _, lf := range p.LicenseFiles {
		if strings.ContainsAny(lf, "*?[]") {
			return nil, fmt.Errorf("%s: [project] license-files entry %q is a glob; the sample builder needs literal paths", file, lf)
		}
		if _, ok := src.file(lf); !ok || path.Clean(lf) != lf {
			return nil, fmt.Errorf("%s: [project] license-files entry %q does not name a file in %s", file, lf, src.root)
		}
		fields = append(fields, field{"License-File", lf})
	}
	for _, c := range p.Classifiers {
		fields = append(fields, field{"Classifier", c})
	}
	if p.RequiresPython != "" {
		fields = append(fields, field{"Requires-Python", p.RequiresPython})
	}
	for _, d := range p.Dependencies {
		fields = append(fields, field{"Requires-Dist", d})
	}
	labels := make([]string, 0, len(p.URLs))
	for l := range p.URLs {
		labels = append(labels, l)
	}
	sort.Strings(labels)
	for _, l := range labels {
		if strings.Contains(l, ",") || len(l) > 32 {
			return nil, fmt.Errorf("%s: [project.urls] label %q must be at most 32 characters without commas", file, l)
		}
		fields = append(fields, field{"Project-URL", l + ", " + p.URLs[l]})
	}
	body, ctype, err := readme(src, file, p.Readme)
	if err != nil {
		return nil, err
	}
	if ctype != "" {
		fields = append(fields, field{"Description-Content-Type", ctype})
	}
	meta, err := renderMetadata(fields, body)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return &pyPackage{
		src:          src,
		name:         p.Name,
		dist:         wheelName(p.Name),
		version:      version,
		licenseFiles: p.LicenseFiles,
		metadata:     meta,
	}, nil
}

// splitAuthors follows the PyPA mapping: people with an email go to
// Author-email as "Name <email>", people without one to Author.
func splitAuthors(people []pyPerson) (names, emails string) {
	var ns, es []string
	for _, a := range people {
		switch {
		case a.Email == "":
			ns = append(ns, a.Name)
		case a.Name == "":
			es = append(es, a.Email)
		case strings.ContainsAny(a.Name, `,()<>@:;"[]\`):
			es = append(es, `"`+strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(a.Name)+`" <`+a.Email+`>`)
		default:
			es = append(es, a.Name+" <"+a.Email+">")
		}
	}
	return strings.Join(ns, ", "), strings.Join(es, ", ")
}

// readme resolves [project] readme (a path, or a table with file or text and
// content-type) to the long description and its content type.
func readme(src tree, file string, v any) (body, ctype string, err error) {
	var name, text string
	switch r := v.(type) {
	case nil:
		return "", "", nil
	case string:
		name = r
	case map[string]any:
		for k := range r {
			if k != "file" && k != "text" && k != "content-type" {
				return "", "", fmt.Errorf("%s: [project] readme has unknown key %q; use file, text and content-type", file, k)
			}
		}
		name, _ = r["file"].(string)
		text, _ = r["text"].(string)
		ctype, _ = r["content-type"].(string)
		if (name == "") == (text == "") || ctype == "" {
			return "", "", fmt.Errorf("%s: [project] readme table needs content-type and exactly one of file or text", file)
		}
	default:
		return "", "", fmt.Errorf("%s: [project] readme must be a file name or a table", file)
	}
	if name == "" {
		return text, ctype, nil
	}
	f, ok := src.file(name)
	if !ok {
		return "", "", fmt.Errorf("%s: [project] readme %q does not name a file in %s", file, name, src.root)
	}
	if ctype == "" {
		switch strings.ToLower(path.Ext(name)) {
		case ".md":
			ctype = "text/markdown"
		case ".rst":
			ctype = "text/x-rst"
		case ".txt":
			ctype = "text/plain"
		default:
			return "", "", fmt.Errorf("%s: [project] readme %q has an unknown extension; use .md, .rst or .txt, or a table with content-type", file, name)
		}
	}
	if !utf8.Valid(f.data) {
		return "", "", fmt.Errorf("%s: is not valid UTF-8; Core Metadata descriptions must be UTF-8", src.display(name))
	}
	return string(f.data), ctype, nil
}
