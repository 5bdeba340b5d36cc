package config

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/BurntSushi/toml"
)

// checkFiles runs the checks that need the file system and reads version_from.
func (v *validator) checkFiles(c *Config) {
	root := c.RootDir()
	if st, err := os.Stat(root); err != nil || !st.IsDir() {
		v.add("project.root", fmt.Sprintf("project directory %s does not exist", root), "set root relative to the config file's directory")
		return
	}
	if c.Project.VersionFrom != "" {
		ver, err := readVersion(filepath.Join(root, c.Project.VersionFrom))
		if err != nil {
			v.add("project.version_from", err.Error(), "point version_from at pyproject.toml, package.json, Cargo.toml or a file holding only the version")
		} else if !reVersion.MatchString(ver) {
			v.add("project.version_from", fmt.Sprintf("%s holds %q, which is not a valid version", c.Project.VersionFrom, ver), "write a version like 1.2.3 there")
		} else {
			c.Project.Version = ver
		}
	}
	if c.GitHub.NotesFile != "" {
		if _, err := os.Stat(filepath.Join(root, c.GitHub.NotesFile)); err != nil {
			v.add("github.notes_file", fmt.Sprintf("cannot read %s", c.GitHub.NotesFile), "create the file or remove notes_file")
		}
	}
}

// readVersion knows where the common package manifests keep the version.
func readVersion(file string) (string, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("cannot read %s: %w", file, err)
	}
	base := filepath.Base(file)
	switch base {
	case "package.json":
		var pkg struct {
			Version string `json:"version"`
		}
		if err := json.Unmarshal(data, &pkg); err != nil {
			return "", fmt.Errorf("%s: %w", file, err)
		}
		if pkg.Version == "" {
			return "", fmt.Errorf("%s has no \"version\"", file)
		}
		return pkg.Version, nil
	case "pyproject.toml", "Cargo.toml":
		var doc struct {
			Project struct {
				Version any `toml:"version"`
			} `toml:"project"`
			Package struct {
				Version any `toml:"version"`
			} `toml:"package"`
		}
		if _, err := toml.Decode(string(data), &doc); err != nil {
			return "", fmt.Errorf("%s: %w", file, err)
		}
		table, val := "project", doc.Project.Version
		if base == "Cargo.toml" {
			table, val = "package", doc.Package.Version
		}
		s, ok := val.(string)
		if !ok || s == "" {
			return "", fmt.Errorf("%s has no literal [%s].version (dynamic and workspace versions are not read)", file, table)
		}
		return s, nil
	}
	s := strings.TrimSpace(string(data))
	if s == "" || strings.ContainsAny(s, "\n\r") {
		return "", fmt.Errorf("%s must hold only the version on one line", file)
	}
	return s, nil
}

// RootDir is the absolute project directory.
func (c *Config) RootDir() string { return filepath.Join(c.Dir, filepath.FromSlash(c.Project.Root)) }

// StateDir is the absolute directory for the manifest and default audit log.
func (c *Config) StateDir() string {
	return filepath.Join(c.RootDir(), filepath.FromSlash(c.Project.StateDir))
}

// OutputDir is the absolute build output directory.
func (c *Config) OutputDir() string {
	return filepath.Join(c.RootDir(), filepath.FromSlash(c.Build.OutputDir))
}

// ManifestName is the manifest's file name inside the output directory. It
// lives beside the artifacts so that a build job can hand both on as one
// directory, and artifact paths in it never need "..".
const ManifestName = "releaser-manifest.json"

// ManifestPath is where the build stage writes the manifest.
func (c *Config) ManifestPath() string { return filepath.Join(c.OutputDir(), ManifestName) }

// AuditLogPath is the absolute audit log path.
func (c *Config) AuditLogPath() string {
	return filepath.Join(c.RootDir(), filepath.FromSlash(c.Audit.Log))
}

// Tag is the release tag for the configured version.
func (c *Config) Tag() string {
	return strings.ReplaceAll(c.Project.TagFormat, "{version}", c.Project.Version)
}

// VersionForTag returns the version a tag names under tag_format, or false.
func (c *Config) VersionForTag(tag string) (string, bool) {
	pre, post, _ := strings.Cut(c.Project.TagFormat, "{version}")
	if !strings.HasPrefix(tag, pre) || !strings.HasSuffix(tag, post) || len(tag) <= len(pre)+len(post) {
		return "", false
	}
	return tag[len(pre) : len(tag)-len(post)], true
}
