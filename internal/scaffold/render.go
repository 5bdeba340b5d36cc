package scaffold

import (
	"bytes"
	"embed"
	"fmt"
	"github.com/releaserhq/releaser/internal/tomlquote"
	"regexp"
	"strconv"
	"strings"
	"text/template"
)

// File is one file to write.
type File struct {
	// Path is relative to the project directory, in slash form.
	Path    string
	Content []byte
}

// ConfigFile is where Render puts release.toml.
const ConfigFile = "release.toml"

//go:embed templates/*.tmpl
var templateFS embed.FS

var templates = template.Must(template.New("").Funcs(template.FuncMap{
	"toml":     tomlquote.String,
	"tomlList": tomlquote.List,
	"yaml":     yamlScalar,
	"join":     strings.Join,
	"inc":      func(i int) int { return i + 1 },
	"uses":     usesPinned,
}).Option("missingkey=error").ParseFS(templateFS, "templates/*.tmpl"))

// Render returns release.toml and .github/workflows/<Workflow> for p. The
// output depends only on p and o, so it can be compared with golden files.
func Render(p *Project, o Options) ([]File, error) {
	m, err := newModel(p, o)
	if err != nil {
		return nil, err
	}
	out := []File{
		{Path: ConfigFile},
		{Path: ".github/workflows/" + m.Opt.Workflow},
	}
	for i, name := range []string{"release.toml.tmpl", "release.yml.tmpl"} {
		var b bytes.Buffer
		if err := templates.ExecuteTemplate(&b, name, m); err != nil {
			return nil, fmt.Errorf("render %s: %w", out[i].Path, err)
		}
		out[i].Content = b.Bytes()
	}
	return out, nil
}

// usesPinned is a `uses:` value from the pin table, with the version as the
// comment that update tools and reviewers read.
func usesPinned(action string) (string, error) {
	p, ok := pins[action]
	if !ok {
		return "", fmt.Errorf("no pin for %s: add it to pins.go", action)
	}
	return action + "@" + p.SHA + " # " + p.Version, nil
}

var rePlainYAML = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9._-]*$`)

// yamlScalar writes s plain when YAML reads it back as the same string, else
// double-quoted (JSON quoting is valid YAML for the ASCII the options allow).
func yamlScalar(s string) string {
	switch strings.ToLower(s) {
	case "true", "false", "yes", "no", "on", "off", "y", "n", "null":
		return strconv.Quote(s)
	}
	if rePlainYAML.MatchString(s) {
		return s
	}
	return strconv.Quote(s)
}
