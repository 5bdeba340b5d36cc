package sample

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// plainVersion is the only version form on which PEP 440, SemVer (npm, Cargo) and
// RubyGems agree byte for byte; pre-releases are spelled differently in each.
var plainVersion = regexp.MustCompile(`^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$`)

// readVersion reads srcDir/VERSION, the one place the example's version is set.
func readVersion(srcDir string) (string, error) {
	p := filepath.Join(srcDir, "VERSION")
	b, err := os.ReadFile(p)
	if err != nil {
		return "", fmt.Errorf("read version: %w", err)
	}
	v := strings.TrimSpace(string(b))
	if !plainVersion.MatchString(v) {
		return "", fmt.Errorf("%s: version %q is not MAJOR.MINOR.PATCH (e.g. 1.2.3); pre-release forms differ between Python, npm, Cargo and RubyGems, so the sample only accepts plain numbers", p, v)
	}
	return v, nil
}

// sameVersion checks that a manifest repeats VERSION, so a bump cannot reach one
// ecosystem and silently miss another.
func sameVersion(file, field, got, want string) error {
	if got == want {
		return nil
	}
	if got == "" {
		return fmt.Errorf("%s: %s is missing; set it to %q (the content of VERSION)", file, field, want)
	}
	return fmt.Errorf("%s: %s is %q but VERSION says %q; set both to the same version", file, field, got, want)
}
