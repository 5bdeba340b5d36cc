package scaffold

import (
	"fmt"
	"regexp"
)

// Kind of project found.
type Kind string

// The kinds Detect knows, each published to one registry.
const (
	Python Kind = "python"
	Npm    Kind = "npm"
	Rust   Kind = "rust"
	Ruby   Kind = "ruby"
)

// Kinds lists every kind in the order Detect reports them.
var Kinds = []Kind{Python, Npm, Rust, Ruby}

// kindInfo is what release.toml needs to know about a kind.
type kindInfo struct {
	registry  string   // [[registry]].kind
	display   string   // the registry as people call it
	artifacts []string // [build].artifacts globs
	// name is the registry's package-name rule (as internal/config checks it),
	// enforced here too because names are written into TOML, YAML comments and
	// a shell command.
	name     *regexp.Regexp
	nameRule string
}

var kindInfos = map[Kind]kindInfo{
	Python: {"pypi", "PyPI", []string{"*.whl", "*.tar.gz"},
		regexp.MustCompile(`(?i)^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$`),
		"letters, digits, '.', '_' and '-', starting and ending with a letter or digit"},
	Npm: {"npm", "npm", []string{"*.tgz"},
		regexp.MustCompile(`^(@[a-z0-9][a-z0-9._~-]*/)?[a-z0-9][a-z0-9._~-]*$`),
		"lower case letters, digits, '.', '_', '~' and '-', optionally scoped (@scope/name)"},
	Rust: {"crates", "crates.io", []string{"*.crate"},
		regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]{0,63}$`),
		"a letter, then letters, digits, '_' or '-', at most 64 characters"},
	Ruby: {"rubygems", "RubyGems", []string{"*.gem"},
		regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`),
		"letters, digits, '.', '_' and '-'"},
}

// checkName enforces the registry's package-name rule.
func checkName(k Kind, name string) error {
	info, ok := kindInfos[k]
	if !ok {
		return fmt.Errorf("unknown kind %q", k)
	}
	if len(name) > 214 || !info.name.MatchString(name) {
		return fmt.Errorf("%q is not a valid %s package name (use %s)", name, info.display, info.nameRule)
	}
	return nil
}
