package ui

import (
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
)

// barProgress is the terminal progress: a progressbar/v3 bar on stderr
// that is cleared when done and replaced by the same end line the logs get.
type barProgress struct {
	u     *UI
	label string
	start time.Time
	bar   *progressbar.ProgressBar
	done  atomic.Int64
	once  sync.Once
}

func (u *UI) newBar(label string, total int64) *barProgress {
	limit := total
	if limit <= 0 {
		limit = -1 // progressbar's spinner for an unknown size
	}
	u.mu.Lock()
	desc := safeLines(u.redactLocked(label))[0]
	u.mu.Unlock()
	return &barProgress{
		u:     u,
		label: label,
		start: u.now(),
		bar: progressbar.NewOptions64(limit,
			progressbar.OptionSetWriter(lockedWriter{u: u, w: u.stderr}),
			progressbar.OptionSetDescription(desc),
			progressbar.OptionShowBytes(true),
			progressbar.OptionShowTotalBytes(true),
			progressbar.OptionUseIECUnits(true),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionSetWidth(24),
			progressbar.OptionThrottle(65*time.Millisecond),
			progressbar.OptionClearOnFinish(),
			progressbar.OptionSpinnerType(14),
		),
	}
}

func (p *barProgress) Add(n int64) {
	p.done.Add(n)
	_ = p.bar.Add64(n) // "exceeds max" only means the total was an estimate
}

func (p *barProgress) Done() {
	p.once.Do(func() {
		_ = p.bar.Finish()
		p.u.Infof("%s: %s", p.label, doneSummary(p.done.Load(), p.u.now().Sub(p.start)))
	})
}

// lockedWriter serialises a third-party writer with the UI's own writes.
type lockedWriter struct {
	u *UI
	w io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.u.mu.Lock()
	defer l.u.mu.Unlock()
	return l.w.Write(p)
}
