package audit

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// Text writes the report for a terminal: the chains, then a table per release with one
// row per rule and its evidence below the first line. Text from the logs is escaped
// (displaySafe), so a hostile log cannot move the cursor or fake a line.
func (r Report) Text(w io.Writer) error {
	bw := bufio.NewWriter(w)
	verdict := "ok"
	if r.failed() {
		verdict = "FAILED"
	}
	fmt.Fprintf(bw, "releaser audit: %s (%s, %s)\n", verdict, plural(len(r.Chains), "log"), plural(len(r.Releases), "release"))

	if len(r.Chains) > 0 {
		fmt.Fprintln(bw, "\nlogs")
		width := 0
		for _, c := range r.Chains {
			width = max(width, len(displaySafe(c.Source)))
		}
		for _, c := range r.Chains {
			if c.OK {
				fmt.Fprintf(bw, "  %-6s  %-*s  %s verified\n", "ok", width, displaySafe(c.Source), plural(c.Events, "event"))
			} else {
				fmt.Fprintf(bw, "  %-6s  %-*s  %s\n", "BROKEN", width, displaySafe(c.Source), displaySafe(c.Error))
			}
		}
	}

	width := len("RULE")
	for _, rel := range r.Releases {
		for _, f := range rel.Findings {
			width = max(width, len(displaySafe(f.Rule)))
		}
	}
	indent := strings.Repeat(" ", 2+width+2+6+2)
	for _, rel := range r.Releases {
		fmt.Fprintf(bw, "\n%s  %s\n", displayID(rel.ID), strings.ToUpper(string(rel.status())))
		fmt.Fprintf(bw, "  %-*s  %-6s  %s\n", width, "RULE", "STATUS", "EVIDENCE")
		for _, f := range rel.Findings {
			ev := f.Evidence
			first := ""
			if len(ev) > 0 {
				first = displaySafe(ev[0])
			}
			fmt.Fprintf(bw, "  %-*s  %-6s  %s\n", width, displaySafe(f.Rule), displaySafe(string(f.Status)), first)
			for _, e := range ev[min(1, len(ev)):] {
				fmt.Fprintf(bw, "%s%s\n", indent, displaySafe(e))
			}
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write audit report: %w", err)
	}
	return nil
}

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
