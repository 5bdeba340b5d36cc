package audit

import (
	"slices"
	"strconv"
	"sync"
)

// located is an event together with where it was read.
type located struct {
	run *RunRecord
	idx int // index in run.Events
	pos int // index in view.all: the release-wide order
	e   *Event
}

// at is the "source:line" prefix of evidence about l.
func (l located) at() string { return string(l.appendAt(nil)) }

func (l located) appendAt(b []byte) []byte {
	b = append(b, l.run.Source...)
	b = append(b, ':')
	return strconv.AppendInt(b, int64(l.run.Line(l.idx)), 10)
}

// view is a release laid out for the rules: every event in release order (runs in
// order, events in file order), and the same restricted to real (not dry) runs.
type view struct {
	rec   *ReleaseRecord
	all   []located
	real  []located
	start map[*RunRecord]runStartData
	// slots caches each event's decoded data: the rules read the same events many
	// times, and decoding dominated an audit. A run's events have the slots from
	// base[run] on.
	slots []dataSlots
	base  map[*RunRecord]int
}

// dataSlots holds the data of one event decoded as up to two types (approval.result
// is read both as an approval and as a result).
type dataSlots [2]struct {
	val any // *T
	err error
}

// dataOf is decodeData[T] of the event at idx in run, decoded once per view.
func dataOf[T any](v *view, run *RunRecord, idx int) (T, error) {
	base, ok := v.base[run]
	if !ok || idx < 0 || idx >= len(run.Events) {
		return decodeData[T](run.Events[idx])
	}
	s := &v.slots[base+idx]
	for i := range s {
		if p, ok := s[i].val.(*T); ok {
			return *p, s[i].err
		}
	}
	d, err := decodeData[T](run.Events[idx])
	s[1] = s[0]
	s[0].val, s[0].err = &d, err
	return d, err
}

// data is dataOf for a located event.
func data[T any](v *view, l located) (T, error) { return dataOf[T](v, l.run, l.idx) }

// newView lays out r. Runs without events (possible only in a hand-built record) are
// left out, so every rule may take a run's first event for granted.
// Views are reused (Evaluate runs once per release, and a view's slices and maps are
// most of what it allocates).
var viewPool = sync.Pool{New: func() any {
	return &view{rec: &ReleaseRecord{}, start: map[*RunRecord]runStartData{}, base: map[*RunRecord]int{}}
}}

// done returns v to the pool, holding on to nothing of the release it laid out.
func (v *view) done() {
	clear(v.rec.Runs)
	clear(v.all)
	clear(v.real)
	clear(v.slots)
	clear(v.start)
	clear(v.base)
	v.rec.ID, v.rec.Runs, v.all, v.real, v.slots = "", v.rec.Runs[:0], v.all[:0], v.real[:0], v.slots[:0]
	viewPool.Put(v)
}

func newView(r *ReleaseRecord) *view {
	v := viewPool.Get().(*view)
	if r == nil {
		return v
	}
	v.rec.ID = r.ID
	n := 0
	for _, run := range r.Runs {
		if run != nil && len(run.Events) > 0 {
			v.rec.Runs = append(v.rec.Runs, run)
			n += len(run.Events)
		}
	}
	v.slots = slices.Grow(v.slots, n)
	for _, run := range v.rec.Runs {
		v.base[run] = len(v.slots)
		v.slots = v.slots[:len(v.slots)+len(run.Events)]
		if run.Started() {
			d, _ := dataOf[runStartData](v, run, 0)
			v.start[run] = d
		}
		for i := range run.Events {
			l := located{run: run, idx: i, pos: len(v.all), e: &run.Events[i]}
			v.all = append(v.all, l)
			if !run.DryRun {
				v.real = append(v.real, l)
			}
		}
	}
	return v
}

// first is the release's first event, where evidence about the release as a whole
// points when no single event is to blame.
func (v *view) first() located {
	if len(v.all) == 0 {
		return located{run: &RunRecord{Source: "(no events)"}, e: &Event{}}
	}
	return v.all[0]
}

// onlyDryRuns reports whether every run of the release was a dry run.
func (v *view) onlyDryRuns() bool { return len(v.real) == 0 }

// ofType returns the events of the given types, in order.
func ofType(ls []located, types ...string) []located {
	var out []located
	for _, l := range ls {
		for _, t := range types {
			if l.e.Type == t {
				out = append(out, l)
				break
			}
		}
	}
	return out
}

// publication returns the first real event that shows something left the machine: a
// file on a registry or a GitHub release (draft or not). Failed attempts do not count.
func (v *view) publication() (located, bool) {
	for _, l := range v.real {
		if v.isPublication(l.run, l.idx) {
			return l, true
		}
	}
	return located{}, false
}

// isPublication reports whether the event at idx in run shows something that left the
// machine. An event whose data cannot be read counts: a verdict must not rest on
// skipping it.
func (v *view) isPublication(run *RunRecord, idx int) bool {
	switch run.Events[idx].Type {
	case "publish.release", "release.final":
		return true
	case "publish.upload":
		d, err := dataOf[uploadData](v, run, idx)
		return err != nil || d.Outcome != "failed"
	case "publish.asset":
		d, err := dataOf[assetData](v, run, idx)
		return err != nil || d.Outcome != "failed"
	}
	return false
}

// dryRunReason is the n/a evidence of a rule about remote effects in a dry-run-only
// release.
func (v *view) dryRunReason(j *judge) {
	if len(v.all) == 0 {
		j.na(v.first(), "the release has no events")
		return
	}
	j.na(v.first(), "only dry runs: nothing remote happened")
}
