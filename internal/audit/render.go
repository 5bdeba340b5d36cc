package audit

import (
	"bufio"
	"fmt"
	"io"
)

// Format is an output format of a report.
type Format int

// The formats: Report.Text, Report.JSON and Report.Markdown.
const (
	FormatText Format = iota
	FormatJSON
	FormatMarkdown
)

// reportFormat writes a report in parts — what comes before the releases, each
// release, what comes after — so that a ReportWriter can write releases it never held
// all at once. Report.Text, JSON and Markdown are the same parts over a slice.
type reportFormat interface {
	head(b *bufio.Writer, h *reportHead)
	release(b *bufio.Writer, h *reportHead, i int, rr *ReleaseReport)
	tail(b *bufio.Writer, h *reportHead)
}

// reportHead is what the formats need to know about the whole report before its first
// release: the headline, the chains, the counts and the text table's column width.
type reportHead struct {
	failed    bool
	chains    []ChainResult
	releases  int
	ruleWidth int // the widest rule name as displayed, at least len("RULE")
}

func formatOf(f Format) reportFormat {
	switch f {
	case FormatJSON:
		return jsonFormat{}
	case FormatMarkdown:
		return markdownFormat{}
	}
	return textFormat{}
}

// ruleWidth widens w to fit rr's rule names as the text format displays them.
func ruleWidth(w int, rr *ReleaseReport) int {
	w = max(w, len("RULE"))
	for _, f := range rr.Findings {
		w = max(w, len(displaySafe(f.Rule)))
	}
	return w
}

// writeReport writes h and the releases each yields, in order, in format f.
func writeReport(w io.Writer, f Format, h *reportHead, each func(yield func(*ReleaseReport) error) error) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	rf := formatOf(f)
	rf.head(bw, h)
	i := 0
	err := each(func(rr *ReleaseReport) error {
		rf.release(bw, h, i, rr)
		i++
		return nil
	})
	if err != nil {
		return fmt.Errorf("write audit report: %w", err)
	}
	rf.tail(bw, h)
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write audit report: %w", err)
	}
	return nil
}

// write is Report's writer in every format.
func (r Report) write(w io.Writer, f Format) error {
	h := &reportHead{failed: r.failed(), chains: r.Chains, releases: len(r.Releases), ruleWidth: len("RULE")}
	for i := range r.Releases {
		h.ruleWidth = ruleWidth(h.ruleWidth, &r.Releases[i])
	}
	return writeReport(w, f, h, func(yield func(*ReleaseReport) error) error {
		for i := range r.Releases {
			if err := yield(&r.Releases[i]); err != nil {
				return err
			}
		}
		return nil
	})
}
