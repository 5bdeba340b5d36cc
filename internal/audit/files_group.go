package audit

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// readGroup is the second pass over one group of files: it judges the releases in
// again that the group's files hold, each once every file holding it has been read
// past its last event there.
//
// The files are read in turns, a run at a time from each, rather than one after the
// other: files that hold the same releases in about the same order (copies of a log,
// or the audit log a state directory carried from run to run, saved after each) then
// advance together, and each release is judged soon after it was first seen. A
// release's events are kept per file until it is complete, then fed to a Collector
// file by file, in the order of the group, with each run boundary as it was in its
// file: what the Collector sees, and so the verdict, is what reading the files one
// after the other would have given.
func (a *filesAudit) readGroup(scans []fileScan, group []int, again map[string]bool, chains []ChainResult, judge chan<- judgment) *groupRead {
	g := &groupRead{a: a, scans: scans, group: group, again: again, parts: map[string]*groupRelease{}, keep: NewCollector()}
	for _, i := range group {
		for id := range scans[i].last {
			if again[id] {
				r := g.parts[id]
				if r == nil {
					r = &groupRelease{parts: make([][]keptEvent, len(group))}
					g.parts[id] = r
				}
				r.missing++
			}
		}
	}
	readers := make([]*groupFile, len(group))
	for k, i := range group {
		readers[k] = g.open(k, a.paths[i], scans[i].sum)
	}
	for open := len(readers); open > 0; {
		open = 0
		for k, r := range readers {
			if r.done {
				continue
			}
			if err := g.advance(r, judge); err != nil {
				r.done = true
				i := group[k]
				chains[i].OK = false
				chains[i].Error = fmt.Sprintf("the log changed while it was audited (%v): audit it again", err)
			}
			if !r.done {
				open++
			}
		}
	}
	// Only a file that changed leaves releases unfinished: judge what was read.
	for id, r := range g.parts {
		if r.seen {
			judge <- judgment{rec: g.replay(id, r), source: -1}
		}
	}
	return g
}

type groupRead struct {
	a      *filesAudit
	scans  []fileScan
	group  []int
	again  map[string]bool
	parts  map[string]*groupRelease
	keep   *Collector // only its slab: where kept events' data is copied to
	opened int        // releases seen and not yet complete
	held   int        // the most such releases at once
}

// groupRelease is a release being read: its events from each file of the group.
type groupRelease struct {
	parts   [][]keptEvent
	missing int  // files not yet read past the release's last event
	seen    bool // some event has been read
}

type keptEvent struct {
	e      Event
	line   int
	opened bool // the event opened a run in its file
}

// groupFile is one file of the group being read.
type groupFile struct {
	k     int // index in the group
	path  string
	want  Summary // as far as the first pass verified
	f     *os.File
	c     Chain
	cr    *chainReader
	runs  runTracker
	done  bool
	lines int
}

func (g *groupRead) open(k int, path string, want Summary) *groupFile {
	return &groupFile{k: k, path: path, want: want}
}

// maxOpenGroupFiles bounds the files of a group kept open between their turns; a
// larger group opens each file for its turn, where it left off.
const maxOpenGroupFiles = 32

// advance reads r's next run (up to the next event that opens one) and judges the
// releases it completes. At the line the first pass verified last, it checks that
// line is unchanged and closes r.
func (g *groupRead) advance(r *groupFile, judge chan<- judgment) (err error) {
	defer func() {
		if r.f != nil && (r.done || len(g.group) > maxOpenGroupFiles) {
			r.f.Close()
			r.f = nil
		}
	}()
	if r.f == nil {
		if r.f, err = os.Open(r.path); err != nil {
			r.done = true
			return err
		}
		if r.cr == nil {
			r.cr = newChainReader(r.f, &r.c, false)
		} else {
			if _, err := r.f.Seek(r.cr.off, io.SeekStart); err != nil {
				r.done = true
				return err
			}
			r.cr.br.Reset(r.f)
		}
	}
	for n := 0; ; n++ {
		if r.lines == r.want.Events {
			r.done = true
			if got := r.c.Summary().LastHash; got != r.want.LastHash {
				return fmt.Errorf("line %d is no longer the line verified", r.want.Events)
			}
			return nil
		}
		e, err := r.cr.next()
		if errors.Is(err, io.EOF) {
			r.done = true
			return fmt.Errorf("it now ends after line %d", r.lines)
		}
		if err != nil {
			r.done = true
			return err
		}
		r.lines++
		id, opened := r.runs.add(&e)
		rel := g.parts[id]
		if rel != nil && g.again[id] {
			if !rel.seen {
				rel.seen = true
				g.opened++
				g.held = max(g.held, g.opened)
			}
			kept := g.keep.compact(&e, opened)
			rel.parts[r.k] = append(rel.parts[r.k], keptEvent{e: kept, line: r.lines, opened: opened})
			if g.scans[g.group[r.k]].last[id] == r.lines {
				if rel.missing--; rel.missing == 0 {
					delete(g.parts, id)
					g.opened--
					judge <- judgment{rec: g.replay(id, rel), source: -1}
				}
			}
		}
		if opened && n > 0 {
			return nil // a run read: the next file's turn (this event was its first)
		}
	}
}

// replay feeds a release's kept events to a Collector, file by file, each run
// beginning where it began in its file.
func (g *groupRead) replay(id string, rel *groupRelease) *ReleaseRecord {
	col := NewCollector()
	for k, part := range rel.parts {
		src := g.a.paths[g.group[k]]
		for i := range part {
			if part[i].opened {
				col.endSource(src)
			}
			col.add(src, part[i].line, &part[i].e)
		}
		col.endSource(src)
	}
	return col.take(id)
}
