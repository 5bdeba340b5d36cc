package artifact

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"unicode"
	"unicode/utf8"
)

// checkName validates an artifact name. Names end up in URLs, log lines and
// GitHub workflow commands, so besides path safety they must be valid UTF-8
// (JSON would silently rewrite anything else, breaking the link to the file
// on disk) and free of control characters (a newline could forge a log line).
func checkName(name string) error {
	switch {
	case name == "":
		return errors.New("is empty")
	case name == "." || name == "..":
		return fmt.Errorf("%q is not a file name", name)
	case strings.ContainsAny(name, `/\`):
		return fmt.Errorf("%q contains a path separator; the name is the base name of the file", name)
	}
	return checkText(name)
}

// checkRelPath validates a manifest path: relative, slash-separated, and
// unable to leave the manifest's directory.
func checkRelPath(p string) error {
	switch {
	case p == "":
		return errors.New("is empty")
	case strings.HasPrefix(p, "/"):
		return fmt.Errorf("%q is absolute; paths are relative to the manifest's directory", p)
	case strings.Contains(p, `\`):
		return fmt.Errorf("%q contains a backslash; paths are slash-separated", p)
	case hasDotDot(p):
		return fmt.Errorf("%q contains \"..\"; artifacts must live below the manifest's directory", p)
	case p == "." || !fs.ValidPath(p):
		return fmt.Errorf("%q is not a clean relative file path (no empty, \".\" or trailing elements)", p)
	}
	return checkText(p)
}

func hasDotDot(p string) bool {
	for elem := range strings.SplitSeq(p, "/") {
		if elem == ".." {
			return true
		}
	}
	return false
}

func checkText(s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("%q is not valid UTF-8", s)
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return fmt.Errorf("%q contains a control character", s)
		}
	}
	return nil
}
