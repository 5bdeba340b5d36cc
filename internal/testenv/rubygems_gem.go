package testenv

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"strconv"
	"strings"
)

// gemSpec is what the emulator reads from a .gem's metadata.gz.
type gemSpec struct {
	name, version, platform, summary string
}

// readGemSpec finds metadata.gz in the .gem (a plain tar) and reads the few scalar
// fields of the YAML Gem::Specification the registry needs. Reads are bounded. The
// error text becomes part of RubyGems' 422 answer.
func readGemSpec(path string) (gemSpec, error) {
	f, err := os.Open(path)
	if err != nil {
		return gemSpec{}, err
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return gemSpec{}, errors.New("package metadata is missing")
		}
		if err != nil {
			return gemSpec{}, errors.New("package is corrupt: " + err.Error())
		}
		if h.Name != "metadata.gz" {
			continue
		}
		gz, err := gzip.NewReader(io.LimitReader(tr, 16<<20))
		if err != nil {
			return gemSpec{}, errors.New("package metadata is corrupt: " + err.Error())
		}
		yml, err := io.ReadAll(io.LimitReader(gz, 16<<20))
		if err != nil {
			return gemSpec{}, errors.New("package metadata is corrupt: " + err.Error())
		}
		return parseGemSpecYAML(string(yml))
	}
}

// parseGemSpecYAML reads name, version (the nested Gem::Version), platform and summary
// from Psych's serialisation of a Gem::Specification: top-level "key: scalar" lines.
func parseGemSpecYAML(yml string) (gemSpec, error) {
	var g gemSpec
	lines := strings.Split(yml, "\n")
	for i, line := range lines {
		key, value, ok := strings.Cut(line, ":")
		if !ok || strings.HasPrefix(line, " ") {
			continue
		}
		value = strings.TrimSpace(value)
		switch key {
		case "name":
			g.name = yamlUnquote(value)
		case "platform":
			g.platform = yamlUnquote(value)
		case "summary":
			g.summary = yamlUnquote(value)
		case "version":
			if i+1 < len(lines) {
				if k, v, ok := strings.Cut(strings.TrimSpace(lines[i+1]), ":"); ok && k == "version" {
					g.version = yamlUnquote(strings.TrimSpace(v))
				}
			}
		}
	}
	if g.name == "" || g.version == "" {
		return gemSpec{}, errors.New("missing value for attribute name or version")
	}
	if g.platform == "" {
		g.platform = "ruby"
	}
	return g, nil
}

// yamlUnquote undoes YAML's single and double quoting of a plain scalar.
func yamlUnquote(s string) string {
	switch {
	case len(s) >= 2 && s[0] == '\'' && s[len(s)-1] == '\'':
		return strings.ReplaceAll(s[1:len(s)-1], "''", "'")
	case len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"':
		if u, err := strconv.Unquote(s); err == nil {
			return u
		}
		return s[1 : len(s)-1]
	}
	return s
}

// fullVersion is RubyGems' version title: "1.2.3", or "1.2.3-x86_64-linux" off ruby.
func (g gemSpec) fullVersion() string {
	if g.platform == "" || g.platform == "ruby" {
		return g.version
	}
	return g.version + "-" + g.platform
}
