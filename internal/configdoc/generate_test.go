package configdoc

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/releaserhq/releaser/internal/config"
)

const (
	configDir = "../config"
	reference = "../../docs/CONFIG.md"
	example   = "../../release.toml.example"
)

func generate(t *testing.T, dir string) []byte {
	t.Helper()
	doc, err := Generate(dir)
	if err != nil {
		t.Fatalf("Generate(%s): %v", dir, err)
	}
	return doc
}

func TestReferenceUpToDate(t *testing.T) {
	want := generate(t, configDir)
	got, err := os.ReadFile(reference)
	if err != nil {
		t.Fatalf("docs/CONFIG.md is stale: run go generate ./internal/config (%v)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("docs/CONFIG.md is stale: run go generate ./internal/config\nfirst difference at line %d", firstDiffLine(got, want))
	}
}

func firstDiffLine(a, b []byte) int {
	al, bl := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := range min(len(al), len(bl)) {
		if al[i] != bl[i] {
			return i + 1
		}
	}
	return min(len(al), len(bl)) + 1
}

// TestStaleReferenceDetected edits one doc comment in a copy of the config
// sources: the reference generated from it must change, or
// TestReferenceUpToDate could never fail.
func TestStaleReferenceDetected(t *testing.T) {
	const from, to = "Upper bound for the whole build", "Upper bound, edited, for the whole build"
	dir := copySources(t, func(name, src string) string {
		if name == "config.go" {
			if !strings.Contains(src, from) {
				t.Fatalf("config.go no longer says %q; pick another comment to edit", from)
			}
			return strings.Replace(src, from, to, 1)
		}
		return src
	})
	orig, edited := generate(t, configDir), generate(t, dir)
	if bytes.Equal(orig, edited) {
		t.Fatal("editing a doc comment did not change the reference")
	}
	if !bytes.Contains(edited, []byte(to)) {
		t.Errorf("the edited comment %q is not in the reference", to)
	}
}

func TestUndocumentedFieldIsAnError(t *testing.T) {
	dir := copySources(t, func(name, src string) string {
		if name != "config.go" {
			return src
		}
		// Drop the doc comment above Build.Timeout and Approval.WaitTimer.
		re := regexp.MustCompile(`(?m)^\t// Upper bound for the whole build.*\n(\t\tTimeout|\tTimeout)`)
		src = re.ReplaceAllString(src, "$1")
		re = regexp.MustCompile(`(?m)^(\t//.*\n)+(\tWaitTimer )`)
		return re.ReplaceAllString(src, "$2")
	})
	_, err := Generate(dir)
	if err == nil {
		t.Fatal("Generate accepted fields without doc comments")
	}
	for _, f := range []string{"Build.Timeout", "Approval.WaitTimer"} {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("error does not name %s: %v", f, err)
		}
	}
	if strings.Contains(err.Error(), "Build.OutputDir") {
		t.Errorf("error names a documented field: %v", err)
	}
}

func TestMissingSources(t *testing.T) {
	if _, err := Generate(t.TempDir()); err == nil {
		t.Error("Generate of an empty directory succeeded")
	}
}

// copySources copies the non-test Go files of internal/config to a temp
// directory, passing each through edit.
func copySources(t *testing.T, edit func(name, src string) string) string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(configDir, "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("config sources: %v (%d files)", err, len(files))
	}
	dir := t.TempDir()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Base(f)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(edit(name, string(src))), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestEveryKeyDocumented(t *testing.T) {
	doc := string(generate(t, configDir))
	for _, k := range config.Keys() {
		heading := "\n### `" + k.Path + "`\n"
		if strings.Count(doc, heading) != 1 {
			t.Errorf("%s: want exactly one heading %q", k.Path, strings.TrimSpace(heading))
		}
	}
}

// TestSections checks the table headings: schema order, a table before its
// sub-tables, arrays of tables in [[...]].
func TestSections(t *testing.T) {
	var got []string
	for _, line := range strings.Split(string(generate(t, configDir)), "\n") {
		if strings.HasPrefix(line, "## ") {
			got = append(got, strings.Trim(strings.TrimPrefix(line, "## "), "`"))
		}
	}
	want := []string{"[project]", "[build]", "[[build.command]]", "[attest]", "[approval]", "[identity]", "[[registry]]", "[github]", "[audit]"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("sections:\n got %v\nwant %v", got, want)
	}
}

// missingFromExample are keys release.toml.example may leave out: none —
// the example shows every key in its table.
var missingFromExample = map[string]bool{}

func TestEveryKeyInExample(t *testing.T) {
	shown, err := exampleKeys(example)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range config.Keys() {
		switch {
		case !shown[k.Path] && !missingFromExample[k.Path]:
			t.Errorf("release.toml.example does not show %s (as %s = ... or # %s = ... under [%s])",
				k.Path, last(k.Path), last(k.Path), k.Table)
		case shown[k.Path] && missingFromExample[k.Path]:
			t.Errorf("release.toml.example now shows %s: remove it from missingFromExample", k.Path)
		}
	}
}

var (
	reHeader = regexp.MustCompile(`^\s*\[\[?\s*([A-Za-z0-9_.-]+)\s*\]\]?\s*(#.*)?$`)
	reKey    = regexp.MustCompile(`^\s*#?\s*([A-Za-z0-9_-]+)\s*=`)
)

// exampleKeys returns the dotted keys an example file sets or shows
// commented out, each under the table header above it.
func exampleKeys(path string) (map[string]bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	keys := map[string]bool{}
	table := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if m := reHeader.FindStringSubmatch(line); m != nil {
			table = m[1]
			continue
		}
		if m := reKey.FindStringSubmatch(line); m != nil && table != "" {
			keys[table+"."+m[1]] = true
		}
	}
	return keys, sc.Err()
}

func TestExampleKeys(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "x.toml")
	src := "# top = 1\n[project]\nname = \"x\"\n# version = \"1\"\n# The version, written literally (version = \"1\")\n[[build.command]]\n  argv = []\n#dir = \".\"\n"
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := exampleKeys(p)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"project.name", "project.version", "build.command.argv", "build.command.dir"}
	if len(got) != len(want) {
		t.Errorf("got %v, want %v", got, want)
	}
	for _, k := range want {
		if !got[k] {
			t.Errorf("missing %s in %v", k, got)
		}
	}
}

func last(path string) string { return path[strings.LastIndexByte(path, '.')+1:] }
