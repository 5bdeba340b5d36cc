package audit

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// renamed returns events with every release set to id.
func renamed(events []Event, id string) []Event {
	out := make([]Event, len(events))
	for i, e := range events {
		e.Release = id
		out[i] = e
	}
	return out
}

// runsOf splits events at each run.start.
func runsOf(events []Event) [][]Event {
	var runs [][]Event
	for _, e := range events {
		if e.Type == "run.start" || len(runs) == 0 {
			runs = append(runs, nil)
		}
		runs[len(runs)-1] = append(runs[len(runs)-1], e)
	}
	return runs
}

func concat(parts ...[]Event) []Event {
	var out []Event
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// referenceReport is what NewReport makes of the files read into one Collector, the
// files whose chain is broken left out: the verdicts AuditFiles must reach.
func referenceReport(t *testing.T, paths []string, p Policy) Report {
	t.Helper()
	col := NewCollector()
	var chains []ChainResult
	for _, path := range paths {
		cr := ChainResult{Source: path}
		data, err := os.ReadFile(path)
		if err != nil {
			_, err = os.Open(path)
			cr.Error = err.Error()
			chains = append(chains, cr)
			continue
		}
		type lineEvent struct {
			line int
			e    Event
		}
		var evs []lineEvent
		err = Read(bytes.NewReader(data), func(line int, e Event) error {
			evs = append(evs, lineEvent{line, e})
			return nil
		})
		cr.Events, cr.OK = len(evs), err == nil
		if err != nil {
			cr.Error = err.Error()
		} else {
			for _, x := range evs {
				col.Add(path, x.line, x.e)
			}
		}
		chains = append(chains, cr)
	}
	return NewReport(col.Releases(), chains, p)
}

// auditFilesCase is a set of files, each given as its bytes.
type auditFilesCase struct {
	name  string
	files []string // names, in the order given to AuditFiles
	data  map[string][]byte
}

func auditFilesCases(t *testing.T) []auditFilesCase {
	whole := readEvents(t, readFixture(t, "whole-release.jsonl"))
	dry := readEvents(t, readFixture(t, "dry-run.jsonl"))
	mutable := readEvents(t, readFixture(t, "mutable-later.jsonl"))
	rel := func(i int) []Event { return renamed(whole, fmt.Sprintf("demo@1.0.%d", i)) }

	var many []Event
	for i := range 12 {
		many = append(many, rel(i)...)
	}
	wr := runsOf(rel(1))  // build run, publish run
	mr := runsOf(mutable) // three runs
	drr := renamed(dry, "other@2.0.0")
	edited := editLine(splitLines(rechain(t, concat(rel(1), rel(4)))), 33, `"sha256":"e87f`, `"sha256":"0000`)

	fixtures := map[string][]byte{}
	var fixtureNames []string
	names, _ := filepath.Glob(filepath.Join("testdata", "e2e", "*.jsonl"))
	for _, n := range names {
		fixtures[filepath.Base(n)] = readFixture(t, filepath.Base(n))
		fixtureNames = append(fixtureNames, filepath.Base(n))
	}
	fragment := rechain(t, concat(wr[1][5:], rel(2)[:3], []Event{rel(3)[4]}, rel(3)))

	copies := map[string][]byte{}
	var copyNames []string
	for i := range maxOpenGroupFiles + 8 { // more than are kept open between turns
		name := fmt.Sprintf("run-%02d.jsonl", i)
		copies[name] = rechain(t, concat(rel(1), rel(10+i%3), mr[0], rel(20+i)))
		copyNames = append(copyNames, name)
	}

	return []auditFilesCase{
		{"many files sharing releases", copyNames, copies},
		{"one file of many releases", []string{"a.jsonl"}, map[string][]byte{"a.jsonl": rechain(t, many)}},
		{"a release in two files, one a copy", []string{"a.jsonl", "b.jsonl", "c.jsonl"}, map[string][]byte{
			"a.jsonl": rechain(t, concat(rel(1), rel(2))),
			"b.jsonl": rechain(t, concat(rel(1), rel(2))),
			"c.jsonl": rechain(t, concat(rel(3), drr)),
		}},
		{"runs of a release apart in one file", []string{"a.jsonl"}, map[string][]byte{
			"a.jsonl": rechain(t, concat(mr[0], drr, mr[1], rel(5), mr[2])),
		}},
		{"a release's runs split over files", []string{"build.jsonl", "publish.jsonl"}, map[string][]byte{
			"build.jsonl":   rechain(t, concat(wr[0], rel(6))),
			"publish.jsonl": rechain(t, concat(rel(7), wr[1])),
		}},
		{"a broken file", []string{"ok.jsonl", "edited.jsonl"}, map[string][]byte{
			"ok.jsonl":     rechain(t, concat(rel(1), rel(2))),
			"edited.jsonl": joinLines(edited),
		}},
		{"fragments: no run.start, events after run.end", []string{"f.jsonl"}, map[string][]byte{"f.jsonl": fragment}},
		{"a run cut short, another release, more of the first", []string{"f.jsonl"}, map[string][]byte{
			"f.jsonl": rechain(t, concat(wr[1][:10], drr, wr[1][12:20])),
		}},
		{"empty and missing files", []string{"empty.jsonl", "missing.jsonl", "a.jsonl"}, map[string][]byte{
			"empty.jsonl": {}, "a.jsonl": rechain(t, rel(8)),
		}},
		{"the pipeline fixtures, one release", fixtureNames, fixtures},
	}
}

func writeCase(t *testing.T, c auditFilesCase) []string {
	t.Helper()
	dir := t.TempDir()
	var paths []string
	for _, name := range c.files {
		p := filepath.Join(dir, name)
		if data, ok := c.data[name]; ok {
			if err := os.WriteFile(p, data, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		paths = append(paths, p)
	}
	return paths
}

// TestAuditFilesMatchesCollector: whatever the layout of releases over files and
// whatever the options, AuditFiles reports exactly what one Collector over the intact
// files reports, in every format.
func TestAuditFilesMatchesCollector(t *testing.T) {
	for _, c := range auditFilesCases(t) {
		paths := writeCase(t, c)
		want := referenceReport(t, paths, Policy{})
		for _, opt := range []struct {
			name  string
			opts  FilesOptions
			spool int
		}{
			{"one worker", FilesOptions{Workers: 1}, spoolMemory},
			{"two workers", FilesOptions{Workers: 2}, spoolMemory},
			{"judged hook", FilesOptions{Workers: 2, Judged: func(_ *ReleaseRecord, f []Finding) []Finding { return f }}, spoolMemory},
			{"spooled to a file", FilesOptions{Workers: 2}, 1},
		} {
			t.Run(c.name+"/"+opt.name, func(t *testing.T) {
				defer func(n int) { spoolMemory = n }(spoolMemory)
				spoolMemory = opt.spool
				rw := NewReportWriter()
				defer rw.Close()
				chains := AuditFiles(paths, opt.opts, rw)
				if opt.spool == 1 && rw.Len() > 0 && rw.file == nil {
					t.Error("nothing was spooled to the temporary file")
				}
				for _, f := range []struct {
					format Format
					write  func(*bytes.Buffer) error
				}{
					{FormatJSON, func(b *bytes.Buffer) error { return want.JSON(b) }},
					{FormatText, func(b *bytes.Buffer) error { return want.Text(b) }},
					{FormatMarkdown, func(b *bytes.Buffer) error { return want.Markdown(b) }},
				} {
					var got, exp bytes.Buffer
					if err := rw.Render(&got, f.format, chains, false); err != nil {
						t.Fatal(err)
					}
					if err := f.write(&exp); err != nil {
						t.Fatal(err)
					}
					if got.String() != exp.String() {
						t.Fatalf("format %d differs:\n--- AuditFiles\n%s\n--- Collector\n%s", f.format, got.String(), exp.String())
					}
				}
				failed := rw.Failed()
				for _, ch := range chains {
					failed = failed || !ch.OK
				}
				if failed != want.Failed {
					t.Errorf("failed %v, want %v", failed, want.Failed)
				}
			})
		}
	}
}

// TestAuditFilesHoldsOneRelease: reading a log of many releases, one after another,
// holds the events of one release at a time, and judges each provisionally.
func TestAuditFilesHoldsOneRelease(t *testing.T) {
	whole := readEvents(t, readFixture(t, "whole-release.jsonl"))
	var many []Event
	for i := range 40 {
		many = append(many, renamed(whole, fmt.Sprintf("demo@1.0.%d", i))...)
	}
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	if err := os.WriteFile(path, rechain(t, many), 0o600); err != nil {
		t.Fatal(err)
	}
	rw := NewReportWriter()
	defer rw.Close()
	a := &filesAudit{paths: []string{path}, out: rw, workers: 1}
	var scan fileScan
	judged := 0
	a.judging(func(judge chan<- judgment) {
		j := make(chan judgment)
		done := make(chan struct{})
		go func() {
			defer close(done)
			for x := range j {
				judged++
				judge <- x
			}
		}()
		scan = a.scan(0, j)
		close(j)
		<-done
	})
	if !scan.res.OK || scan.held != 1 || judged != 40 || rw.Len() != 40 {
		t.Fatalf("chain %+v, held %d releases at once, %d judged, %d in the report", scan.res, scan.held, judged, rw.Len())
	}
}

// TestAuditFilesJudgedOnce: with a Judged hook every release is judged once, from its
// whole record, even when its runs are spread over files.
func TestAuditFilesJudgedOnce(t *testing.T) {
	var c auditFilesCase
	for _, x := range auditFilesCases(t) {
		if x.name == "a release's runs split over files" {
			c = x
		}
	}
	paths := writeCase(t, c)
	calls := map[string]int{}
	runs := map[string]int{}
	var mu = make(chan struct{}, 1)
	rw := NewReportWriter()
	defer rw.Close()
	AuditFiles(paths, FilesOptions{Judged: func(rel *ReleaseRecord, f []Finding) []Finding {
		mu <- struct{}{}
		calls[rel.ID]++
		runs[rel.ID] = len(rel.Runs)
		<-mu
		return append(f, Finding{Rule: "extra", Title: "added by the hook", Status: StatusPass, Evidence: []string{"x"}})
	}}, rw)
	if calls["demo@1.0.1"] != 1 || runs["demo@1.0.1"] != 2 || len(calls) != 3 {
		t.Fatalf("calls %v, runs %v", calls, runs)
	}
	var out bytes.Buffer
	if err := rw.Render(&out, FormatText, nil, false); err != nil {
		t.Fatal(err)
	}
	if strings.Count(out.String(), "added by the hook") != 0 || strings.Count(out.String(), "  extra ") != 3 {
		t.Errorf("the hook's finding is not in the report:\n%s", out.String())
	}
}

// TestAuditFilesChangedBetweenPasses: the second pass reads a file up to the line the
// first verified and must find it unchanged there; lines appended meanwhile are not
// read and are no change.
func TestAuditFilesChangedBetweenPasses(t *testing.T) {
	whole := readEvents(t, readFixture(t, "whole-release.jsonl"))
	first := rechain(t, whole)
	grown := rechain(t, concat(whole, renamed(whole, "later@1")))
	edited := joinLines(editLine(splitLines(first), 20, `"stage":"`, `"stage":"x`))
	tests := []struct {
		name   string
		now    []byte
		broken string
	}{
		{"unchanged", first, ""},
		{"appended to", grown, ""},
		{"rewritten", rechain(t, renamed(whole, "other@1")), "the log changed while it was audited (line 51 is no longer the line verified)"},
		{"edited", edited, "the log changed while it was audited (audit log line 20"},
		{"cut short", joinLines(splitLines(first)[:30]), "the log changed while it was audited (it now ends after line 30)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "audit.jsonl")
			if err := os.WriteFile(path, first, 0o600); err != nil {
				t.Fatal(err)
			}
			rw := NewReportWriter()
			defer rw.Close()
			// With a hook, the first pass only verifies and indexes.
			hook := func(_ *ReleaseRecord, f []Finding) []Finding { return f }
			a := &filesAudit{paths: []string{path}, opts: FilesOptions{Judged: hook}, out: rw, workers: 1}
			scans := []fileScan{a.scan(0, nil)}
			if err := os.WriteFile(path, tt.now, 0o600); err != nil {
				t.Fatal(err)
			}
			chains := []ChainResult{scans[0].res}
			again := map[string]bool{"hello-releaser@1.2.3": true}
			a.judging(func(judge chan<- judgment) { a.readGroup(scans, []int{0}, again, chains, judge) })
			switch {
			case tt.broken == "" && (!chains[0].OK || rw.Len() != 1):
				t.Errorf("chain %+v, %d releases", chains[0], rw.Len())
			case tt.broken != "" && (chains[0].OK || !strings.HasPrefix(chains[0].Error, tt.broken)):
				t.Errorf("chain %+v, want broken: %s", chains[0], tt.broken)
			}
		})
	}
}

// FuzzAuditFiles lays runs of a few releases — whole, cut short, without their start —
// over up to three files in an order the fuzzer picks, and holds AuditFiles to what one
// Collector over the same files reports.
func FuzzAuditFiles(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7})
	f.Add([]byte{0x10, 0x21, 0x02, 0x13, 0x00, 0x25, 0x16})
	f.Add([]byte{0x40, 0x41, 0x02, 0x43, 0x80, 0x85, 0x06, 0xc7, 0x03})
	whole := readEvents(f, readFixture(f, "whole-release.jsonl"))
	dry := readEvents(f, readFixture(f, "dry-run.jsonl"))
	var pool [][]Event
	for i, id := range []string{"a@1", "b@1", "c@1"} {
		for _, r := range runsOf(renamed(whole, id)) {
			pool = append(pool, r)            // whole
			pool = append(pool, r[:len(r)/2]) // cut short
			pool = append(pool, r[1+i:])      // without its start
		}
	}
	pool = append(pool, renamed(dry, "d@1"))
	f.Fuzz(func(t *testing.T, shape []byte) {
		if len(shape) > 24 {
			return
		}
		// Each byte: which file (bits 6-7, 3 means file 0 again) and which run.
		files := make([][]Event, 3)
		for _, b := range shape {
			k := int(b>>6) % 3
			files[k] = append(files[k], pool[int(b&0x3f)%len(pool)]...)
		}
		dir := t.TempDir()
		var paths []string
		for k, evs := range files {
			if len(evs) == 0 {
				continue
			}
			p := filepath.Join(dir, fmt.Sprintf("%d.jsonl", k))
			if err := os.WriteFile(p, rechain(t, evs), 0o600); err != nil {
				t.Fatal(err)
			}
			paths = append(paths, p)
		}
		want := referenceReport(t, paths, Policy{})
		var exp, got bytes.Buffer
		if err := want.JSON(&exp); err != nil {
			t.Fatal(err)
		}
		rw := NewReportWriter()
		defer rw.Close()
		chains := AuditFiles(paths, FilesOptions{Workers: 2}, rw)
		if err := rw.Render(&got, FormatJSON, chains, false); err != nil {
			t.Fatal(err)
		}
		if got.String() != exp.String() {
			t.Fatalf("AuditFiles:\n%s\nCollector:\n%s", got.String(), exp.String())
		}
	})
}

