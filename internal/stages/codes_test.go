package stages

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/releaserhq/releaser/internal/approval"
)

// codeHelpers may build a Check whose Code is not a constant: they derive it
// from a catalogue map, and are tested on their own (TestFindingCheck).
var codeHelpers = []string{"findingCheck"}

// source is the package's non-test Go files, parsed.
type source struct {
	fset   *token.FileSet
	files  map[string]*ast.File
	consts map[string]string // string constants of the package, name → value
}

func parseSources(t *testing.T, dir string, srcs map[string]string) *source {
	t.Helper()
	s := &source{fset: token.NewFileSet(), files: map[string]*ast.File{}, consts: map[string]string{}}
	if srcs == nil {
		names, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		srcs = map[string]string{}
		for _, n := range names {
			if strings.HasSuffix(n, "_test.go") {
				continue
			}
			b, err := os.ReadFile(n)
			if err != nil {
				t.Fatal(err)
			}
			srcs[filepath.Base(n)] = string(b)
		}
	}
	for name, src := range srcs {
		f, err := parser.ParseFile(s.fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		s.files[name] = f
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, n := range vs.Names {
					if i < len(vs.Values) {
						if v, ok := stringLit(vs.Values[i]); ok {
							s.consts[n.Name] = v
						}
					}
				}
			}
		}
	}
	return s
}

func stringLit(e ast.Expr) (string, bool) {
	bl, ok := e.(*ast.BasicLit)
	if !ok || bl.Kind != token.STRING {
		return "", false
	}
	v, err := strconv.Unquote(bl.Value)
	return v, err == nil
}

func isCheckType(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name == "Check"
	case *ast.SelectorExpr:
		x, ok := e.X.(*ast.Ident)
		return ok && x.Name == "stages" && e.Sel.Name == "Check"
	}
	return false
}

// codeValue resolves a Code value to the code it names: a constant of the
// package or a string literal.
func (s *source) codeValue(e ast.Expr) (string, bool) {
	if id, ok := e.(*ast.Ident); ok {
		v, ok := s.consts[id.Name]
		return v, ok
	}
	return stringLit(e)
}

// codeProblems lists every Check literal without a catalogued Code, and
// every assignment to a Code field of something that is not a catalogued code.
func (s *source) codeProblems(known map[string]bool) []string {
	var problems []string
	report := func(n ast.Node, format string, args ...any) {
		problems = append(problems, fmt.Sprintf("%s: %s", s.fset.Position(n.Pos()), fmt.Sprintf(format, args...)))
	}
	checkValue := func(n ast.Node, v ast.Expr, fn string) {
		code, ok := s.codeValue(v)
		switch {
		case !ok && slices.Contains(codeHelpers, fn):
		case !ok:
			report(n, "Code is %T, not a code constant or string literal", v)
		case !known[code]:
			report(n, "code %q is not in Codes()", code)
		}
	}
	checkLit := func(cl *ast.CompositeLit, fn string) {
		for _, el := range cl.Elts {
			kv, ok := el.(*ast.KeyValueExpr)
			if !ok {
				report(cl, "Check literal without field names")
				return
			}
			if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "Code" {
				checkValue(cl, kv.Value, fn)
				return
			}
		}
		report(cl, "Check literal without a Code")
	}
	for _, name := range slices.Sorted(maps.Keys(s.files)) {
		for _, d := range s.files[name].Decls {
			fn := ""
			if fd, ok := d.(*ast.FuncDecl); ok {
				fn = fd.Name.Name
			}
			ast.Inspect(d, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.CompositeLit:
					if isCheckType(n.Type) {
						checkLit(n, fn)
					}
					// []Check{{...}}: the elements' type is elided.
					if at, ok := n.Type.(*ast.ArrayType); ok && isCheckType(at.Elt) {
						for _, el := range n.Elts {
							if cl, ok := el.(*ast.CompositeLit); ok && cl.Type == nil {
								checkLit(cl, fn)
							}
						}
					}
				case *ast.AssignStmt:
					for i, lhs := range n.Lhs {
						if sel, ok := lhs.(*ast.SelectorExpr); ok && sel.Sel.Name == "Code" && len(n.Rhs) == len(n.Lhs) {
							checkValue(n, n.Rhs[i], fn)
						}
					}
				}
				return true
			})
		}
	}
	return problems
}

