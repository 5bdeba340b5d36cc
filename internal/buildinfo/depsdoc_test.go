package buildinfo

import (
	"strings"
	"testing"
)

func TestParseVersionM(t *testing.T) {
	out := "releaser: go1.26.8\n" +
		"\tpath\tgithub.com/releaserhq/releaser/cmd/releaser\n" +
		"\tmod\tgithub.com/releaserhq/releaser\t(devel)\t\n" +
		"\tdep\tgithub.com/BurntSushi/toml\tv1.6.0\th1:dRaEfpa2VI55EwlIW72hMRHdWouJeRF7TPYhI+AUQjk=\n" +
		"\tdep\texample.com/forked\tv1.0.0\n" +
		"\t=>\texample.com/fork\tv1.0.1\th1:abc=\n" +
		"\tdep\texample.com/local\tv0.1.0\n" +
		"\t=>\t../local\t\n" +
		"\tbuild\t-trimpath=true\n"
	mods, err := ParseVersionM([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	got := versionTexts(mods)
	want := "example.com/forked v1.0.0 => example.com/fork v1.0.1\n" +
		"example.com/local v0.1.0 => ../local\n" +
		"github.com/BurntSushi/toml v1.6.0"
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}

	for _, bad := range []string{"\t=>\texample.com/fork\tv1\n", "\tdep\texample.com/x\n"} {
		if _, err := ParseVersionM([]byte(bad)); err == nil {
			t.Errorf("ParseVersionM(%q) accepted it", bad)
		}
	}
}

func TestParseDependencies(t *testing.T) {
	md := "# Dependencies\n\nProse with a | pipe.\n\n" + GeneratedMarker + "\n\n## a\n\n" +
		"| Module | Version | Why |\n| --- | --- | --- |\n" +
		"| `example.com/a` | v1.0.0 | parses things \\| and more |\n" +
		"| `example.com/b` | v1.0.0 => example.com/c v1.0.1 | `example.com/a` | shared |\n"
	doc, err := ParseDependencies([]byte(md))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(string(doc.Intro), GeneratedMarker+"\n") || !strings.Contains(string(doc.Intro), "Prose") {
		t.Errorf("intro = %q", doc.Intro)
	}
	want := []DocRow{
		{Path: "example.com/a", Version: "v1.0.0", Why: "parses things | and more", Line: 11},
		{Path: "example.com/b", Version: "v1.0.0 => example.com/c v1.0.1", Why: "shared", Line: 12},
	}
	if len(doc.Rows) != len(want) {
		t.Fatalf("rows = %+v, want %+v", doc.Rows, want)
	}
	for i := range want {
		if doc.Rows[i] != want[i] {
			t.Errorf("row %d = %+v, want %+v", i, doc.Rows[i], want[i])
		}
	}
}

func TestParseDependenciesRefuses(t *testing.T) {
	tests := []struct{ name, md, want string }{
		{"no marker", "| `example.com/a` | v1 | why |\n", "has no line"},
		{"listed twice", GeneratedMarker + "\n| `example.com/a` | v1 | x |\n| `example.com/a` | v1 | y |\n", "listed again (first on line 2)"},
		{"two paths in a cell", GeneratedMarker + "\n| `example.com/a example.com/b` | v1 | x |\n", "one module path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseDependencies([]byte(tt.md))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want one saying %q", err, tt.want)
			}
		})
	}
}

// pkg builds a go list entry: module "" is the standard library, "main" the
// main module.
func pkg(path, module string, imports ...string) Package {
	p := Package{ImportPath: path, Imports: imports}
	switch module {
	case "":
		p.Standard = true
	case "main":
		p.Module = &ListModule{Path: "example.com/main", Main: true}
	default:
		p.Module = &ListModule{Path: module, Version: "v1.0.0"}
	}
	return p
}

// A direct dependency (d1) that imports another (d2) hands what it reaches
// through d2 to d2; a module reached by two direct ones is shared.
var testGraph = []Package{
	pkg("example.com/main/cmd", "main", "example.com/main/internal/x", "fmt", "d1.example/p"),
	pkg("example.com/main/internal/x", "main", "d2.example/p", "d3.example/p"),
	pkg("fmt", ""),
	pkg("d1.example/p", "d1.example", "only1.example/p", "d2.example/q"),
	pkg("d2.example/p", "d2.example", "shared.example/p"),
	pkg("d2.example/q", "d2.example", "behind2.example/p"),
	pkg("d3.example/p", "d3.example", "shared.example/p"),
	pkg("only1.example/p", "only1.example", "io"),
	pkg("behind2.example/p", "behind2.example"),
	pkg("shared.example/p", "shared.example"),
	pkg("io", ""),
}

