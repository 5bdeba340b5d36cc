package scaffold

import (
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
)

// readPyproject: [project] (PEP 621), else [tool.poetry] for the name. A
// pyproject.toml holding only tool settings (a linter's) is not a package.
func readPyproject(dir string) (*found, string, error) {
	const file = "pyproject.toml"
	path := filepath.Join(dir, file)
	doc, err := readTOML(dir, file)
	if doc == nil || err != nil {
		return nil, "", err
	}
	project, hasProject, ok := table(doc, "project")
	if !ok {
		return nil, "", &ManifestError{File: path, Msg: "[project] is not a table"}
	}
	tool, _, _ := table(doc, "tool")
	poetry, hasPoetry, _ := table(tool, "poetry")
	_, hasBuild := doc["build-system"]
	if !hasProject && !hasPoetry && !hasBuild {
		return nil, file + " has no [project], [build-system] or [tool.poetry] (tool settings only, not a package)", nil
	}
	f := &found{kind: Python, file: file}
	if hasProject {
		if f.name, ok = str(project, "name"); !ok {
			return nil, "", &ManifestError{File: path, Msg: "[project].name is not a string"}
		}
		// A dynamic version is absent or, wrongly, not a string: either way
		// there is no literal to read.
		if v, ok := str(project, "version"); ok && v != "" {
			f.version, f.readable = v, true
		}
	}
	if hasPoetry && f.name == "" {
		f.name, _ = str(poetry, "name")
	}
	if hasPoetry && f.version == "" {
		// releaser reads only [project].version, so this one is copied, not read.
		f.version, _ = str(poetry, "version")
	}
	if f.name == "" {
		return nil, "", &ManifestError{File: path, Msg: "no [project].name: add a [project] table with name (PEP 621), or write release.toml by hand"}
	}
	return f, "", nil
}

// readPackageJSON: a private package is never published, so it is no npm project.
func readPackageJSON(dir string) (*found, string, error) {
	const file = "package.json"
	path := filepath.Join(dir, file)
	doc, err := readJSON(dir, file)
	if doc == nil || err != nil {
		return nil, "", err
	}
	if doc["private"] == true {
		return nil, file + ` is "private": true (npm refuses to publish it)`, nil
	}
	f := &found{kind: Npm, file: file}
	var ok bool
	if f.name, ok = str(doc, "name"); !ok || f.name == "" {
		return nil, "", &ManifestError{File: path, Msg: `no "name" string: npm publishes a package by its name`}
	}
	if v, ok := str(doc, "version"); ok && v != "" {
		f.version, f.readable = v, true
	}
	return f, "", nil
}

// readCargo: one crate. A workspace root has no single name and version to
// release; a crate with publish = false (or only other registries) is not
// published to crates.io.
func readCargo(dir string) (*found, string, error) {
	const file = "Cargo.toml"
	path := filepath.Join(dir, file)
	doc, err := readTOML(dir, file)
	if doc == nil || err != nil {
		return nil, "", err
	}
	pkg, hasPkg, ok := table(doc, "package")
	if !ok {
		return nil, "", &ManifestError{File: path, Msg: "[package] is not a table"}
	}
	if !hasPkg {
		if _, ws := doc["workspace"]; ws {
			return nil, file + " is a workspace root without [package] (run releaser init in the crate's directory)", nil
		}
		return nil, file + " has no [package]", nil
	}
	switch pub := pkg["publish"].(type) {
	case bool:
		if !pub {
			return nil, file + " says publish = false", nil
		}
	case []any:
		if !slices.Contains(pub, any("crates-io")) {
			return nil, file + ` lists publish registries without "crates-io"`, nil
		}
	}
	f := &found{kind: Rust, file: file}
	if f.name, ok = str(pkg, "name"); !ok || f.name == "" {
		return nil, "", &ManifestError{File: path, Msg: "no [package].name string"}
	}
	// version.workspace = true is a table: inherited, not literal.
	if v, ok := str(pkg, "version"); ok && v != "" {
		f.version, f.readable = v, true
	}
	return f, "", nil
}

// The gemspec is Ruby, which is never run here: the name and version are
// read only when written as plain string literals, the usual form.
var (
	reGemName    = regexp.MustCompile(`(?m)^[ \t]*\w+\.name[ \t]*=[ \t]*["']([^"'\\\n]*)["']`)
	reGemVersion = regexp.MustCompile(`(?m)^[ \t]*\w+\.version[ \t]*=[ \t]*["']([^"'\\\n]*)["']`)
	reGemspec    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*\.gemspec$`)
)

// readGemspec takes the first *.gemspec in name order.
func readGemspec(dir string) (*found, string, error) {
	matches, err := filepath.Glob(filepath.Join(dir, "*.gemspec"))
	if err != nil {
		return nil, "", fmt.Errorf("look for a gemspec: %w", err)
	}
	if len(matches) == 0 {
		return nil, "", nil
	}
	slices.Sort(matches)
	path := matches[0]
	file := filepath.Base(path)
	if !reGemspec.MatchString(file) {
		// The file name goes into a shell command (gem build FILE).
		return nil, "", &ManifestError{File: path, Msg: "the file name has characters other than letters, digits, '.', '_' and '-'"}
	}
	data, err := readFile(path)
	if data == nil || err != nil {
		return nil, "", err
	}
	m := reGemName.FindSubmatch(data)
	if m == nil {
		return nil, "", &ManifestError{File: path, Msg: `no literal spec.name = "..." (releaser init does not run Ruby); write release.toml by hand`}
	}
	f := &found{kind: Ruby, file: file, name: string(m[1])}
	if v := reGemVersion.FindSubmatch(data); v != nil {
		f.version = string(v[1]) // releaser cannot read a gemspec at release time: copied, not read
	}
	return f, "", nil
}
