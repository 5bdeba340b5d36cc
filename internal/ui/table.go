package ui

import (
	"strings"
	"text/tabwriter"
)

// Table prints rows under headers in aligned columns on the human stream.
// Rows may be ragged. Cells are flattened to one line (tabs and line breaks
// become spaces) and neutralised before alignment, so a hostile cell
// neither breaks the layout nor becomes a command; the whole table is then
// written through the usual line pipeline.
func (u *UI) Table(headers []string, rows [][]string) {
	if len(headers) == 0 && len(rows) == 0 {
		return
	}
	u.mu.Lock()
	defer u.mu.Unlock()

	var sb strings.Builder
	tw := tabwriter.NewWriter(&sb, 0, 0, 2, ' ', 0)
	writeRow := func(cells []string) {
		for i, c := range cells {
			if i > 0 {
				_, _ = tw.Write([]byte{'\t'})
			}
			_, _ = tw.Write([]byte(u.tableCell(c)))
		}
		_, _ = tw.Write([]byte{'\n'})
	}
	if len(headers) > 0 {
		writeRow(headers)
	}
	for _, r := range rows {
		writeRow(r)
	}
	_ = tw.Flush() // writes to a strings.Builder cannot fail

	lines := safeLines(u.redactLocked(strings.TrimSuffix(sb.String(), "\n")))
	if len(headers) > 0 && u.color {
		lines[0] = ansiBold + lines[0] + ansiReset
	}
	u.writeHumanLocked(strings.Join(lines, "\n") + "\n")
}

var cellFlattener = strings.NewReplacer("\r\n", " ", "\r", " ", "\n", " ", "\t", " ")

func (u *UI) tableCell(c string) string {
	c = strings.ToValidUTF8(u.redactLocked(c), "\uFFFD")
	return neutralize(visible(cellFlattener.Replace(c), false))
}
