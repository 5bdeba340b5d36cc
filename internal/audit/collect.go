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
	slab    []byte // where event data is copied to, see compact
	// Runs are read one after another, so the run being read keeps its events at
	// the end of a shared chunk (tail) rather than in a slice of its own that
	// doubles as it grows; see appendEvent.
	events []Event
	lines  []int
	tail   *RunRecord
	tailAt int // where tail's events start in events
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

	lines   []int  // lines[i] is the line of Events[i]
	order   int    // the order runs were added in, the tie-break for equal times
	release string // the release the run belongs to: its first event's
}

// NewCollector returns an empty Collector.
func NewCollector() *Collector {
	return &Collector{releases: map[string]*ReleaseRecord{}, current: map[string]*RunRecord{}}
}

// Add records one event, read from line of source. Events of one source must be added
// in file order; sources may be interleaved.
func (c *Collector) Add(source string, line int, e Event) {
	c.add(source, line, &e)
}

// add is Add; it returns the run the event joined.
func (c *Collector) add(source string, line int, e *Event) *RunRecord {
	run := c.current[source]
	if e.Type == "run.start" || run == nil {
		run = c.startRun(source, line, e)
	}
	c.appendEvent(run, c.compact(e, len(run.Events) == 0), line)
	run.LastLine = line
	// Decoded from the kept copy: the event's own data may be a view into a read
	// buffer, and Stages keeps strings of it.
	kept := &run.Events[len(run.Events)-1]
	switch {
	case e.Type == "run.start" && len(run.Events) == 1:
		if d, err := decodeData[runStartData](*kept); err == nil {
			run.DryRun, run.Stages = d.DryRun, d.Stages
		}
	case e.Type == "run.end":
		if d, err := decodeData[runEndData](*kept); err == nil {
			run.ExitCode = d.ExitCode
		}
		run.Ended = true
		delete(c.current, source)
	}
	return run
}

// eventChunk is how many events a chunk holds.
const eventChunk = 512

// appendEvent appends e, read at line, to run. The run read last grows in place at
// the end of the current chunk; when the chunk is full its events move to a new one.
// A run that is not the last one (sources interleaved) grows as a slice of its own.
// Each run's slices are capped at their length, so no append by anyone else can
// write over a neighbour.
func (c *Collector) appendEvent(run *RunRecord, e Event, line int) {
	if run != c.tail {
		if len(run.Events) > 0 {
			run.Events = append(run.Events, e)
			run.lines = append(run.lines, line)
			return
		}
		c.tail, c.tailAt = run, len(c.events)
	}
	if len(c.events) == cap(c.events) {
		n := len(c.events) - c.tailAt
		events := make([]Event, n, max(eventChunk, 2*(n+1)))
		lines := make([]int, n, cap(events))
		copy(events, c.events[c.tailAt:])
		copy(lines, c.lines[c.tailAt:])
		c.events, c.lines, c.tailAt = events, lines, 0
	}
	c.events = append(c.events, e)
	c.lines = append(c.lines, line)
	end := len(c.events)
	run.Events = c.events[c.tailAt:end:end]
	run.lines = c.lines[c.tailAt:end:end]
}

// compact keeps what the rules read and drops the rest. The chain is already
// verified, so prev goes, and hash stays only on a run's first event (it identifies
// copies of the run); the data of stage.checks and build.command (check details,
// command lines), which no rule reads, is dropped. Data is copied (it may be a view
// into a read buffer) into a shared slab rather than an allocation of its own.
func (c *Collector) compact(ep *Event, first bool) Event {
	e := *ep
	e.Prev = ""
	if !first {
		e.Hash = ""
	}
	if e.Type == "stage.checks" || e.Type == "build.command" {
		e.Data = nil
	} else if e.Data != nil {
		e.Data = c.keep(e.Data)
	}
	return e
}

// slabSize is the chunk event data is copied into. A chunk lives as long as any event
// in it; the releases of a streamed audit are dropped in about the order they were
// read, so chunks fall free soon after.
const slabSize = 64 << 10

func (c *Collector) keep(b []byte) json.RawMessage {
	if len(b) > slabSize/4 {
		return append(json.RawMessage(nil), b...)
	}
	if cap(c.slab)-len(c.slab) < len(b) {
		c.slab = make([]byte, 0, slabSize)
	}
	n := len(c.slab)
	c.slab = append(c.slab, b...)
	return c.slab[n:len(c.slab):len(c.slab)]
}

func (c *Collector) startRun(source string, line int, e *Event) *RunRecord {
	c.order++
	run := &RunRecord{Source: source, FirstLine: line, order: c.order, release: e.Release}
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
		out = append(out, finished(r))
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

// finished is r as Releases returns it: copies of a run dropped, runs in order.
func finished(r *ReleaseRecord) *ReleaseRecord {
	runs := dedupRuns(r.Runs)
	sort.SliceStable(runs, func(i, j int) bool {
		ti, tj := runs[i].Events[0].Time, runs[j].Events[0].Time
		if !ti.Equal(tj) {
			return ti.Before(tj)
		}
		return runs[i].order < runs[j].order
	})
	return &ReleaseRecord{ID: r.ID, Runs: runs}
}

// take removes the release id from the collector and returns it as Releases would;
// nil if there is none.
func (c *Collector) take(id string) *ReleaseRecord {
	r := c.releases[id]
	if r == nil {
		return nil
	}
	delete(c.releases, id)
	if c.tail != nil && c.tail.release == id {
		c.tail = nil // the chunk stays with the taken runs; the next run starts after
	}
	for src, run := range c.current {
		if run.release == id {
			delete(c.current, src)
		}
	}
	return finished(r)
}

// endSource forgets the open run of a source that has been read to its end.
func (c *Collector) endSource(source string) { delete(c.current, source) }

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
