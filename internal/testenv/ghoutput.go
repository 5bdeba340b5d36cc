package testenv

import (
	"os"
	"strings"
	"testing"
)

// ReadGitHubOutput parses a GITHUB_OUTPUT file the way the runner does on Linux
// (lines end at \n; NAME=VALUE or NAME<<DELIM ... DELIM).
func ReadGitHubOutput(t testing.TB, path string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	lines := strings.Split(string(b), "\n")
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if line == "" {
			continue
		}
		name, delim, ok := strings.Cut(line, "<<")
		if !ok {
			k, v, _ := strings.Cut(line, "=")
			out[k] = v
			continue
		}
		var value []string
		for i++; ; i++ {
			if i >= len(lines) {
				t.Fatalf("delimiter %q for %q never closed in %q", delim, name, b)
			}
			if lines[i] == delim {
				break
			}
			value = append(value, lines[i])
		}
		out[name] = strings.Join(value, "\n")
	}
	return out
}