func TestAnalyze(t *testing.T) {
	g, err := Analyze(testGraph)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, gr := range g.Groups {
		line := gr.Direct.Path + " [" + strings.Join(gr.Importers, ",") + "]:"
		for _, m := range gr.Indirect {
			line += " " + m.Path
		}
		got = append(got, line)
	}
	for _, s := range g.Shared {
		got = append(got, "shared "+s.Path+" via "+strings.Join(s.Via, ","))
	}
	want := []string{
		"d1.example [cmd]: only1.example",
		"d2.example [internal/x]: behind2.example", // reached only through d1's import of d2/q
		"d3.example [internal/x]:",
		"shared shared.example via d2.example,d3.example",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("groups:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if c := strings.Join(g.Chain["behind2.example"], " → "); c != "cmd → d1.example/p → d2.example/q → behind2.example/p" {
		t.Errorf("chain to behind2.example = %s", c)
	}
	if n := len(g.Modules()); n != 6 {
		t.Errorf("Modules() has %d modules, want 6", n)
	}

	if _, err := Analyze([]Package{pkg("fmt", "")}); err == nil {
		t.Error("Analyze accepted a build without the main module")
	}
}

// RenderDependencies keeps every Why, gives new modules a TODO with their
// import chain, and parses back to the same rows.
func TestRenderDependencies(t *testing.T) {
	g, err := Analyze(testGraph)
	if err != nil {
		t.Fatal(err)
	}
	intro := []byte("# Deps\n\n" + GeneratedMarker + "\n")
	whys := map[string]string{"d1.example": "reads | writes things", "gone.example": "no longer linked"}
	md := RenderDependencies(intro, g, whys)
	doc, err := ParseDependencies(md)
	if err != nil {
		t.Fatalf("%v\n%s", err, md)
	}
	if string(doc.Intro) != string(intro) {
		t.Errorf("intro = %q, want %q", doc.Intro, intro)
	}
	byPath := map[string]DocRow{}
	for _, r := range doc.Rows {
		byPath[r.Path] = r
	}
	if len(byPath) != 6 || byPath["gone.example"].Path != "" {
		t.Errorf("rows = %+v, want the 6 linked modules", doc.Rows)
	}
	if w := byPath["d1.example"].Why; w != "reads | writes things" {
		t.Errorf("d1's Why = %q, want it kept", w)
	}
	if w := byPath["behind2.example"].Why; !strings.HasPrefix(w, todoWhy) || !strings.Contains(w, "d2.example/q") {
		t.Errorf("a new module's Why = %q, want a TODO with its import chain", w)
	}
	// Regenerating from the parsed document changes nothing.
	kept := map[string]string{}
	for _, r := range doc.Rows {
		kept[r.Path] = r.Why
	}
	if again := RenderDependencies(doc.Intro, g, kept); string(again) != string(md) {
		t.Errorf("regenerating changed the document:\n%s\nwas:\n%s", again, md)
	}
}

func TestCompareDoc(t *testing.T) {
	linked := []Module{
		{Path: "example.com/a", Version: "v1.0.0"},
		{Path: "example.com/b", Version: "v1.2.0"},
		{Path: "example.com/c", Version: "v1.0.0"},
	}
	rows := []DocRow{
		{Path: "example.com/a", Version: "v1.0.0", Why: "config parsing", Line: 10},
		{Path: "example.com/b", Version: "v1.1.0", Why: "old", Line: 11},
		{Path: "example.com/old", Version: "v0.1.0", Why: "was used", Line: 12},
		{Path: "example.com/c", Version: "v1.0.0", Why: "TODO: why is it needed?", Line: 13},
	}
	got := compareDoc(linked, rows)
	want := []string{
		"line 11: example.com/b is listed at v1.1.0; releaser links v1.2.0",
		"line 12: example.com/old v0.1.0 is listed but not linked into releaser",
		"line 13: example.com/c needs its Why: which releaser package needs it, for what",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if got := compareDoc(linked, rows[:1]); len(got) != 2 || !strings.HasPrefix(got[0], "missing example.com/b v1.2.0") {
		t.Errorf("with rows missing: %q", got)
	}
}
