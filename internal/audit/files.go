package audit

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"
)

// FilesOptions configures AuditFiles.
type FilesOptions struct {
	Policy Policy
	// Judged, when set, is given each release and its findings once the rules have
	// judged it, before its events are dropped, and returns the findings to report
	// (`releaser audit --live` adds one). It may be called from several goroutines
	// at once.
	Judged func(rel *ReleaseRecord, findings []Finding) []Finding
	// Workers bounds the files read, and the releases judged, at once; 0 means
	// runtime.GOMAXPROCS(0).
	Workers int
}

// AuditFiles audits log files as `releaser audit FILE...` does, in memory that does
// not grow with the number of releases, and adds every release's findings to out. It
// returns each file's chain result, in the order of paths.
//
// A first pass verifies every chain (files in parallel) and notes, per file, the
// line of each release's last event. A file whose chain is broken is reported and
// not believed: none of its events are judged. Files that hold runs of the same
// release are read together, in the order given, and each release is judged as soon
// as the last of its events has been read, then dropped; so what is held at once is
// the releases still open — usually one per reader — not the whole audit. The
// verdicts are those of NewReport over a Collector fed every file of such a group,
// as auditing the files one group at a time always judged them.
//
// The second pass reads each file again only up to the line the first pass verified
// (an audit log may grow meanwhile) and must find that line's hash unchanged; a file
// that changed between the passes is reported broken.
func AuditFiles(paths []string, opts FilesOptions, out *ReportWriter) []ChainResult {
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	ix := make([]fileIndex, len(paths))
	parallel(len(paths), workers, func(i int) { ix[i] = indexFile(paths[i]) })

	chains := make([]ChainResult, len(paths))
	for i := range ix {
		chains[i] = ix[i].res
	}
	groups := groupFiles(ix)

	// Readers collect releases; judges evaluate them. Two stages, so that even a
	// single file keeps two cores busy.
	judge := make(chan *ReleaseRecord, 2*workers)
	var judges sync.WaitGroup
	for range workers {
		judges.Add(1)
		go func() {
			defer judges.Done()
			for rec := range judge {
				findings := Evaluate(rec, opts.Policy)
				if opts.Judged != nil {
					findings = opts.Judged(rec, findings)
				}
				// The writer keeps its first error and WriteTo reports it.
				_ = out.Add(ReleaseReport{ID: rec.ID, Findings: findings}, rec.Runs[0].Events[0].Time)
			}
		}()
	}
	parallel(len(groups), workers, func(g int) {
		readGroup(paths, ix, groups[g], chains, judge)
	})
	close(judge)
	judges.Wait()
	return chains
}

// fileIndex is what the first pass learns about a file.
type fileIndex struct {
	res  ChainResult
	sum  Summary
	last map[string]int // release → the line of the last event of its runs in the file
}

// runTracker assigns events to runs as Collector.Add does: a run.start, or an event
// with no open run, opens a run belonging to that event's release; run.end closes it.
type runTracker struct {
	open    bool
	release string
}

func (t *runTracker) add(e *Event) string {
	if e.Type == "run.start" || !t.open {
		t.open, t.release = true, e.Release
	}
	rel := t.release
	if e.Type == "run.end" {
		t.open = false
	}
	return rel
}

// indexFile is the first pass over one file.
func indexFile(path string) fileIndex {
	ix := fileIndex{res: ChainResult{Source: path}, last: map[string]int{}}
	f, err := os.Open(path)
	if err != nil {
		ix.res.Error = err.Error()
		return ix
	}
	defer f.Close()
	var c Chain
	var runs runTracker
	err = readChain(f, &c, false, func(line int, e Event) error {
		ix.last[runs.add(&e)] = line
		return nil
	})
	ix.sum = c.Summary()
	ix.res.Events = ix.sum.Events
	if err != nil {
		ix.res.Error = err.Error()
		return ix
	}
	ix.res.OK = true
	return ix
}

// groupFiles joins the intact files that hold runs of a common release, each group
// in the order of the files, the groups in the order of their first file.
func groupFiles(ix []fileIndex) [][]int {
	parent := make([]int, len(ix))
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	owner := map[string]int{}
	for i := range ix {
		if !ix[i].res.OK {
			continue
		}
		for id := range ix[i].last {
			if j, ok := owner[id]; ok {
				parent[find(i)] = find(j)
			} else {
				owner[id] = i
			}
		}
	}
	byRoot := map[int]int{}
	var groups [][]int
	for i := range ix {
		if !ix[i].res.OK || ix[i].sum.Events == 0 {
			continue
		}
		r := find(i)
		g, ok := byRoot[r]
		if !ok {
			g = len(groups)
			byRoot[r] = g
			groups = append(groups, nil)
		}
		groups[g] = append(groups[g], i)
	}
	return groups
}

// errEnough stops the second pass at the last line the first pass verified.
var errEnough = errors.New("read as far as verified")

// readGroup is the second pass over one group of files: it collects their events and
// hands each release to judge once its last event has been read.
func readGroup(paths []string, ix []fileIndex, group []int, chains []ChainResult, judge chan<- *ReleaseRecord) {
	type at struct{ file, line int }
	final := map[string]at{}
	for k, i := range group {
		for id, line := range ix[i].last {
			final[id] = at{k, line}
		}
	}
	col := NewCollector()
	for k, i := range group {
		path, want := paths[i], ix[i].sum
		err := func() error {
			f, err := os.Open(path)
			if err != nil {
				return err
			}
			defer f.Close()
			var c Chain
			err = readChain(f, &c, false, func(line int, e Event) error {
				run := col.add(path, line, e)
				if final[run.release] == (at{k, line}) {
					delete(final, run.release)
					judge <- col.take(run.release)
				}
				if line == want.Events {
					return errEnough
				}
				return nil
			})
			switch {
			case errors.Is(err, errEnough):
			case err != nil:
				return err
			case c.Summary().Events < want.Events:
				return fmt.Errorf("it now ends after line %d", c.Summary().Events)
			}
			if got := c.Summary().LastHash; got != want.LastHash {
				return fmt.Errorf("line %d is no longer the line verified", want.Events)
			}
			return nil
		}()
		col.endSource(path)
		if err != nil {
			chains[i].OK = false
			chains[i].Error = fmt.Sprintf("the log changed while it was audited (%v): audit it again", err)
		}
	}
	// Only a file that changed leaves releases unfinished: judge what was read.
	for _, rec := range col.Releases() {
		judge <- rec
	}
}

// parallel runs fn(0…n-1) on up to workers goroutines.
func parallel(n, workers int, fn func(i int)) {
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				fn(i)
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}
