package audit

import (
	"bytes"
	"time"
)

// lineView is a line read by the fast path: views into the line, nothing allocated.
type lineView struct {
	seq                 int64
	time                []byte
	run                 [len(runKeys)][]byte // indexed like runKeys; nil when absent
	local               bool
	release, stage, typ []byte
	data                []byte // nil when the line has no data
	prev                []byte
}

// runKeys are RunIdentity's JSON names in the order the writer emits them; the last
// one, local, is the only non-string.
var runKeys = [...]string{"repository", "run_id", "run_attempt", "workflow_ref", "job", "actor", "event_name", "ref", "sha", "runner_environment", "local"}

const runLocal = len(runKeys) - 1

// parseFast reads the hashed part of a line, head = the line up to (not including) its
// `,"hash":…` suffix, in exactly the layout encodeLine writes. It returns false for
// anything else — escapes, whitespace, another key order, an unknown run key — and the
// caller then parses the line with parseBody, which reads (or rejects) it with a
// reason. What it accepts, parseBody accepts with the same result (FuzzFastLine).
func parseFast(head []byte, v *lineView) bool {
	s := jscan{b: head}
	var ok bool
	if !s.word(`{"seq":`) {
		return false
	}
	if v.seq, ok = s.int64(); !ok || v.seq < 1 {
		return false
	}
	if !s.word(`,"time":`) {
		return false
	}
	if v.time, ok = s.plainString(); !ok || !bytes.HasSuffix(v.time, []byte("Z")) {
		return false
	}
	if !s.word(`,"run":`) || !parseRunFast(&s, v) {
		return false
	}
	if !s.word(`,"release":`) {
		return false
	}
	if v.release, ok = s.plainString(); !ok || !s.word(`,"stage":`) {
		return false
	}
	if v.stage, ok = s.plainString(); !ok || !s.word(`,"type":`) {
		return false
	}
	if v.typ, ok = s.plainString(); !ok {
		return false
	}
	v.data = nil
	if s.word(`,"data":`) {
		start := s.i
		if s.i >= len(s.b) || s.b[s.i] != '{' || !s.skipValue(0) {
			return false
		}
		v.data = s.b[start:s.i]
	}
	if !s.word(`,"prev":`) {
		return false
	}
	if v.prev, ok = s.plainString(); !ok || (len(v.prev) != 0 && (len(v.prev) != hashHexLen || !isLowerHex(v.prev))) {
		return false
	}
	return s.done()
}

// parseRunFast reads the run identity object: only its own keys, each at most once.
func parseRunFast(s *jscan, v *lineView) bool {
	v.run = [len(runKeys)][]byte{}
	v.local = false
	var seen uint32
	if !s.lit('{') {
		return false
	}
	if s.lit('}') {
		return true
	}
	for {
		k, ok := s.key()
		if !ok {
			return false
		}
		i := 0
		for i < len(runKeys) && string(k) != runKeys[i] {
			i++
		}
		if i == len(runKeys) || seen&(1<<i) != 0 {
			return false
		}
		seen |= 1 << i
		if i == runLocal {
			if v.local, ok = s.bool(); !ok {
				return false
			}
		} else if v.run[i], ok = s.plainString(); !ok {
			return false
		}
		if s.lit('}') {
			return true
		}
		if !s.lit(',') {
			return false
		}
	}
}

// lineCache is what the previous event of a chain lends the next: the strings every
// line repeats (run identity, release, stage, type) and its time.
type lineCache struct {
	prev     Event
	timeText []byte
}

// eventFrom builds the event of a fast-parsed line. Strings equal to the previous
// event's are shared with it instead of allocated again; data is a view into the line
// unless copyData. It returns false when the time does not parse (parseBody then says
// why).
func (c *lineCache) eventFrom(v *lineView, hash string, copyData bool) (Event, bool) {
	p := &c.prev
	e := Event{Seq: v.seq, Hash: hash}
	if p.Hash != "" && string(v.time) == string(c.timeText) {
		e.Time = p.Time
	} else {
		t, err := time.Parse(time.RFC3339Nano, string(v.time))
		if err != nil {
			return Event{}, false
		}
		e.Time = t
		c.timeText = append(c.timeText[:0], v.time...)
	}
	r, pr := &e.Run, &p.Run
	r.Repository = reuse(v.run[0], pr.Repository)
	r.RunID = reuse(v.run[1], pr.RunID)
	r.RunAttempt = reuse(v.run[2], pr.RunAttempt)
	r.WorkflowRef = reuse(v.run[3], pr.WorkflowRef)
	r.Job = reuse(v.run[4], pr.Job)
	r.Actor = reuse(v.run[5], pr.Actor)
	r.EventName = reuse(v.run[6], pr.EventName)
	r.Ref = reuse(v.run[7], pr.Ref)
	r.SHA = reuse(v.run[8], pr.SHA)
	r.RunnerEnvironment = reuse(v.run[9], pr.RunnerEnvironment)
	r.Local = v.local
	e.Release = reuse(v.release, p.Release)
	e.Stage = reuse(v.stage, p.Stage)
	e.Type = reuse(v.typ, p.Type)
	e.Prev = reuse(v.prev, p.Hash)
	if v.data != nil {
		if copyData {
			e.Data = bytes.Clone(v.data)
		} else {
			e.Data = v.data
		}
	}
	c.prev = e
	c.prev.Data = nil // the cache must not keep a view into a read buffer alive
	return e, true
}

func reuse(b []byte, have string) string {
	if string(b) == have {
		return have
	}
	return string(b)
}
