package audit

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Text writes the report for a terminal: the chains, then a table per release with one
// row per rule and its evidence below the first line. Text from the logs is escaped
// (displaySafe), so a hostile log cannot move the cursor or fake a line.
func (r Report) Text(w io.Writer) error { return r.write(w, FormatText) }

type textFormat struct{}

func (textFormat) head(bw *bufio.Writer, h *reportHead) {
	verdict := "ok"
	if h.failed {
		verdict = "FAILED"
	}
	fmt.Fprintf(bw, "releaser audit: %s (%s, %s)\n", verdict, plural(len(h.chains), "log"), plural(h.releases, "release"))

	if len(h.chains) > 0 {
		fmt.Fprintln(bw, "\nlogs")
		width := 0
		for _, c := range h.chains {
			width = max(width, len(displaySafe(c.Source)))
		}
		for _, c := range h.chains {
			if c.OK {
				fmt.Fprintf(bw, "  %-6s  %-*s  %s verified\n", "ok", width, displaySafe(c.Source), plural(c.Events, "event"))
			} else {
				fmt.Fprintf(bw, "  %-6s  %-*s  %s\n", "BROKEN", width, displaySafe(c.Source), displaySafe(c.Error))
			}
		}
	}
}

func (textFormat) release(bw *bufio.Writer, h *reportHead, _ int, rel *ReleaseReport) {
	// Written piece by piece rather than with fmt: a large audit has many rows. The
	// layout is "  %-*s  %-6s  %s\n" for each row.
	width := h.ruleWidth
	bw.WriteByte('\n')
	bw.WriteString(displayID(rel.ID))
	bw.WriteString("  ")
	bw.WriteString(strings.ToUpper(string(rel.status())))
	bw.WriteByte('\n')
	textRow(bw, width, "RULE", "STATUS", "EVIDENCE")
	indent := 2 + width + 2 + 6 + 2
	for _, f := range rel.Findings {
		ev := f.Evidence
		first := ""
		if len(ev) > 0 {
			first = displaySafe(ev[0])
		}
		textRow(bw, width, displaySafe(f.Rule), displaySafe(string(f.Status)), first)
		for _, e := range ev[min(1, len(ev)):] {
			spaces(bw, indent)
			bw.WriteString(displaySafe(e))
			bw.WriteByte('\n')
		}
	}
}

// textRow writes fmt.Sprintf("  %-*s  %-6s  %s\n", width, rule, status, evidence).
// fmt pads by runes, so the padding counts runes too.
func textRow(bw *bufio.Writer, width int, rule, status, evidence string) {
	bw.WriteString("  ")
	bw.WriteString(rule)
	spaces(bw, width-utf8.RuneCountInString(rule)+2)
	bw.WriteString(status)
	spaces(bw, 6-utf8.RuneCountInString(status)+2)
	bw.WriteString(evidence)
	bw.WriteByte('\n')
}

func spaces(bw *bufio.Writer, n int) {
	const blank = "                                                                "
	for n > 0 {
		k := min(n, len(blank))
		bw.WriteString(blank[:k])
		n -= k
	}
}

func (textFormat) tail(*bufio.Writer, *reportHead) {}

// displayID names a release; events recorded before the release was known carry none.
func displayID(id string) string {
	if id == "" {
		return "(no release)"
	}
	return displaySafe(id)
}

func plural(n int, what string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", what)
	}
	return fmt.Sprintf("%d %ss", n, what)
}
