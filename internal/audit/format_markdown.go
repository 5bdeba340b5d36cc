package audit

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// Markdown writes the report as GitHub-flavoured Markdown for a step summary or an
// issue: a table of the chains and a table per release. Everything that comes from a
// log (sources, release ids, evidence, errors) is written as a code span, so it can
// neither format nor link nor mention anyone, and it cannot break out of its table
// cell (pipes are escaped, control characters shown as escapes).
func (r Report) Markdown(w io.Writer) error { return r.write(w, FormatMarkdown) }

type markdownFormat struct{}

func (markdownFormat) head(bw *bufio.Writer, h *reportHead) {
	verdict := "passed"
	if h.failed {
		verdict = "FAILED"
	}
	fmt.Fprintf(bw, "## releaser audit: %s\n\n%s, %s.\n", verdict, plural(len(h.chains), "log"), plural(h.releases, "release"))

	if len(h.chains) > 0 {
		fmt.Fprint(bw, "\n| Log | Chain | Events | Error |\n|---|---|---:|---|\n")
		for _, c := range h.chains {
			state, errText := "ok", ""
			if !c.OK {
				state, errText = "**broken**", mdCode(c.Error)
			}
			fmt.Fprintf(bw, "| %s | %s | %d | %s |\n", mdCode(c.Source), state, c.Events, errText)
		}
	}
}

func (markdownFormat) release(bw *bufio.Writer, _ *reportHead, _ int, rel *ReleaseReport) {
	fmt.Fprintf(bw, "\n### %s: %s\n\n| Rule | Status | Evidence |\n|---|---|---|\n", mdCode(displayID(rel.ID)), mdStatus(rel.status()))
	for _, f := range rel.Findings {
		fmt.Fprintf(bw, "| %s | %s | ", mdCode(f.Rule), mdStatus(f.Status))
		for i, e := range f.Evidence {
			if i > 0 {
				bw.WriteString("<br>")
			}
			bw.WriteString(mdCode(e))
		}
		bw.WriteString(" |\n")
	}
}

func (markdownFormat) tail(*bufio.Writer, *reportHead) {}

func mdStatus(s Status) string {
	switch s {
	case StatusPass:
		return "pass"
	case StatusFail:
		return "**FAIL**"
	case StatusNA:
		return "n/a"
	}
	return mdCode(string(s))
}

// mdCode renders s as an inline code span inside a table cell. The fence is one
// backtick longer than the longest run of backticks in s; a space pads a span that
// starts or ends with a backtick (CommonMark strips one such space on each side); a
// pipe is escaped, which GFM tables require even inside code spans. GFM splits cells
// treating "\x" as one escaped character, so a backslash right before an escaped pipe
// would pair with the escape and free the pipe: a zero-width space keeps them apart.
func mdCode(s string) string {
	s = displaySafe(s)
	if s == "" {
		return ""
	}
	longest, run := 0, 0
	for _, c := range s {
		if c == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	s = strings.ReplaceAll(s, `\|`, "\\\u200b|")
	s = strings.ReplaceAll(s, "|", `\|`)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") || (strings.HasPrefix(s, " ") && strings.HasSuffix(s, " ")) {
		s = " " + s + " "
	}
	return fence + s + fence
}
