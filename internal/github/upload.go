package github

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"strings"
	"sync"
	"time"
)

// responseWait is how long GitHub may take to answer after the last byte of an upload
// (it stores and hashes the asset first).
const responseWait = 5 * time.Minute

// upload sends the file once. The bytes are hashed as they are read: if they are not
// the bytes the caller vouched for (the file changed on disk) or GitHub stored something
// else, the new asset is deleted again.
func (c *Client) upload(ctx context.Context, rel *Release, name, file string, size int64, want string, progress func(int64)) (Asset, error) {
	f, err := os.Open(file)
	if err != nil {
		return Asset{}, fmt.Errorf("GitHub: attach %s: %w", name, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return Asset{}, fmt.Errorf("GitHub: attach %s: %w", name, err)
	}
	if st.Size() != size {
		return Asset{}, fmt.Errorf("GitHub: attach %s: %s is %d bytes, expected %d (changed since it was built?)", name, file, st.Size(), size)
	}

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	guard := newStallGuard(c.stall, cancel)
	defer guard.stop()
	h := sha256.New()
	var body io.Reader = http.NoBody
	if size > 0 {
		m := &meteredReader{r: io.TeeReader(f, h), progress: progress, guard: guard, size: size}
		defer m.Close() // before f.Close (deferred earlier, runs later)
		body = m
	}
	q := url.Values{"name": {name}}
	u := fmt.Sprintf("%s/releases/%d/assets?%s", repoPath(rel.owner, rel.repo), rel.ID, q.Encode())
	req, err := c.bulk.NewUploadRequest(u, body, size, contentType(name))
	if err != nil {
		return Asset{}, err
	}
	var out wireAsset
	if _, err := c.bulk.Do(ctx, req, &out); err != nil {
		if cause := context.Cause(ctx); errors.Is(cause, errStalled) {
			return Asset{}, &transportError{msg: cause.Error()}
		}
		return Asset{}, err
	}
	if m, ok := body.(*meteredReader); ok {
		m.Close() // no transport read may touch h from here on
	}
	a := out.asset()
	got := "sha256:" + hex.EncodeToString(h.Sum(nil))
	var bad error
	switch {
	case got != want:
		bad = fmt.Errorf("GitHub: attach %s: the file's sha256 is %s, not %s: it changed on disk since it was verified; the upload was deleted", name, got, want)
	case a.Name != name:
		bad = fmt.Errorf("GitHub: attach %s: GitHub stored it as %q, so a re-run could not find it; rename the file (the upload was deleted)", name, a.Name)
	case a.Size != size || (a.Digest != "" && strings.ToLower(a.Digest) != want):
		// Damaged on the way: delete it and let the retry loop send it again.
		bad = &APIError{Op: "attach " + name, Status: 0, Retryable: true,
			Message: fmt.Sprintf("GitHub stored %d bytes with digest %q, sent %d bytes with %s; deleted it", a.Size, a.Digest, size, want)}
	}
	if bad != nil {
		if err := c.deleteAsset(context.WithoutCancel(ctx), rel, a); err != nil {
			return Asset{}, errors.Join(bad, err)
		}
		return Asset{}, bad
	}
	return a, nil
}

// contentType is the Content-Type an asset is uploaded with (GitHub requires one and
// serves downloads with it). A fixed table rather than mime.TypeByExtension, whose
// answers depend on the machine's mime.types.
func contentType(name string) string {
	lower := strings.ToLower(name)
	switch {
	case strings.HasSuffix(lower, ".tar.gz"), strings.HasSuffix(lower, ".tgz"), strings.HasSuffix(lower, ".crate"):
		return "application/gzip"
	}
	switch path.Ext(lower) {
	case ".whl", ".zip":
		return "application/zip"
	case ".gz":
		return "application/gzip"
	case ".json", ".jsonl":
		return "application/json"
	case ".txt", ".asc", ".sig", ".pem":
		return "text/plain"
	}
	if lower == "sha256sums" || lower == "sha512sums" {
		return "text/plain"
	}
	return "application/octet-stream"
}

// errStalled ends an upload or download that makes no progress.
var errStalled = errors.New("the transfer made no progress")

// stallGuard cancels a transfer when no byte moved for a while. It replaces an overall
// timeout, which a large file on a slow link would hit while perfectly healthy.
type stallGuard struct {
	mu    sync.Mutex
	timer *time.Timer
	d     time.Duration
}

func newStallGuard(d time.Duration, cancel context.CancelCauseFunc) *stallGuard {
	g := &stallGuard{d: d}
	g.timer = time.AfterFunc(d, func() { cancel(fmt.Errorf("%w for %s", errStalled, g.current())) })
	return g
}

// touch restarts the countdown, from d (or longer, e.g. waiting for an answer).
func (g *stallGuard) touch(d time.Duration) {
	g.mu.Lock()
	g.d = d
	g.mu.Unlock()
	g.timer.Reset(d)
}

func (g *stallGuard) current() time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.d
}

func (g *stallGuard) stop() { g.timer.Stop() }

// meteredReader reports progress and feeds the stall guard. As an upload body it is
// read by the HTTP transport's goroutine, which may go on reading after the answer came
// (an early error): Close, under the same lock as Read, guarantees that no Read (and so
// no progress call, no hash write) runs once the upload has returned.
type meteredReader struct {
	mu       sync.Mutex
	closed   bool
	r        io.Reader
	progress func(int64)
	guard    *stallGuard
	size     int64
	n        int64
}

func (m *meteredReader) Read(p []byte) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return 0, errBodyClosed
	}
	n, err := m.r.Read(p)
	if n > 0 {
		m.n += int64(n)
		if m.progress != nil {
			m.progress(m.n)
		}
	}
	if m.guard != nil {
		if m.n >= m.size {
			m.guard.touch(max(responseWait, m.guard.current()))
		} else if n > 0 {
			m.guard.touch(m.guard.current())
		}
	}
	return n, err
}

// Close ends reading; it waits for a Read in progress.
func (m *meteredReader) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	return nil
}

var errBodyClosed = errors.New("upload body read after the upload ended")
