package ui

import (
	"bytes"
	"fmt"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the concurrent writes of a progress bar.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func envMap(kv map[string]string) func(string) string {
	return func(k string) string { return kv[k] }
}

// fakeClock advances by step on every reading.
type fakeClock struct {
	mu   sync.Mutex
	t    time.Time
	step time.Duration
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(c.step)
	return c.t
}

// testUI returns a UI writing to buffers, with numbered tokens instead of
// random ones so output is stable.
func testUI(t *testing.T, mode Mode, env map[string]string) (*UI, *syncBuffer, *syncBuffer) {
	t.Helper()
	var out, errOut syncBuffer
	clock := &fakeClock{t: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC), step: 3 * time.Second}
	u := New(Options{Mode: mode, Stdout: &out, Stderr: &errOut, Getenv: envMap(env), Now: clock.Now})
	n := 0
	u.newToken = func() string {
		n++
		return fmt.Sprintf("%032x", n)
	}
	return u, &out, &errOut
}