// usedCodes are the codes the package's code refers to, outside the
// catalogue itself.
func (s *source) usedCodes() map[string]bool {
	used := map[string]bool{}
	for name, f := range s.files {
		if name == "codes.go" {
			continue
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if e, ok := n.(ast.Expr); ok {
				if v, ok := s.codeValue(e); ok {
					used[v] = true
				}
			}
			return true
		})
	}
	return used
}

func knownCodes() map[string]bool {
	known := map[string]bool{}
	for _, d := range Codes() {
		known[d.Code] = true
	}
	return known
}

func TestCheckLiteralsHaveCodes(t *testing.T) {
	for _, p := range parseSources(t, ".", nil).codeProblems(knownCodes()) {
		t.Error(p)
	}
}

// TestCodeProblemsFindsThem: the source check above catches what it is for.
func TestCodeProblemsFindsThem(t *testing.T) {
	src := `package stages
const CodeGood = "build/clean-tree"
const CodeStray = "build/nope"
func f(x string) []Check {
	a := Check{Name: "no code"}
	b := stages.Check{Name: "stray", Code: CodeStray}
	c := Check{Name: "computed", Code: x}
	a.Code = x
	ok := Check{Name: "fine", Code: CodeGood}
	lit := Check{Name: "literal", Code: "build/head-at-tag"}
	return []Check{{Name: "elided"}, {Name: "elided ok", Code: CodeGood}, a, b, c, ok, lit}
}
func findingCheck(x string) Check { return Check{Name: "helper", Code: x} }
`
	got := parseSources(t, "", map[string]string{"x.go": src}).codeProblems(knownCodes())
	want := []string{"x.go:5:7: Check literal without a Code", `x.go:6:7: code "build/nope" is not in Codes()`,
		"x.go:7:7: Code is *ast.Ident, not a code constant", "x.go:8:2: Code is *ast.Ident", "x.go:11:17: Check literal without a Code"}
	if len(got) != len(want) {
		t.Fatalf("problems:\n%s", strings.Join(got, "\n"))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("problem %d = %q, want %q…", i, got[i], want[i])
		}
	}
}

func TestEveryCodeIsUsed(t *testing.T) {
	used := parseSources(t, ".", nil).usedCodes()
	for _, d := range Codes() {
		if !used[d.Code] {
			t.Errorf("%s is in the catalogue but no check reports it", d.Code)
		}
	}
}

var codeFormat = regexp.MustCompile(`^[a-z]+/[a-z0-9]+(-[a-z0-9]+)*$`)

func TestCodeCatalogue(t *testing.T) {
	seen := map[string]bool{}
	last := 0
	for _, d := range Codes() {
		if seen[d.Code] {
			t.Errorf("%s: duplicate code", d.Code)
		}
		seen[d.Code] = true
		if !codeFormat.MatchString(d.Code) {
			t.Errorf("%s: not <stage>/<slug>", d.Code)
		}
		stage, _, _ := strings.Cut(d.Code, "/")
		if stage != d.Stage {
			t.Errorf("%s: Stage is %q", d.Code, d.Stage)
		}
		if i := slices.Index(Order, d.Stage); i >= 0 {
			if i < last {
				t.Errorf("%s: out of pipeline order", d.Code)
			}
			last = i
		} else if d.Stage != "pipeline" {
			t.Errorf("%s: no stage %q", d.Code, d.Stage)
		}
		for field, text := range map[string]string{"Title": d.Title, "Means": d.Means, "Fix": d.Fix} {
			if strings.TrimSpace(text) == "" {
				t.Errorf("%s: no %s", d.Code, field)
			}
			// An odd number of backticks would turn the rest of the
			// generated page into code.
			if strings.Count(text, "`")%2 != 0 {
				t.Errorf("%s: %s has unbalanced backticks", d.Code, field)
			}
		}
		if got, ok := LookupCode(d.Code); !ok || got != d {
			t.Errorf("LookupCode(%s) = %v, %v", d.Code, got, ok)
		}
	}
	if _, ok := LookupCode("build/nope"); ok {
		t.Error("LookupCode found a code that is not catalogued")
	}
}

