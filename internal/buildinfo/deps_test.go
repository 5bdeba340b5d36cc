package buildinfo

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

const regenerate = "run `go run ./internal/buildinfo/cmd/deps -w` and write the Why of every new row"

// TestDependenciesDocumented holds docs/DEPENDENCIES.md to the modules
// `go version -m` reports for the binary scripts/action-build makes.
func TestDependenciesDocumented(t *testing.T) {
	t.Parallel()
	b := releaserBinary(t)
	out, err := exec.Command("go", "version", "-m", b.bin).CombinedOutput()
	if err != nil {
		t.Fatalf("go version -m: %v\n%s", err, out)
	}
	linked, err := ParseVersionM(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(linked) == 0 {
		t.Fatalf("go version -m named no dependency:\n%s", out)
	}
	root := moduleRoot(t)
	md, err := os.ReadFile(filepath.Join(root, DependenciesDoc))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := ParseDependencies(md)
	if err != nil {
		t.Fatal(err)
	}
	for _, problem := range compareDoc(linked, doc.Rows) {
		t.Errorf("%s: %s", DependenciesDoc, problem)
	}
	if t.Failed() {
		t.Log(regenerate)
	}

	// The generator reads go list, not a binary: it must see what the linker records.
	pkgs, err := ListDeps(root, "./cmd/releaser")
	if err != nil {
		t.Fatal(err)
	}
	g, err := Analyze(pkgs)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := versionTexts(g.Modules()), versionTexts(linked); got != want {
		t.Errorf("cmd/deps (go list -deps) sees other modules than go version -m:\n%s\nwant:\n%s", got, want)
	}
}

// compareDoc names every difference between the linked modules and the
// documented rows, and every row whose Why nobody wrote.
func compareDoc(linked []Module, rows []DocRow) []string {
	var problems []string
	documented := map[string]DocRow{}
	for _, r := range rows {
		documented[r.Path] = r
	}
	isLinked := map[string]bool{}
	for _, m := range linked {
		isLinked[m.Path] = true
		r, ok := documented[m.Path]
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("missing %s %s (linked into releaser)", m.Path, m.VersionText()))
		case r.Version != m.VersionText():
			problems = append(problems, fmt.Sprintf("line %d: %s is listed at %s; releaser links %s", r.Line, m.Path, r.Version, m.VersionText()))
		}
	}
	for _, r := range rows {
		if !isLinked[r.Path] {
			problems = append(problems, fmt.Sprintf("line %d: %s %s is listed but not linked into releaser", r.Line, r.Path, r.Version))
		}
		if strings.TrimSpace(r.Why) == "" || strings.HasPrefix(r.Why, todoWhy) {
			problems = append(problems, fmt.Sprintf("line %d: %s needs its Why: which releaser package needs it, for what", r.Line, r.Path))
		}
	}
	return problems
}

func versionTexts(mods []Module) string {
	var lines []string
	for _, m := range mods {
		lines = append(lines, m.Path+" "+m.VersionText())
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}
