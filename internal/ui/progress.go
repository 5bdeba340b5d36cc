package ui

import (
	"fmt"
	"sync"
	"time"
)

// Progress reports a long job measured in bytes. Add may be called from
// several goroutines; Done ends it, and later calls do nothing.
type Progress interface {
	Add(n int64)
	Done()
}

// longJob is how long a job must have run before quarter-way lines are
// printed in logs; shorter jobs get only their start and end lines.
const longJob = 5 * time.Second

// Progress starts reporting a job of total bytes (total <= 0: unknown).
// On a terminal it is a live bar on stderr, cleared when done. In logs
// (plain and GitHub modes) it is one line at the start ("hashing 5 files,
// 2.0 GiB"), at most one line per 25% once the job has run for longJob,
// and one line at the end with the rate. In JSON mode it is silent.
func (u *UI) Progress(label string, total int64) Progress {
	switch u.mode {
	case ModeJSON:
		return nopProgress{}
	case ModeTTY:
		return u.newBar(label, total)
	}
	p := &lineProgress{u: u, label: label, total: total, start: u.now()}
	if total > 0 {
		u.Infof("%s, %s", label, HumanBytes(total))
	} else {
		u.Infof("%s", label)
	}
	return p
}

type nopProgress struct{}

func (nopProgress) Add(int64) {}
func (nopProgress) Done()     {}

type lineProgress struct {
	u     *UI
	label string
	total int64
	start time.Time

	mu       sync.Mutex // held while printing, so lines come out in order
	done     int64
	quarter  int // last quarter passed, printed or not
	finished bool
}

func (p *lineProgress) Add(n int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.finished {
		return
	}
	p.done += n
	if p.total <= 0 {
		return
	}
	q := min(3, int(float64(p.done)/float64(p.total)*4)) // 100% is Done's line
	if q <= p.quarter {
		return
	}
	p.quarter = q
	if p.u.now().Sub(p.start) < longJob {
		return
	}
	p.u.Infof("%s: %d%% (%s of %s)", p.label, q*25, HumanBytes(p.done), HumanBytes(p.total))
}

func (p *lineProgress) Done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.finished {
		return
	}
	p.finished = true
	p.u.Infof("%s: %s", p.label, doneSummary(p.done, p.u.now().Sub(p.start)))
}

// doneSummary is "done, 2.0 GiB in 1.2s (1.6 GiB/s)".
func doneSummary(n int64, elapsed time.Duration) string {
	s := fmt.Sprintf("done, %s in %s", HumanBytes(n), FormatDuration(elapsed))
	if elapsed > 0 {
		s += fmt.Sprintf(" (%s/s)", HumanBytes(int64(float64(n)/elapsed.Seconds())))
	}
	return s
}
