package workflowlint

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/findings.golden from the bad workflows")

func init() {
	// A position outside the file panics in tests instead of being clamped.
	strictPositions = true
}

func corpus(t testing.TB, kind string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "workflows", kind, "*.yml"))
	if err != nil {
		t.Fatal(err)
	}
	return files // Glob sorts by name
}

func lintFile(t *testing.T, path string, opts Options) []Finding {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fs, err := Lint(filepath.ToSlash(path), src, opts)
	if err != nil {
		t.Fatalf("Lint(%s): %v", path, err)
	}
	return fs
}

func TestGoodWorkflowsHaveNoFindings(t *testing.T) {
	files := corpus(t, "good")
	if len(files) < 4 {
		t.Fatalf("%d good workflows, want at least 4", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			for _, finding := range lintFile(t, f, Options{}) {
				t.Errorf("unexpected finding: %s [%s]", finding, finding.Severity)
			}
		})
	}
}

// TestREADMEHardenedWorkflow lints the workflow the README recommends, so the README
// cannot drift into advice the lint refuses: the only findings allowed are its unfilled
// placeholder pins, and once they hold a SHA there are none.
func TestREADMEHardenedWorkflow(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)## A hardened release workflow\n.*?```yaml\n(.*?)```").FindSubmatch(readme)
	if m == nil {
		t.Fatal(`README.md has no "A hardened release workflow" section with a yaml block`)
	}
	fs, err := Lint("README.md", m[1], Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		if f.Rule != ruleUnpinnedUses || f.Severity != SeverityError || !strings.Contains(f.Message, "placeholder not filled in") {
			t.Errorf("README workflow: %s [%s]", f, f.Severity)
		}
	}
	pin := regexp.MustCompile(`(uses: [^@\s]+@)(\S+)( # )v\S+`)
	filled := pin.ReplaceAllFunc(m[1], func(use []byte) []byte {
		parts := pin.FindSubmatch(use)
		if !placeholder.Match(parts[2]) {
			return use
		}
		return []byte(string(parts[1]) + "0123456789abcdef0123456789abcdef01234567 # v1.0.0")
	})
	fs, err = Lint("README.md", filled, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		t.Errorf("README workflow with its pins filled in: %s [%s]", f, f.Severity)
	}
}

// TestBadWorkflowsFindTheirRule: bad/<rule>-N.yml must produce a finding of <rule>, and
// every rule has at least two bad examples (template-injection three).
func TestBadWorkflowsFindTheirRule(t *testing.T) {
	perRule := map[string]int{}
	for _, f := range corpus(t, "bad") {
		base := strings.TrimSuffix(filepath.Base(f), ".yml")
		rule := base[:strings.LastIndex(base, "-")]
		if _, ok := ruleByID[rule]; !ok {
			t.Errorf("%s: no rule %q", f, rule)
			continue
		}
		perRule[rule]++
		found := false
		for _, finding := range lintFile(t, f, Options{}) {
			found = found || finding.Rule == rule
		}
		if !found {
			t.Errorf("%s: no %s finding", f, rule)
		}
	}
	for _, r := range Rules() {
		want := 2
		if r.ID == ruleTemplateInjection {
			want = 3
		}
		if perRule[r.ID] < want {
			t.Errorf("rule %s: %d bad examples, want at least %d", r.ID, perRule[r.ID], want)
		}
	}
}

// TestBadWorkflowsGolden pins every finding of the bad corpus, position and wording
// included. Regenerate with go test -update after checking the diff by hand.
func TestBadWorkflowsGolden(t *testing.T) {
	var out bytes.Buffer
	for _, f := range corpus(t, "bad") {
		if err := Text(&out, lintFile(t, f, Options{})); err != nil {
			t.Fatal(err)
		}
	}
	golden := filepath.Join("testdata", "findings.golden")
	if *update {
		if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got := out.String(); got != string(want) {
		t.Errorf("findings differ from %s (go test -update rewrites it):\n%s", golden, diffLines(string(want), got))
	}
}

// diffLines shows the first lines that differ, enough to see what changed.
func diffLines(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < max(len(w), len(g)) && shown < 10; i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			b.WriteString("- " + wl + "\n+ " + gl + "\n")
			shown++
		}
	}
	return b.String()
}
