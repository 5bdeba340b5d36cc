package audit

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Options configures Open.
type Options struct {
	Run     RunIdentity
	Release string // "name@version"; may be set later with SetRelease
	// Mirror, if non-nil, receives every appended line as MirrorPrefix+line+"\n",
	// byte-identical to the file, so the run log is a second verifiable copy.
	Mirror io.Writer
	Now    func() time.Time // nil means time.Now
}

// Log appends events to one audit log file. It is safe for concurrent use.
type Log struct {
	mu      sync.Mutex
	path    string
	f       *os.File
	run     RunIdentity
	release string
	mirror  io.Writer
	now     func() time.Time
	secrets []string
	seq     int64
	prev    string
	// broken is set after a failed write: the file may now end in a torn line, so
	// appending more would only bury the damage.
	broken error
}

// Open opens the log at path for appending, creating its parent directories and the
// file (mode 0600) if needed. An existing file is verified first: a broken chain or a
// torn last line is an error and the file is left untouched, because appending to a
// tampered log would make the tampering look legitimate. Appending continues seq and
// prev from the last line.
func Open(path string, opts Options) (*Log, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("create audit log directory: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open audit log: %w", err)
	}
	sum, err := checkExisting(f, path)
	if err != nil {
		f.Close()
		return nil, err
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	return &Log{
		path:    path,
		f:       f,
		run:     opts.Run,
		release: opts.Release,
		mirror:  opts.Mirror,
		now:     now,
		seq:     sum.LastSeq,
		prev:    sum.LastHash,
	}, nil
}

func checkExisting(f *os.File, path string) (Summary, error) {
	fi, err := f.Stat()
	if err != nil {
		return Summary{}, fmt.Errorf("audit log %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return Summary{}, fmt.Errorf("audit log %s is not a regular file (%s): point the audit log at a plain file", path, fi.Mode().Type())
	}
	sum, err := Verify(f)
	var ce *ChainError
	if errors.As(err, &ce) {
		return Summary{}, fmt.Errorf("audit log %s: %w; refusing to append to a damaged or tampered log: move it aside (keep it as evidence) and start a new one", path, err)
	}
	if err != nil {
		return Summary{}, fmt.Errorf("audit log %s: %w", path, err)
	}
	return sum, nil
}

// Path returns the file the log appends to.
func (l *Log) Path() string { return l.path }

// SetRelease sets the release ("name@version") recorded in later events, for events
// appended before the release name is known.
func (l *Log) SetRelease(release string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.release = release
}

// AddSecret registers a value that must never be written to the log (see the package
// documentation for what happens to an event that contains it). Only the empty string
// is ignored: a short secret still must not land, even if redacting it is crude.
func (l *Log) AddSecret(s string) {
	if s == "" {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, have := range l.secrets {
		if have == s {
			return
		}
	}
	l.secrets = append(l.secrets, s)
}

// Append writes one event. data must marshal (encoding/json) to a JSON object, or be
// nil for an event without data. The line is written with a single write on the
// O_APPEND file and synced before Append returns, then mirrored.
func (l *Log) Append(stage, typ string, data any) (Event, error) {
	raw, err := marshalData(data)
	if err != nil {
		return Event{}, fmt.Errorf("audit event %s/%s: %w", stage, typ, err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return Event{}, fmt.Errorf("audit log %s is closed", l.path)
	}
	if l.broken != nil {
		return Event{}, fmt.Errorf("audit log %s: an earlier write failed (%v); not appending after a possibly torn line", l.path, l.broken)
	}
	e := Event{
		Seq:     l.seq + 1,
		Time:    l.now().UTC().Round(0),
		Run:     l.run,
		Release: l.release,
		Stage:   stage,
		Type:    typ,
		Data:    raw,
		Prev:    l.prev,
	}
	line, e, err := secretFreeLine(e, l.secrets)
	if err != nil {
		return Event{}, fmt.Errorf("audit event %s/%s: %w", stage, typ, err)
	}
	if len(line) > MaxLineSize {
		return Event{}, fmt.Errorf("audit event %s/%s is %d bytes, over the %d-byte line limit: record less data (e.g. a digest instead of contents)", stage, typ, len(line), MaxLineSize)
	}
	if err := l.write(line); err != nil {
		l.broken = err
		return Event{}, fmt.Errorf("audit log %s: %w", l.path, err)
	}
	l.seq, l.prev = e.Seq, e.Hash
	if l.mirror != nil {
		buf := make([]byte, 0, len(MirrorPrefix)+len(line)+1)
		buf = append(append(append(buf, MirrorPrefix...), line...), '\n')
		if _, err := l.mirror.Write(buf); err != nil {
			return e, fmt.Errorf("audit event seq %d is in %s but mirroring it failed: %w", e.Seq, l.path, err)
		}
	}
	return e, nil
}

func (l *Log) write(line []byte) error {
	buf := make([]byte, 0, len(line)+1)
	buf = append(append(buf, line...), '\n')
	// One Write call on an O_APPEND file: the kernel places the whole line at the end
	// in one step, so a crash leaves at most a torn last line, never interleaving.
	if _, err := l.f.Write(buf); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	if err := l.f.Sync(); err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	return nil
}

// Close closes the file. Appending after Close is an error; closing twice is not.
func (l *Log) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	if err != nil {
		return fmt.Errorf("close audit log %s: %w", l.path, err)
	}
	return nil
}
