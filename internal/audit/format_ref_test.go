package audit

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
)

// The writers as they were when each rendered a whole Report with encoding/json and
// fmt: the part-wise writers (render.go) must write exactly the same bytes.

func refJSON(r Report, w io.Writer) error {
	type jsonFinding struct {
		Rule     string   `json:"rule"`
		Title    string   `json:"title"`
		Status   Status   `json:"status"`
		Evidence []string `json:"evidence"`
	}
	type jsonRelease struct {
		ID       string        `json:"id"`
		Status   Status        `json:"status"`
		Findings []jsonFinding `json:"findings"`
	}
	type jsonChain struct {
		Source string `json:"source"`
		OK     bool   `json:"ok"`
		Events int    `json:"events"`
		Error  string `json:"error,omitempty"`
	}
	out := struct {
		Schema   int           `json:"schema"`
		Failed   bool          `json:"failed"`
		Chains   []jsonChain   `json:"chains"`
		Releases []jsonRelease `json:"releases"`
	}{Schema: JSONSchemaVersion, Failed: r.failed(), Chains: []jsonChain{}, Releases: []jsonRelease{}}
	for _, c := range r.Chains {
		jc := jsonChain{Source: c.Source, OK: c.OK, Events: c.Events}
		if !c.OK {
			jc.Error = c.Error
		}
		out.Chains = append(out.Chains, jc)
	}
	for _, rel := range r.Releases {
		jr := jsonRelease{ID: rel.ID, Status: rel.status(), Findings: []jsonFinding{}}
		for _, f := range rel.Findings {
			ev := f.Evidence
			if ev == nil {
				ev = []string{}
			}
			jr.Findings = append(jr.Findings, jsonFinding{Rule: f.Rule, Title: f.Title, Status: f.Status, Evidence: ev})
		}
		out.Releases = append(out.Releases, jr)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("write audit report: %w", err)
	}
	return nil
}

func refText(r Report, w io.Writer) error {
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

func refMarkdown(r Report, w io.Writer) error {
	bw := bufio.NewWriter(w)
	verdict := "passed"
	if r.failed() {
		verdict = "FAILED"
	}
	fmt.Fprintf(bw, "## releaser audit: %s\n\n%s, %s.\n", verdict, plural(len(r.Chains), "log"), plural(len(r.Releases), "release"))

	if len(r.Chains) > 0 {
		fmt.Fprint(bw, "\n| Log | Chain | Events | Error |\n|---|---|---:|---|\n")
		for _, c := range r.Chains {
			state, errText := "ok", ""
			if !c.OK {
				state, errText = "**broken**", mdCode(c.Error)
			}
			fmt.Fprintf(bw, "| %s | %s | %d | %s |\n", mdCode(c.Source), state, c.Events, errText)
		}
	}
	for _, rel := range r.Releases {
		fmt.Fprintf(bw, "\n### %s: %s\n\n| Rule | Status | Evidence |\n|---|---|---|\n", mdCode(displayID(rel.ID)), mdStatus(rel.status()))
		for _, f := range rel.Findings {
			ev := make([]string, len(f.Evidence))
			for i, e := range f.Evidence {
				ev[i] = mdCode(e)
			}
			fmt.Fprintf(bw, "| %s | %s | %s |\n", mdCode(f.Rule), mdStatus(f.Status), strings.Join(ev, "<br>"))
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write audit report: %w", err)
	}
	return nil
}

// reportFrom builds a report from fuzz input: chains, releases and findings whose
// texts are slices of s, so every byte the fuzzer tries lands in some string.
func reportFrom(shape []byte, s string) Report {
	var r Report
	next := func() string {
		if s == "" {
			return ""
		}
		n := len(s)
		if len(shape) > 0 {
			n = int(shape[0]) % (len(s) + 1)
			shape = shape[1:]
		}
		out := s[:n]
		s = s[n:] + out
		return out
	}
	take := func(m int) int {
		if len(shape) == 0 {
			return 0
		}
		v := int(shape[0]) % m
		shape = shape[1:]
		return v
	}
	statuses := []Status{StatusPass, StatusFail, StatusNA, Status("odd")}
	for range take(3) {
		r.Chains = append(r.Chains, ChainResult{Source: next(), OK: take(2) == 0, Error: next(), Events: take(1000)})
	}
	for range take(4) {
		rr := ReleaseReport{ID: next()}
		for range take(4) {
			f := Finding{Rule: next(), Title: next(), Status: statuses[take(len(statuses))]}
			for range take(4) {
				f.Evidence = append(f.Evidence, next())
			}
			rr.Findings = append(rr.Findings, f)
		}
		r.Releases = append(r.Releases, rr)
	}
	r.Failed = take(2) == 1
	return r
}

func sameReportBytes(t *testing.T, r Report) {
	t.Helper()
	for _, f := range []struct {
		name     string
		got, ref func(io.Writer) error
	}{
		{"json", r.JSON, func(w io.Writer) error { return refJSON(r, w) }},
		{"text", r.Text, func(w io.Writer) error { return refText(r, w) }},
		{"markdown", r.Markdown, func(w io.Writer) error { return refMarkdown(r, w) }},
	} {
		var got, want bytes.Buffer
		if err := f.got(&got); err != nil {
			t.Fatal(err)
		}
		if err := f.ref(&want); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Fatalf("%s differs:\ngot  %q\nwant %q", f.name, got.String(), want.String())
		}
	}
}

// reportStrings are texts that exercise every escape of the three formats.
var reportStrings = []string{
	"", "plain", "a<b>&c", "quote\" back\\slash", "ctl\x00\x01\x1f\x7f", "\b\f\n\r\t", "bad \xff\xfe utf8",
	"sep \u2028 \u2029", "bidi \u202e x", "é ü 日本 🙂", "`tick` ``two``", "pipe | \\| cell", " pad ", strings.Repeat("x", 500),
}

func TestFormatsMatchReference(t *testing.T) {
	sameReportBytes(t, Report{})
	sameReportBytes(t, hostileReport())
	for i, s := range reportStrings {
		for _, shape := range [][]byte{nil, {2, 3, 3, 3, 3}, {1, 1, 0, 1, 2, 1, 2, 3, 1, 1, 3, 0, 5, 7, 9}, {255, 2, 1, 2, 3, 3, 3, 3, 3, 3, byte(i)}} {
			sameReportBytes(t, reportFrom(shape, s))
		}
	}
	whole := auditLogs(t, Policy{}, map[string][]byte{"w.jsonl": readFixture(t, "whole-release.jsonl"), "m.jsonl": readFixture(t, "mutable-later.jsonl")}, "w.jsonl", "m.jsonl")
	sameReportBytes(t, whole)
}

func FuzzReportFormats(f *testing.F) {
	for i, s := range reportStrings {
		f.Add([]byte{2, 3, 3, 3, 3, byte(i)}, s)
	}
	f.Fuzz(func(t *testing.T, shape []byte, s string) {
		sameReportBytes(t, reportFrom(shape, s))
	})
}
