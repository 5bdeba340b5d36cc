package audit

import (
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
	// at once, and only with a release's final record.
	Judged func(rel *ReleaseRecord, findings []Finding) []Finding
	// Workers bounds the files read, and the releases judged, at once; 0 means
	// runtime.GOMAXPROCS(0).
	Workers int
}

// AuditFiles audits log files as `releaser audit FILE...` does and adds every
// release's findings to out. It returns each file's chain result, in the order of
// paths. The verdicts are those of NewReport over a Collector fed every file whose
// chain holds: a file whose chain is broken is reported and none of its events are
// judged, and the runs of a release are judged together whichever files hold them.
//
// Memory does not grow with the events of the releases: what is held at once is a
// few releases' events per file being read, the judgments waiting in out (which
// spools them to a temporary file), and per release a few dozen bytes of index.
//
// Files are read in parallel, each release judged (on other goroutines) as soon as
// the file moves on to another release, then dropped. Such a judgment is
// provisional: it stands if the file's chain holds to its end and the release has no
// other runs, later in the file or in another file. Otherwise it is withdrawn and
// the release is judged again from a second pass over just the files that hold it,
// read together, each up to the line the first pass verified (an audit log may grow
// meanwhile) and required to be unchanged up to there. With opts.Judged set, nothing
// is judged provisionally: a first pass only verifies the chains and notes where
// each release ends, and the second pass judges every release once.
func AuditFiles(paths []string, opts FilesOptions, out *ReportWriter) []ChainResult {
	a := &filesAudit{paths: paths, opts: opts, out: out, workers: opts.Workers}
	if a.workers <= 0 {
		a.workers = runtime.GOMAXPROCS(0)
	}
	scans := make([]fileScan, len(paths))
	a.judging(func(judge chan<- judgment) {
		parallel(len(paths), a.workers, func(i int) { scans[i] = a.scan(i, judge) })
	})
	chains := make([]ChainResult, len(paths))
	for i := range scans {
		chains[i] = scans[i].res
	}
	again := a.settle(scans)
	groups := groupFiles(scans, again)
	a.judging(func(judge chan<- judgment) {
		parallel(len(groups), a.workers, func(g int) { a.readGroup(scans, groups[g], again, chains, judge) })
	})
	return chains
}

type filesAudit struct {
	paths   []string
	opts    FilesOptions
	out     *ReportWriter
	workers int
}

// judgment is a release to judge; source is the file of a provisional judgment, -1
// for a final one.
type judgment struct {
	rec    *ReleaseRecord
	source int
}

// judging runs produce with judges evaluating what it sends, and returns when all
// is judged: readers and judges are separate goroutines, so that even a single
// file keeps two cores busy.
func (a *filesAudit) judging(produce func(judge chan<- judgment)) {
	judge := make(chan judgment, 2*a.workers)
	var wg sync.WaitGroup
	for range a.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range judge {
				findings := Evaluate(j.rec, a.opts.Policy)
				if a.opts.Judged != nil {
					findings = a.opts.Judged(j.rec, findings)
				}
				a.out.add(&ReleaseReport{ID: j.rec.ID, Findings: findings}, j.rec.Runs[0].Events[0].Time, j.source)
			}
		}()
	}
	produce(judge)
	close(judge)
	wg.Wait()
}

// fileScan is what the first pass learns about a file.
type fileScan struct {
	res  ChainResult
	sum  Summary
	last map[string]int // release → the line of the last event of its runs in the file
	// again are releases whose provisional judgment cannot stand: more of their
	// runs came after it.
	again map[string]bool
	held  int // the most releases held at once while reading it
}

// runTracker assigns events to runs as Collector.Add does: a run.start, or an event
// with no open run, opens a run belonging to that event's release; run.end closes it.
type runTracker struct {
	open    bool
	release string
}

// add returns the release of e's run and whether e opened the run.
func (t *runTracker) add(e *Event) (string, bool) {
	opened := false
	if e.Type == "run.start" || !t.open {
		t.open, t.release, opened = true, e.Release, true
	}
	rel := t.release
	if e.Type == "run.end" {
		t.open = false
	}
	return rel, opened
}

// scan is the first pass over file i: it verifies the chain and notes where each
// release ends; unless every judgment must be final, it also judges each release
// provisionally as soon as a run of another release begins.
func (a *filesAudit) scan(i int, judge chan<- judgment) fileScan {
	path := a.paths[i]
	fs := fileScan{res: ChainResult{Source: path}, last: map[string]int{}, again: map[string]bool{}}
	f, err := os.Open(path)
	if err != nil {
		fs.res.Error = err.Error()
		return fs
	}
	defer f.Close()
	provisional := a.opts.Judged == nil
	col := NewCollector()
	judged := map[string]bool{}
	pending := "" // the release being collected, if collecting
	collecting := false
	finish := func() {
		if collecting {
			judged[pending] = true
			judge <- judgment{rec: col.take(pending), source: i}
			collecting = false
		}
	}
	var c Chain
	var runs runTracker
	err = readChain(f, &c, false, func(line int, e Event) error {
		rel, opened := runs.add(&e)
		fs.last[rel] = line
		if !provisional {
			return nil
		}
		if opened && (!collecting || rel != pending) {
			finish()
			if judged[rel] {
				fs.again[rel] = true
			}
			col.endSource(path)
			pending, collecting = rel, !fs.again[rel]
		}
		if collecting {
			col.add(path, line, &e)
			fs.held = max(fs.held, len(col.releases))
		}
		return nil
	})
	fs.sum = c.Summary()
	fs.res.Events = fs.sum.Events
	if err != nil {
		fs.res.Error = err.Error()
		return fs // its provisional judgments are withdrawn (settle)
	}
	finish()
	fs.res.OK = true
	return fs
}

// settle withdraws the provisional judgments that cannot stand — those of broken
// files, of releases with more runs after them in the same file, and of releases in
// more than one intact file — and returns the releases to judge again.
func (a *filesAudit) settle(scans []fileScan) map[string]bool {
	again := map[string]bool{}
	seen := map[string]int{}
	for i := range scans {
		s := &scans[i]
		if !s.res.OK {
			continue
		}
		for id := range s.again {
			again[id] = true
		}
		for id := range s.last {
			if j, ok := seen[id]; ok && j != i {
				again[id] = true
			}
			seen[id] = i
		}
	}
	if a.opts.Judged != nil {
		for id := range seen {
			again[id] = true
		}
	}
	a.out.withdraw(func(source int, id string) bool { return !scans[source].res.OK || again[id] })
	return again
}

// groupFiles joins the intact files that hold runs of a common release of again,
// each group in the order of the files, the groups in the order of their first file.
// Files without such releases are in no group.
func groupFiles(scans []fileScan, again map[string]bool) [][]int {
	parent := make([]int, len(scans))
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
	has := make([]bool, len(scans))
	for i := range scans {
		if !scans[i].res.OK {
			continue
		}
		for id := range scans[i].last {
			if !again[id] {
				continue
			}
			has[i] = true
			if j, ok := owner[id]; ok {
				parent[find(i)] = find(j)
			} else {
				owner[id] = i
			}
		}
	}
	byRoot := map[int]int{}
	var groups [][]int
	for i := range scans {
		if !has[i] {
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
