package workflowlint

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestLintErrors(t *testing.T) {
	tests := []struct {
		name, src string
		want      string
	}{
		{"invalid YAML", "jobs:\n  a: [\n", "w.yml: invalid YAML: yaml: line"},
		{"tab indentation", "jobs:\n\ta: {}\n", "invalid YAML"},
		{"two documents", "jobs: {}\n---\njobs: {}\n", "w.yml:2: more than one YAML document"},
		{"a trailing document separator", "jobs: {}\n---\n", "more than one YAML document"},
		{"bad second document", "jobs: {}\n---\n[\n", "invalid YAML after the first document"},
		{"empty file", "", "holds no YAML document"},
		{"comments only", "# nothing\n", "holds no YAML document"},
		{"null document", "~\n", "not a workflow: the top level is not a mapping"},
		{"a list", "- jobs\n", "w.yml:1:1: not a workflow: the top level is not a mapping"},
		{"no jobs", "on: push\nname: x\n", "not a workflow: no `jobs:` key"},
		{"jobs is a list", "on: push\njobs:\n  - build\n", "w.yml:2:1: not a workflow: `jobs:` is not a mapping"},
		{"jobs is empty", "on: push\njobs:\n", "w.yml:2:1: not a workflow: `jobs:` is not a mapping"},
		{"not UTF-8", "jobs: {a: \xff}\n", "not UTF-8"},
		{"UTF-16", "\xff\xfej\x00o\x00b\x00s\x00:\x00 \x00{\x00}\x00\n\x00", "not UTF-8"},
		{"unknown anchor", "jobs: *nope\n", "invalid YAML"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs, err := Lint("w.yml", []byte(tt.src), Options{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q (findings %v)", err, tt.want, fs)
			}
		})
	}
}

func TestLintEmptyResultIsNotNil(t *testing.T) {
	fs, err := Lint("w.yml", []byte("permissions: {}\njobs: {}\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(fs)
	if string(b) != "[]" {
		t.Errorf("JSON of no findings = %s, want []", b)
	}
}

func TestUTF8ByteOrderMark(t *testing.T) {
	fs := mustLint(t, "\xef\xbb\xbfon: workflow_run\npermissions: {}\njobs: {}\n", Options{})
	if got := at(fs, ruleDangerousTriggers); len(got) != 1 || got[0] != "1:5" {
		t.Errorf("positions %v, want [1:5]", got)
	}
}

func TestFindingFormats(t *testing.T) {
	f := Finding{
		File: ".github/workflows/release.yml", Line: 12, Column: 7, Rule: "artipacked",
		Severity: SeverityError, Message: "job \"x\": m", Why: "because", Fix: "do this",
	}
	if got, want := f.String(), `.github/workflows/release.yml:12:7: artipacked: job "x": m`; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	var b bytes.Buffer
	if err := Text(&b, []Finding{f, f}); err != nil {
		t.Fatal(err)
	}
	one := ".github/workflows/release.yml:12:7: [error] artipacked: job \"x\": m\n    why: because\n    fix: do this\n"
	if b.String() != one+one {
		t.Errorf("Text =\n%s\nwant\n%s", b.String(), one+one)
	}
	js, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"file":".github/workflows/release.yml","line":12,"column":7,"rule":"artipacked","severity":"error","message":"job \"x\": m","why":"because","fix":"do this"}`
	if string(js) != want {
		t.Errorf("JSON = %s\nwant   %s", js, want)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestTextReportsWriteErrors(t *testing.T) {
	err := Text(failingWriter{}, []Finding{{File: "f", Line: 1, Column: 1}})
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("err = %v", err)
	}
}

func TestRulesCatalogue(t *testing.T) {
	want := []string{"dangerous-triggers", "unpinned-uses", "excessive-permissions", "id-token-scope",
		"artipacked", "publish-without-environment", "template-injection"}
	rs := Rules()
	if len(rs) != len(want) {
		t.Fatalf("%d rules, want %d", len(rs), len(want))
	}
	for i, r := range rs {
		if r.ID != want[i] {
			t.Errorf("rule %d is %q, want %q", i, r.ID, want[i])
		}
		if r.Title == "" || r.Why == "" || r.Fix == "" || r.Severity != SeverityError {
			t.Errorf("rule %s incomplete: %+v", r.ID, r)
		}
		if strings.Contains(r.Title, "\n") {
			t.Errorf("rule %s: title is not one line", r.ID)
		}
	}
	rs[0].ID = "changed"
	if Rules()[0].ID != want[0] {
		t.Error("Rules() hands out the package's own slice")
	}
}

// TestFindingsAreSortedAndComplete: every finding of the corpus is sorted, names a rule
// from the catalogue, and says what, why and how to fix.
func TestFindingsAreSortedAndComplete(t *testing.T) {
	for _, path := range corpus(t, "bad") {
		fs := lintFile(t, path, Options{})
		for i, f := range fs {
			if _, ok := ruleByID[f.Rule]; !ok {
				t.Errorf("%s: unknown rule", f)
			}
			if f.Message == "" || f.Why == "" || f.Fix == "" || f.File != path {
				t.Errorf("%s: incomplete finding %+v", path, f)
			}
			if strings.ContainsAny(f.Message, "\n\r") {
				t.Errorf("%s: message is not one line", f)
			}
			if i > 0 {
				p := fs[i-1]
				if p.Line > f.Line || p.Line == f.Line && (p.Column > f.Column || p.Column == f.Column && p.Rule > f.Rule) {
					t.Errorf("%s: not sorted after %s", f, p)
				}
			}
		}
	}
}

// TestSourceLinesMatchYAML: the lint's line splitting agrees with yaml.v3's line numbers
// for every kind of line break YAML knows.
func TestSourceLinesMatchYAML(t *testing.T) {
	for _, brk := range []string{"\n", "\r\n", "\r", "\u0085", "\u2028", "\u2029"} {
		src := strings.Join([]string{"a: 1", "b: 2", "", "c: 3"}, brk)
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
			t.Fatalf("%q: %v", brk, err)
		}
		s := newSourceText([]byte(src))
		m := doc.Content[0]
		for i := 0; i < len(m.Content); i += 2 {
			k := m.Content[i]
			if got := string(s.line(k.Line)); !strings.HasPrefix(got, k.Value+":") {
				t.Errorf("break %q: yaml puts key %q on line %d, which the lint reads as %q", brk, k.Value, k.Line, got)
			}
		}
	}
}
