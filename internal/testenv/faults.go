package testenv

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

type faultKind int

const (
	faultStatus faultKind = iota + 1
	faultTooMany
	faultReset
	faultSlow
	faultLost
)

// Fault is one injected failure, consumed by the first request that matches its path.
type Fault struct {
	kind       faultKind
	status     int
	body       string
	retryAfter string
	delay      time.Duration
}

// Status answers with code and body instead of the real handler (nothing happens on the
// server). A body starting with '{' or '[' is sent as application/json.
func Status(code int, body string) Fault {
	return Fault{kind: faultStatus, status: code, body: body}
}

// TooManyRequests answers 429 with the Retry-After header set to retryAfter (seconds or
// an HTTP date; "" omits the header) and a plain "Too Many Requests" body; WithBody
// replaces the body, e.g. with a registry's JSON error.
func TooManyRequests(retryAfter string) Fault {
	return Fault{kind: faultTooMany, status: http.StatusTooManyRequests, body: "Too Many Requests", retryAfter: retryAfter}
}

// Reset drops the connection in the middle of the status line without running the real
// handler: the client's request fails and nothing happened on the server.
func Reset() Fault { return Fault{kind: faultReset} }

// Slow waits d before running the real handler. If the client gives up first, the handler
// does not run.
func Slow(d time.Duration) Fault { return Fault{kind: faultSlow, delay: d} }

// LostResponse runs the real handler (the token is minted, the jti consumed, the upload
// stored), throws its response away and drops the connection: the action landed but the
// client sees an error.
func LostResponse() Fault { return Fault{kind: faultLost} }

// WithBody replaces the response body of a Status or TooManyRequests fault.
func (f Fault) WithBody(body string) Fault {
	f.body = body
	return f
}

func (f Fault) String() string {
	switch f.kind {
	case faultStatus:
		return fmt.Sprintf("status %d", f.status)
	case faultTooMany:
		return fmt.Sprintf("429 (Retry-After %q)", f.retryAfter)
	case faultReset:
		return "connection reset"
	case faultSlow:
		return fmt.Sprintf("slow %s", f.delay)
	case faultLost:
		return "lost response"
	}
	return "no fault"
}

// Faults is a queue of injected failures per path, usable as middleware in front of any
// handler (every emulator in this package has one; later emulators wrap theirs too).
type Faults struct {
	mu     sync.Mutex
	queues map[string][]Fault
	fired  []string
}

// NewFaults returns an empty fault queue.
func NewFaults() *Faults { return &Faults{queues: map[string][]Fault{}} }

// Add queues f for the next request to path. path is a URL path ("/api/v1/x", matched
// against both the decoded and the escaped form) optionally preceded by a method and a
// space ("DELETE /api/v1/x"). Faults for one path fire in the order added, one per
// request; requests after the queue is empty reach the handler untouched.
func (fs *Faults) Add(path string, f Fault) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.queues[path] = append(fs.queues[path], f)
}

// Pending returns how many queued faults have not fired yet.
func (fs *Faults) Pending() int {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	n := 0
	for _, q := range fs.queues {
		n += len(q)
	}
	return n
}

// Fired lists the faults that fired, oldest first, as "METHOD path: fault".
func (fs *Faults) Fired() []string {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return append([]string(nil), fs.fired...)
}

// Clear drops every queued fault.
func (fs *Faults) Clear() {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.queues = map[string][]Fault{}
}

// next pops the fault for r, method-qualified keys first.
func (fs *Faults) next(r *http.Request) (Fault, bool) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	paths := []string{r.URL.Path}
	if ep := r.URL.EscapedPath(); ep != r.URL.Path {
		paths = append(paths, ep)
	}
	var keys []string
	for _, p := range paths {
		keys = append(keys, r.Method+" "+p)
	}
	keys = append(keys, paths...)
	for _, k := range keys {
		if q := fs.queues[k]; len(q) > 0 {
			fs.queues[k] = q[1:]
			fs.fired = append(fs.fired, r.Method+" "+r.URL.EscapedPath()+": "+q[0].String())
			return q[0], true
		}
	}
	return Fault{}, false
}

// Middleware returns next behind the fault queue.
func (fs *Faults) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, ok := fs.next(r)
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		switch f.kind {
		case faultStatus, faultTooMany:
			if f.retryAfter != "" {
				w.Header().Set("Retry-After", f.retryAfter)
			}
			writeRaw(w, f.status, f.body)
		case faultReset:
			dropConnection(w)
		case faultSlow:
			t := time.NewTimer(f.delay)
			defer t.Stop()
			select {
			case <-t.C:
				next.ServeHTTP(w, r)
			case <-r.Context().Done():
			}
		case faultLost:
			next.ServeHTTP(httptest.NewRecorder(), r)
			dropConnection(w)
		}
	})
}

func writeRaw(w http.ResponseWriter, status int, body string) {
	ct := "text/plain; charset=utf-8"
	if b := strings.TrimSpace(body); strings.HasPrefix(b, "{") || strings.HasPrefix(b, "[") {
		ct = "application/json"
	}
	w.Header().Set("Content-Type", ct)
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

// dropConnection writes half a status line and closes the connection. Sending a few
// bytes first matters: net/http's client silently retries an idempotent request whose
// reused connection closed before any byte arrived, which would hide the fault.
func dropConnection(w http.ResponseWriter) {
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// Not hijackable (HTTP/2): the server resets the stream instead.
		panic(http.ErrAbortHandler)
	}
	_, _ = buf.WriteString("HTTP/1.1 2")
	_ = buf.Flush()
	_ = conn.Close()
}
