package stages

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/releaserhq/releaser/internal/workflowlint"
)

// Section is a part of docs/TROUBLESHOOTING.md after the preconditions: a
// list of codes from elsewhere (the workflow lint's rules), written the same
// way as the preconditions.
type Section struct {
	Title, Intro string
	Entries      []Entry
}

// Entry documents one code of a Section.
type Entry struct {
	Code, Title, Means, Fix string
}

// Anchor is the HTML id of a code's entry in docs/TROUBLESHOOTING.md, so a
// link survives a change of the entry's title: "build/clean-tree" →
// "build-clean-tree".
func Anchor(code string) string {
	return strings.NewReplacer("/", "-", ".", "-", " ", "-").Replace(strings.ToLower(code))
}

// exitCodes describes the exit-code contract, from the constants the CLI uses.
var exitCodes = []struct {
	code    int
	meaning string
}{
	{ExitOK, "Everything selected ran (or, in a dry run, was planned) and every precondition that can be evaluated held."},
	{ExitPrecondition, "A precondition failed (the failing check prints its code, explained below), a stage is not available in this build, or a stage failed for a reason you fix locally: a build command failed, a registry or GitHub refused a request (4xx), a file changed after the build."},
	{ExitUsage, "Usage or configuration error: an unknown flag or command, or a `release.toml` that does not parse or validate. Nothing was run."},
	{ExitRemote, "A remote service failed: a registry, GitHub, Sigstore or the ID-token issuer was unavailable (5xx, 429 after retries, no answer). Running again is safe: releaser never publishes a file twice."},
}

// WriteTroubleshooting writes docs/TROUBLESHOOTING.md: the exit codes, every
// precondition code (Codes) and then the extra sections, in that order.
func WriteTroubleshooting(w io.Writer, extra ...Section) error {
	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }
	p("# Troubleshooting\n\n")
	p("> Generated — do not edit; run `go generate ./internal/stages`.\n\n")
	p("Every precondition releaser checks has a stable code. A failed check prints it after its name —\n")
	p("`[FAILED] work tree is clean [build/clean-tree]: …` — and `--json` output carries it as `\"code\"`.\n")
	p("Find the code below: what the failure means and how to fix it in general. The check's own\n")
	p("`fix:` line says what to do in the case at hand.\n\n")

	p("## Exit codes\n\n")
	p("| Exit code | Meaning |\n|---|---|\n")
	for _, e := range exitCodes {
		p("| %d | %s |\n", e.code, escapeCell(e.meaning))
	}
	p("\n")
	p("A check that cannot be evaluated where releaser runs is not a failure in a dry run or `releaser check`:\n")
	p("`%s` (only the release job has it: the ID token, the run's approvals) and `%s`\n", StatusNeedsCI, StatusNeedsToken)
	p("(no `GITHUB_TOKEN`, `GH_TOKEN` or `gh auth token` here). A real run stops on both (exit code %d).\n\n", ExitPrecondition)

	for _, s := range append([]Section{preconditions()}, extra...) {
		writeSection(p, s)
	}
	return bw.Flush()
}

// preconditions is the catalogue as a Section.
func preconditions() Section {
	s := Section{Title: "Preconditions",
		Intro: "One entry per code, in pipeline order (build → attest → approve → exchange → publish → finalize). " +
			"In a title, … stands for the part that varies: a command, an environment, a registry."}
	for _, d := range codeDocs {
		s.Entries = append(s.Entries, Entry{Code: d.Code, Title: d.Title, Means: d.Means, Fix: d.Fix})
	}
	return s
}

func writeSection(p func(string, ...any), s Section) {
	p("## %s\n\n", escapeText(s.Title))
	if s.Intro != "" {
		p("%s\n\n", escapeText(s.Intro))
	}
	// An index first: a failure's code finds its entry at a glance.
	for _, e := range s.Entries {
		p("- [`%s`](#%s) — %s\n", e.Code, Anchor(e.Code), escapeText(e.Title))
	}
	p("\n")
	for _, e := range s.Entries {
		p("<a id=\"%s\"></a>\n\n", Anchor(e.Code))
		p("### `%s` — %s\n\n", e.Code, escapeText(e.Title))
		p("**What it means.** %s\n\n", escapeText(e.Means))
		p("**Fix.** %s\n\n", escapeText(e.Fix))
	}
}

// escapeText keeps prose from turning into HTML: "<" outside code spans
// would start a tag. Code spans are left as written.
func escapeText(s string) string {
	parts := strings.Split(s, "`")
	for i := 0; i < len(parts); i += 2 {
		parts[i] = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(parts[i])
	}
	return strings.Join(parts, "`")
}

// escapeCell is escapeText for a table cell, where "|" ends the cell.
func escapeCell(s string) string { return strings.ReplaceAll(escapeText(s), "|", `\|`) }

// LintSection documents the workflow-lint rules on the troubleshooting page:
// they are what a failed exchange/workflow-lint check, and
// `releaser lint-workflow`, report.
func LintSection() Section {
	s := Section{
		Title: "Workflow-lint rules",
		Intro: "`releaser lint-workflow` and the exchange stage's `exchange/workflow-lint` precondition report these rules (ids as zizmor names them, where it has one). Each finding names the file, line and column.",
	}
	for _, r := range workflowlint.Rules() {
		s.Entries = append(s.Entries, Entry{Code: r.ID, Title: r.Title + " (" + string(r.Severity) + ")", Means: r.Why, Fix: r.Fix})
	}
	return s
}

// WriteTroubleshootingPage writes docs/TROUBLESHOOTING.md: the exit codes,
// every precondition code and every workflow-lint rule.
func WriteTroubleshootingPage(w io.Writer) error { return WriteTroubleshooting(w, LintSection()) }
