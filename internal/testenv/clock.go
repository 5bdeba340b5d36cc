package testenv

import (
	"sync"
	"time"
)

// Clock is the emulators' notion of now. It follows the real clock until a test sets or
// advances it. An issuer and the registries built on it share one Clock, so "time passes"
// for all of them at once.
type Clock struct {
	mu     sync.Mutex
	fixed  time.Time
	offset time.Duration
}

// Now returns the current emulated time, truncated to whole seconds as JWT times are.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.fixed.IsZero() {
		return c.fixed
	}
	return time.Now().Add(c.offset).Truncate(time.Second)
}

// Set freezes the clock at t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.fixed = t.Truncate(time.Second)
}

// Advance moves the clock forward by d (backwards if d < 0), frozen or not.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.fixed.IsZero() {
		c.fixed = c.fixed.Add(d)
		return
	}
	c.offset += d
}

// Real makes the clock follow the real clock again.
func (c *Clock) Real() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.fixed, c.offset = time.Time{}, 0
}
