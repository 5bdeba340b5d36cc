package audit

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// mk builds an in-memory event; hash "" marks events never read from a log.
func mk(sec int, release, typ string, data string) Event {
	e := Event{Time: time.Date(2026, 11, 25, 10, 0, sec, 0, time.UTC), Release: release, Type: typ}
	if data != "" {
		e.Data = json.RawMessage(data)
	}
	return e
}

// shape describes releases compactly: "rel[source:first-last start/end dry, …]".
func shape(rels []*ReleaseRecord) string {
	var out []string
	for _, r := range rels {
		var runs []string
		for _, run := range r.Runs {
			flags := ""
			if run.Started() {
				flags += "S"
			}
			if run.Ended {
				flags += fmt.Sprintf("E%d", run.ExitCode)
			}
			if run.DryRun {
				flags += "D"
			}
			runs = append(runs, fmt.Sprintf("%s:%d-%d %s %s", run.Source, run.FirstLine, run.LastLine, flags, strings.Join(run.Stages, "+")))
		}
		out = append(out, r.ID+"["+strings.Join(runs, ", ")+"]")
	}
	return strings.Join(out, " ")
}

func TestCollector(t *testing.T) {
	start := func(sec int, rel string, dry bool) Event {
		return mk(sec, rel, "run.start", fmt.Sprintf(`{"dry_run":%v,"stages":["build","attest"]}`, dry))
	}
	end := func(sec int, rel string, code int) Event {
		return mk(sec, rel, "run.end", fmt.Sprintf(`{"exit_code":%d}`, code))
	}
	type add struct {
		source string
		line   int
		e      Event
	}
	tests := []struct {
		name string
		adds []add
		want string
	}{
		{"one run", []add{{"a", 1, start(1, "x@1", false)}, {"a", 2, mk(2, "x@1", "artifact", "")}, {"a", 3, end(3, "x@1", 0)}},
			"x@1[a:1-3 SE0 build+attest]"},
		{"dry run, failed", []add{{"a", 1, start(1, "x@1", true)}, {"a", 2, end(2, "x@1", 3)}},
			"x@1[a:1-2 SE3D build+attest]"},
		{"two runs of one file", []add{{"a", 1, start(1, "x@1", false)}, {"a", 2, end(2, "x@1", 0)}, {"a", 3, start(3, "x@1", true)}, {"a", 4, end(4, "x@1", 0)}},
			"x@1[a:1-2 SE0 build+attest, a:3-4 SE0D build+attest]"},
		{"run cut short, then another", []add{{"a", 1, start(1, "x@1", false)}, {"a", 2, mk(2, "x@1", "artifact", "")}, {"a", 3, start(3, "x@1", false)}, {"a", 4, end(4, "x@1", 0)}},
			"x@1[a:1-2 S build+attest, a:3-4 SE0 build+attest]"},
		{"events outside a run", []add{{"a", 1, start(1, "x@1", false)}, {"a", 2, end(2, "x@1", 0)}, {"a", 3, mk(3, "x@1", "artifact", "")}, {"a", 4, mk(4, "x@1", "artifact", "")}},
			"x@1[a:1-2 SE0 build+attest, a:3-4  ]"},
		{"interleaved sources", []add{{"a", 1, start(1, "x@1", false)}, {"b", 7, start(2, "x@1", true)}, {"a", 2, end(3, "x@1", 0)}, {"b", 8, end(4, "x@1", 1)}},
			"x@1[a:1-2 SE0 build+attest, b:7-8 SE1D build+attest]"},
		{"runs ordered by time, not by source", []add{{"late", 1, start(9, "x@1", false)}, {"late", 2, end(9, "x@1", 0)}, {"early", 1, start(1, "x@1", false)}, {"early", 2, end(2, "x@1", 0)}},
			"x@1[early:1-2 SE0 build+attest, late:1-2 SE0 build+attest]"},
		{"releases ordered by time", []add{{"a", 1, start(5, "b@2", false)}, {"a", 2, end(6, "b@2", 0)}, {"a", 3, start(1, "c@1", false)}, {"a", 4, end(2, "c@1", 0)}},
			"c@1[a:3-4 SE0 build+attest] b@2[a:1-2 SE0 build+attest]"},
		{"unreadable run.start data", []add{{"a", 1, mk(1, "x@1", "run.start", `{"dry_run":"yes"}`)}, {"a", 2, mk(2, "x@1", "run.end", `{"exit_code":"0"}`)}},
			"x@1[a:1-2 SE0 ]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewCollector()
			for _, a := range tt.adds {
				c.Add(a.source, a.line, a.e)
			}
			if got := shape(c.Releases()); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

// TestCollectorKeepsEventLines checks Line, which every evidence line depends on.
func TestCollectorKeepsEventLines(t *testing.T) {
	c := NewCollector()
	for i, typ := range []string{"run.start", "artifact", "run.end"} {
		c.Add("f", 10+3*i, mk(i, "x@1", typ, ""))
	}
	run := c.Releases()[0].Runs[0]
	for i, want := range []int{10, 13, 16} {
		if got := run.Line(i); got != want {
			t.Errorf("Line(%d) = %d, want %d", i, got, want)
		}
	}
	if run.Line(-1) != 0 || run.Line(3) != 0 {
		t.Error("Line out of range is not 0")
	}
}

// TestCollectorDeduplicatesMirroredRuns: the same run read from the file and from the
// run log that mirrored it is one run; a truncated copy loses to the whole one, and of
// two whole copies the one added first is kept.
func TestCollectorDeduplicatesMirroredRuns(t *testing.T) {
	log := writeSteps(t, happyRelease())
	events := readEvents(t, log)
	c := NewCollector()
	for i, e := range events[:20] { // a copy cut short, added first
		c.Add("run log", i+100, e)
	}
	for i, e := range events {
		c.Add("file", i+1, e)
	}
	got := shape(c.Releases())
	if want := "demo@1.0.0[run log:100-107 SE0 build, file:9-35 SE0 attest+approve+exchange+publish+finalize]"; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// TestCollectorKeepsEveryEventInPlace: runs longer than a chunk, runs of interleaved
// sources and runs appended to after others began all keep exactly their events.
func TestCollectorKeepsEveryEventInPlace(t *testing.T) {
	c := NewCollector()
	type key struct {
		source string
		n      int
	}
	want := map[key]int{} // run → events added
	add := func(source string, n, line int, typ string) {
		e := mk(line%60, fmt.Sprintf("r%d@1", n), typ, fmt.Sprintf(`{"line":%d}`, line))
		e.Seq = int64(line)
		c.Add(source, line, e)
		want[key{source, n}]++
	}
	line := map[string]int{}
	next := func(s string) int { line[s]++; return line[s] }
	for n := range 3 {
		for _, s := range []string{"a", "b"} {
			add(s, n, next(s), "run.start")
		}
		for i := range 2*eventChunk + 7 {
			s := []string{"a", "b"}[(i/3)%2] // a few events of one source, then the other's
			add(s, n, next(s), "artifact")
		}
		for _, s := range []string{"b", "a"} {
			add(s, n, next(s), "run.end")
		}
	}
	for _, r := range c.Releases() {
		for _, run := range r.Runs {
			var n int
			fmt.Sscanf(r.ID, "r%d@1", &n)
			if got := len(run.Events); got != want[key{run.Source, n}] {
				t.Errorf("%s %s: %d events, want %d", r.ID, run.Source, got, want[key{run.Source, n}])
			}
			for i, e := range run.Events {
				if run.Line(i) != int(e.Seq) || string(e.Data) != fmt.Sprintf(`{"line":%d}`, e.Seq) || (i > 0 && e.Seq <= run.Events[i-1].Seq) {
					t.Fatalf("%s %s event %d: seq %d, line %d, data %s", r.ID, run.Source, i, e.Seq, run.Line(i), e.Data)
				}
			}
			if !run.Started() || !run.Ended {
				t.Errorf("%s %s: started %v, ended %v", r.ID, run.Source, run.Started(), run.Ended)
			}
		}
	}
}