// TestAuditFilesGroupHoldsFewReleases: files holding the same releases in the same
// order — copies, or the log a state directory carried from run to run, saved after
// each run — are read together, so only a few releases are held at once however
// many there are.
func TestAuditFilesGroupHoldsFewReleases(t *testing.T) {
	whole := readEvents(t, readFixture(t, "whole-release.jsonl"))
	var all []Event
	for i := range 30 {
		all = append(all, renamed(whole, fmt.Sprintf("demo@1.0.%d", i))...)
	}
	dir := t.TempDir()
	var paths []string
	for k, n := range []int{10, 30, 20, 30} { // prefixes of one log, and a copy
		p := filepath.Join(dir, fmt.Sprintf("run-%d.jsonl", k))
		if err := os.WriteFile(p, rechain(t, all[:n*len(whole)]), 0o600); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	rw := NewReportWriter()
	defer rw.Close()
	a := &filesAudit{paths: paths, out: rw, workers: 2}
	scans := make([]fileScan, len(paths))
	a.judging(func(judge chan<- judgment) {
		for i := range paths {
			scans[i] = a.scan(i, judge)
		}
	})
	again := a.settle(scans)
	groups := groupFiles(scans, again)
	if len(again) != 30 || len(groups) != 1 {
		t.Fatalf("%d releases to judge again in %d groups", len(again), len(groups))
	}
	chains := make([]ChainResult, len(paths))
	var g *groupRead
	a.judging(func(judge chan<- judgment) { g = a.readGroup(scans, groups[0], again, chains, judge) })
	if g.held > 3 || rw.Len() != 30 {
		t.Errorf("held %d releases at once, %d in the report", g.held, rw.Len())
	}
}