// TestFindingCodesComplete: every Setting the approval package can report
// has its own code, read from that package's source so a new setting cannot
// slip through as the environment's catch-all code.
func TestFindingCodesComplete(t *testing.T) {
	src := parseSources(t, filepath.Join("..", "approval"), nil)
	var settings []string
	for _, f := range src.files {
		ast.Inspect(f, func(n ast.Node) bool {
			if kv, ok := n.(*ast.KeyValueExpr); ok {
				if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "Setting" {
					v, ok := src.codeValue(kv.Value)
					if !ok {
						t.Errorf("%s: Setting is not a string literal", src.fset.Position(kv.Pos()))
					}
					settings = append(settings, v)
				}
			}
			return true
		})
	}
	if len(settings) < len(findingCodes) {
		t.Fatalf("found only settings %q in internal/approval", settings)
	}
	for _, s := range settings {
		if _, ok := findingCodes[s]; !ok {
			t.Errorf("approval setting %q has no code in findingCodes", s)
		}
	}
}

func TestFindingCheck(t *testing.T) {
	tests := []struct {
		setting, code string
	}{
		{"required reviewers", CodeApproveRequiredReviewers},
		{"prevent self-review", CodeApprovePreventSelfReview},
		{"admin bypass", CodeApproveAdminBypass},
		{"wait timer", CodeApproveWaitTimer},
		{"deployment policy", CodeApproveDeploymentPolicy},
		{"tag ruleset", CodeApproveRuleset},
		{"something new", CodeApproveEnvironment},
	}
	for _, tt := range tests {
		f := approval.Finding{Setting: tt.setting, Message: "m " + tt.setting, Fix: "f " + tt.setting}
		got := findingCheck("environment release", f)
		want := Check{Name: "environment release", Code: tt.code, Status: StatusFailed, Detail: f.Message, Fix: f.Fix}
		if got != want {
			t.Errorf("findingCheck(%q) = %+v, want %+v", tt.setting, got, want)
		}
	}
}

func TestTroubleshootingUpToDate(t *testing.T) {
	var b bytes.Buffer
	if err := WriteTroubleshootingPage(&b); err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join("..", "..", "docs", "TROUBLESHOOTING.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b.Bytes(), want) {
		t.Errorf("docs/TROUBLESHOOTING.md is stale: run go generate ./internal/stages")
	}
	for _, d := range Codes() {
		for _, s := range []string{`<a id="` + Anchor(d.Code) + `"></a>`, "### `" + d.Code + "` — "} {
			if !strings.Contains(b.String(), s) {
				t.Errorf("the page lacks %q", s)
			}
		}
	}
}

func TestWriteTroubleshootingExtraSections(t *testing.T) {
	var b bytes.Buffer
	err := WriteTroubleshooting(&b, Section{Title: "Workflow lint", Intro: "Rules of <releaser lint>.",
		Entries: []Entry{{Code: "lint/pinned-actions", Title: "actions pinned", Means: "uses: `a/b@<sha>` or a <tag>", Fix: "pin | it"}}})
	if err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"## Exit codes", "| 1 | A precondition failed", "| 3 | A remote service failed",
		"## Preconditions", "## Workflow lint\n\nRules of &lt;releaser lint&gt;.",
		"- [`lint/pinned-actions`](#lint-pinned-actions) — actions pinned",
		"<a id=\"lint-pinned-actions\"></a>\n\n### `lint/pinned-actions` — actions pinned",
		// Inside a code span "<" stays as written; outside it is escaped.
		"**What it means.** uses: `a/b@<sha>` or a &lt;tag&gt;",
		"**Fix.** pin | it",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if strings.Index(out, "## Preconditions") > strings.Index(out, "## Workflow lint") {
		t.Error("extra sections come after the preconditions")
	}
}
