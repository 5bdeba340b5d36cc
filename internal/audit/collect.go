package audit

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
)

// Collector groups verified events into runs (run.start … run.end of one source) and
// runs into releases (Event.Release, e.g. "demo@1.0.0"). It is fed one event at a time,
// so a caller streaming a log through Read never holds the raw lines: only the events of
// each release are kept, because the rules look at a release as a whole.
//
// The zero value is not ready for use; call NewCollector.
type Collector struct {
	releases map[string]*ReleaseRecord
	// current is the open run of each source: events after a run.end and before the
	// next run.start start a run of their own (one without a run.start), so events
	// outside any run are never silently merged into a neighbour.
	current map[string]*RunRecord
	order   int
	strs    map[string]string // interned strings, see compact
}

// ReleaseRecord is everything the logs say about one release.
type ReleaseRecord struct {
	ID   string
	Runs []*RunRecord
}

// RunRecord is one invocation of releaser as the log records it: from its run.start to
// its run.end, within one source.
type RunRecord struct {
	Source              string // the file name, or e.g. "run 123 job publish"
	FirstLine, LastLine int    // 1-based line numbers in Source
	DryRun              bool
	Stages              []string // the stages run.start says were selected
	Events              []Event
	Ended               bool // a run.end was seen
	ExitCode            int  // from run.end

	lines []int // lines[i] is the line of Events[i]
	order int   // the order runs were added in, the tie-break for equal times
}

// NewCollector returns an empty Collector.
func NewCollector() *Collector {
	return &Collector{releases: map[string]*ReleaseRecord{}, current: map[string]*RunRecord{}}
}

// Add records one event, read from line of source. Events of one source must be added
// in file order; sources may be interleaved.
func (c *Collector) Add(source string, line int, e Event) {
	run := c.current[source]
	if e.Type == "run.start" || run == nil {
		run = c.startRun(source, line, e)
	}
	run.Events = append(run.Events, c.compact(e, len(run.Events) == 0))
	run.lines = append(run.lines, line)
	run.LastLine = line
	if e.Type == "run.end" {
		var d runEndData
		if json.Unmarshal(e.Data, &d) == nil {
			run.ExitCode = d.ExitCode
		}
		run.Ended = true
		delete(c.current, source)
	}
}

// compact keeps what the rules read and drops the rest: an audit holds every
// event of every release until all sources are read, so memory follows the
// log size. The chain is already verified, so prev goes, and hash stays only
// on a run's first event (it identifies copies of the run); the strings every
// event repeats (run identity, release, stage, type) are shared; the data of
// stage.checks and build.command (check details, command lines), which no
// rule reads, is dropped.
func (c *Collector) compact(e Event, first bool) Event {
	if c.strs == nil {
		c.strs = map[string]string{}
	}
	in := func(s string) string {
		if v, ok := c.strs[s]; ok {
			return v
		}
		c.strs[s] = s
		return s
	}
	e.Prev = ""
	if !first {
		e.Hash = ""
	}
	e.Release, e.Stage, e.Type = in(e.Release), in(e.Stage), in(e.Type)
	r := &e.Run
	for _, p := range []*string{&r.Repository, &r.RunID, &r.RunAttempt, &r.WorkflowRef, &r.Job, &r.Actor, &r.EventName, &r.Ref, &r.SHA, &r.RunnerEnvironment} {
		*p = in(*p)
	}
	if e.Type == "stage.checks" || e.Type == "build.command" {
		e.Data = nil
	} else if e.Data != nil {
		e.Data = append(json.RawMessage(nil), e.Data...) // not a view into a read buffer
	}
	return e
}

func (c *Collector) startRun(source string, line int, e Event) *RunRecord {
	c.order++
	run := &RunRecord{Source: source, FirstLine: line, order: c.order}
	if e.Type == "run.start" {
		var d runStartData
		if json.Unmarshal(e.Data, &d) == nil {
			run.DryRun, run.Stages = d.DryRun, d.Stages
		}
	}
	rel := c.releases[e.Release]
	if rel == nil {
		rel = &ReleaseRecord{ID: e.Release}
		c.releases[e.Release] = rel
	}
	rel.Runs = append(rel.Runs, run)
	c.current[source] = run
	return run
}

// Releases returns the releases seen so far, oldest first (by their first event's time,
// then by ID). Within a release, runs are ordered by their first event's time, then by
// the order they were added. A run seen twice — the audit file and the run log that
// mirrored it — is kept once, in its longest copy.
func (c *Collector) Releases() []*ReleaseRecord {
	out := make([]*ReleaseRecord, 0, len(c.releases))
	for _, r := range c.releases {
		runs := dedupRuns(r.Runs)
		sort.SliceStable(runs, func(i, j int) bool {
			ti, tj := runs[i].Events[0].Time, runs[j].Events[0].Time
			if !ti.Equal(tj) {
				return ti.Before(tj)
			}
			return runs[i].order < runs[j].order
		})
		out = append(out, &ReleaseRecord{ID: r.ID, Runs: runs})
	}
	sort.Slice(out, func(i, j int) bool {
		ti, tj := out[i].Runs[0].Events[0].Time, out[j].Runs[0].Events[0].Time
		if !ti.Equal(tj) {
			return ti.Before(tj)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// dedupRuns drops runs that are a copy of (a prefix of) another run: same first line
// hash. The longest copy wins, the earliest added among equals.
func dedupRuns(runs []*RunRecord) []*RunRecord {
	best := map[string]*RunRecord{}
	for _, r := range runs {
		key := runKey(r)
		if b, ok := best[key]; !ok || len(r.Events) > len(b.Events) {
			best[key] = r
		}
	}
	out := make([]*RunRecord, 0, len(best))
	for _, r := range runs {
		if best[runKey(r)] == r {
			out = append(out, r)
		}
	}
	return slices.Clip(out)
}

// Line returns the line number of r.Events[i] in r.Source.
func (r *RunRecord) Line(i int) int {
	if i < 0 || i >= len(r.lines) {
		return 0
	}
	return r.lines[i]
}

// Started reports whether the run's first event is its run.start: a run without one
// is a fragment whose beginning is missing from the source.
func (r *RunRecord) Started() bool {
	return len(r.Events) > 0 && r.Events[0].Type == "run.start"
}

// runKey identifies a run across copies by its first line's hash; events without one
// (built in memory, never read from a log) are never taken for copies.
func runKey(r *RunRecord) string {
	if h := r.Events[0].Hash; h != "" {
		return h
	}
	return fmt.Sprintf("#%d", r.order)
}
