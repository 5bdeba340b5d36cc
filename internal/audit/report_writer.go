package audit

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"sync"
	"time"
)

// ReportWriter takes release reports one at a time, as an audit judges them, and
// writes the report once all are in: in any format, byte for byte what Report's
// writers write for the same releases, oldest first (by the time of their first
// event, then by ID). Every format opens with the verdict, which is known only at
// the end, so the releases wait — encoded compactly in memory, and past spoolMemory
// in a temporary file — rather than as a Report: an audit of many releases holds
// little of them in memory. Without a usable temporary directory they all stay in
// memory. It is safe for concurrent use. Close removes the file.
type ReportWriter struct {
	mu      sync.Mutex
	mem     []byte   // the spool's tail, from offset fileLen on
	file    *os.File // the spool's head, once mem outgrew spoolMemory
	fileLen int64
	noFile  bool // a temporary file could not be made or written: memory only
	entries []spoolEntry
}

type spoolEntry struct {
	first  time.Time
	id     string
	off    int64
	n      int
	failed bool
	width  int  // ruleWidth of the release alone
	source int  // the file a provisional judgment read the release from; -1 if final
	dead   bool // withdrawn: not written, not counted
}

// spoolMemory is how much encoded report a ReportWriter keeps in memory before it
// moves it to its temporary file.
var spoolMemory = 4 << 20

// NewReportWriter returns an empty ReportWriter.
func NewReportWriter() *ReportWriter { return &ReportWriter{} }

// Add records one release's findings; first is the time of its first event.
func (w *ReportWriter) Add(rr ReleaseReport, first time.Time) {
	w.add(&rr, first, -1)
}

// add is Add of a judgment that is provisional when source >= 0: withdraw can take it
// back.
func (w *ReportWriter) add(rr *ReleaseReport, first time.Time, source int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	start := len(w.mem)
	w.mem = appendRecord(w.mem, rr)
	w.entries = append(w.entries, spoolEntry{first: first, id: rr.ID, off: w.fileLen + int64(start), n: len(w.mem) - start,
		failed: rr.status() == StatusFail, width: ruleWidth(0, rr), source: source})
	if len(w.mem) > spoolMemory && !w.noFile {
		w.noFile = !w.spill()
	}
}

// withdraw takes back the provisional judgments for which drop(source, id) is true.
func (w *ReportWriter) withdraw(drop func(source int, id string) bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for i := range w.entries {
		e := &w.entries[i]
		if e.source >= 0 && !e.dead && drop(e.source, e.id) {
			e.dead = true
		}
	}
}

// Failed reports whether a release added so far failed a rule.
func (w *ReportWriter) Failed() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, e := range w.entries {
		if e.failed && !e.dead {
			return true
		}
	}
	return false
}

// Len is the number of releases added.
func (w *ReportWriter) Len() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for _, e := range w.entries {
		if !e.dead {
			n++
		}
	}
	return n
}

// spill moves mem to the temporary file. It reports false when that cannot be done;
// mem is then as it was, and what the file holds is still good.
func (w *ReportWriter) spill() bool {
	if w.file == nil {
		f, err := os.CreateTemp("", "releaser-audit-*.spool")
		if err != nil {
			return false
		}
		w.file = f
		// Unlinked at once where the system allows it, so nothing is left behind
		// even if the process dies; Close removes it elsewhere.
		_ = os.Remove(f.Name())
	}
	if _, err := w.file.WriteAt(w.mem, w.fileLen); err != nil {
		return false
	}
	w.fileLen += int64(len(w.mem))
	w.mem = w.mem[:0]
	return true
}

// Render writes the report in format f: the chains as given, then every release
// added, oldest first. The report fails when failed is set, a chain is broken or a
// release failed, as Report's writers decide.
func (w *ReportWriter) Render(out io.Writer, f Format, chains []ChainResult, failed bool) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, c := range chains {
		failed = failed || !c.OK
	}
	live := w.entries[:0]
	width := len("RULE")
	for _, e := range w.entries {
		if !e.dead {
			live = append(live, e)
			failed = failed || e.failed
			width = max(width, e.width)
		}
	}
	w.entries = live
	sort.SliceStable(w.entries, func(i, j int) bool {
		a, b := &w.entries[i], &w.entries[j]
		if !a.first.Equal(b.first) {
			return a.first.Before(b.first)
		}
		return a.id < b.id
	})
	h := &reportHead{failed: failed, chains: chains, releases: len(w.entries), ruleWidth: width}
	var rec, buf []byte
	var rr ReleaseReport
	return writeReport(out, f, h, func(yield func(*ReleaseReport) error) error {
		for _, e := range w.entries {
			if e.off >= w.fileLen {
				rec = w.mem[e.off-w.fileLen : e.off-w.fileLen+int64(e.n)]
			} else {
				if cap(buf) < e.n {
					buf = make([]byte, e.n)
				}
				rec = buf[:e.n]
				if _, err := w.file.ReadAt(rec, e.off); err != nil {
					return fmt.Errorf("audit report spool: %w", err)
				}
			}
			if err := decodeRecord(rec, &rr); err != nil {
				return err
			}
			if err := yield(&rr); err != nil {
				return err
			}
		}
		return nil
	})
}

// Close releases the temporary file, if there is one.
func (w *ReportWriter) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.mem, w.entries = nil, nil
	if w.file == nil {
		return nil
	}
	err := w.file.Close()
	if rmErr := os.Remove(w.file.Name()); rmErr != nil && !errors.Is(rmErr, os.ErrNotExist) && err == nil {
		err = rmErr
	}
	w.file = nil
	return err
}

// A record is the release's strings, each length-prefixed: ID, then the number of
// findings and for each its rule, title, status, number of evidence lines and the
// lines.
func appendRecord(b []byte, rr *ReleaseReport) []byte {
	str := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	str(rr.ID)
	b = binary.AppendUvarint(b, uint64(len(rr.Findings)))
	for _, f := range rr.Findings {
		str(f.Rule)
		str(f.Title)
		str(string(f.Status))
		b = binary.AppendUvarint(b, uint64(len(f.Evidence)))
		for _, e := range f.Evidence {
			str(e)
		}
	}
	return b
}

var errBadRecord = errors.New("audit report spool: damaged record")

// decodeRecord reads a record into rr, reusing its slices.
func decodeRecord(b []byte, rr *ReleaseReport) error {
	bad := false
	num := func() int {
		n, k := binary.Uvarint(b)
		if k <= 0 || n > uint64(len(b)) {
			bad = true
			return 0
		}
		b = b[k:]
		return int(n)
	}
	str := func() string {
		n := num()
		if bad || n > len(b) {
			bad = true
			return ""
		}
		s := string(b[:n])
		b = b[n:]
		return s
	}
	rr.ID = str()
	nf := num()
	fs := rr.Findings[:0]
	for i := 0; i < nf && !bad; i++ {
		var f Finding
		if i < cap(fs) {
			f = fs[:i+1][i]
		}
		f.Rule, f.Title, f.Status = str(), str(), Status(str())
		ne := num()
		f.Evidence = f.Evidence[:0]
		for k := 0; k < ne && !bad; k++ {
			f.Evidence = append(f.Evidence, str())
		}
		fs = append(fs, f)
	}
	rr.Findings = fs
	if bad || len(b) != 0 {
		return errBadRecord
	}
	return nil
}
