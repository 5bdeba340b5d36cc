package audit

import (
	"bytes"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"
)

// TestReportWriter: releases added in any order, from several goroutines, come out
// oldest first (then by ID) exactly as Report writes them; withdrawn ones not at all;
// and without a usable temporary directory everything stays in memory.
func TestReportWriter(t *testing.T) {
	base := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	type rel struct {
		rr    ReleaseReport
		first time.Time
	}
	var rels []rel
	for i := range 30 {
		status := StatusPass
		if i == 17 {
			status = StatusFail
		}
		rels = append(rels, rel{ReleaseReport{ID: fmt.Sprintf("r%02d@1", (i*7)%30), Findings: []Finding{
			{Rule: "tokens", Title: "t", Status: status, Evidence: []string{fmt.Sprintf("a:%d: x", i)}},
			{Rule: "a-much-longer-rule-name", Title: "u", Status: StatusNA},
		}}, base.Add(time.Duration(i%5) * time.Hour)})
	}
	// Report's order: by first time, then by ID.
	var want Report
	for h := range 5 {
		var ids []string
		byID := map[string]ReleaseReport{}
		for _, r := range rels {
			if r.first.Equal(base.Add(time.Duration(h) * time.Hour)) {
				ids = append(ids, r.rr.ID)
				byID[r.rr.ID] = r.rr
			}
		}
		slices.Sort(ids)
		for _, id := range ids {
			want.Releases = append(want.Releases, byID[id])
		}
	}
	chains := []ChainResult{{Source: "a", OK: true, Events: 3}}
	want.Chains = chains

	for _, tt := range []struct {
		name   string
		spool  int
		tmpdir string
	}{
		{"in memory", 1 << 20, ""},
		{"temporary file", 1, ""},
		{"no temporary directory", 1, filepath.Join(t.TempDir(), "missing")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			defer func(n int) { spoolMemory = n }(spoolMemory)
			spoolMemory = tt.spool
			if tt.tmpdir != "" {
				t.Setenv("TMPDIR", tt.tmpdir)
			}
			w := NewReportWriter()
			defer w.Close()
			var wg sync.WaitGroup
			for k := range 3 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := k; i < len(rels); i += 3 {
						w.Add(rels[i].rr, rels[i].first)
					}
				}()
			}
			wg.Wait()
			// Provisional judgments, withdrawn: they must leave no trace.
			w.add(&ReleaseReport{ID: "gone@1", Findings: []Finding{{Rule: "an-even-longer-rule-name-than-that", Status: StatusFail}}}, base, 0)
			w.add(&ReleaseReport{ID: "kept@1", Findings: []Finding{{Rule: "tokens", Status: StatusPass}}}, base.Add(-time.Hour), 1)
			w.withdraw(func(source int, id string) bool { return source == 0 })
			full := want
			full.Releases = append([]ReleaseReport{{ID: "kept@1", Findings: []Finding{{Rule: "tokens", Status: StatusPass}}}}, want.Releases...)

			if got := w.Len(); got != 31 {
				t.Errorf("Len %d", got)
			}
			if !w.Failed() {
				t.Error("a failed release is not reported as failed")
			}
			if tt.spool == 1 && (w.file != nil) == (tt.tmpdir != "") {
				t.Errorf("spool file %v with TMPDIR %q", w.file, tt.tmpdir)
			}
			for _, f := range []Format{FormatJSON, FormatText, FormatMarkdown} {
				var got, exp bytes.Buffer
				if err := w.Render(&got, f, chains, false); err != nil {
					t.Fatal(err)
				}
				if err := full.write(&exp, f); err != nil {
					t.Fatal(err)
				}
				if got.String() != exp.String() {
					t.Fatalf("format %d:\n%s\nwant\n%s", f, got.String(), exp.String())
				}
			}
		})
	}
}

// TestReportWriterWithdrawnFailure: a withdrawn failing judgment does not fail the
// report.
func TestReportWriterWithdrawnFailure(t *testing.T) {
	w := NewReportWriter()
	defer w.Close()
	w.add(&ReleaseReport{ID: "x@1", Findings: []Finding{{Rule: "tokens", Status: StatusFail}}}, time.Time{}, 3)
	w.withdraw(func(int, string) bool { return true })
	var b bytes.Buffer
	if err := w.Render(&b, FormatJSON, nil, false); err != nil {
		t.Fatal(err)
	}
	if w.Failed() || w.Len() != 0 || b.String() != "{\n  \"schema\": 1,\n  \"failed\": false,\n  \"chains\": [],\n  \"releases\": []\n}\n" {
		t.Errorf("failed %v, %d releases:\n%s", w.Failed(), w.Len(), b.String())
	}
}
