package sample

import (
	"fmt"
	"regexp"
	"strings"
)

// pep508Name is the project-name grammar of the Python packaging specs.
var pep508Name = regexp.MustCompile(`^([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9])$`)

var pepSeparators = regexp.MustCompile(`[-_.]+`)

// wheelName is the distribution name as wheel and sdist file names spell it:
// PEP 503 normalised, then "-" replaced by "_" (PEP 427, PEP 625).
func wheelName(name string) string {
	return strings.ReplaceAll(strings.ToLower(pepSeparators.ReplaceAllString(name, "-")), "-", "_")
}

var (
	npmName   = regexp.MustCompile(`^(@[a-z0-9][a-z0-9._~-]*/)?[a-z0-9][a-z0-9._~-]*$`)
	crateName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]*$`)
	gemName   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
)

// checkName validates a package name before it becomes part of an output file
// name, so a manifest can never steer a write outside OutDir.
func checkName(file, field, name string, re *regexp.Regexp, maxLen int) error {
	if name == "" {
		return fmt.Errorf("%s: %s is missing; set the package name", file, field)
	}
	if len(name) > maxLen || !re.MatchString(name) {
		return fmt.Errorf("%s: %s %q is not a valid package name (want at most %d characters matching %s)", file, field, name, maxLen, re)
	}
	return nil
}

// npmTarball is the file name `npm pack` gives: "@scope/name" becomes "scope-name".
func npmTarball(name, version string) string {
	name = strings.ReplaceAll(strings.TrimPrefix(name, "@"), "/", "-")
	return name + "-" + version + ".tgz"
}
