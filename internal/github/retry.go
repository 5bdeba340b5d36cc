package github

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// RetryPolicy bounds retries of failed requests (5xx, 429, rate limits, connection
// failures). Zero fields take the defaults.
type RetryPolicy struct {
	// Max is the number of extra attempts after the first; 0 means 4, negative none.
	Max int
	// WaitMin is the first backoff (doubling from there); 0 means 1 s.
	WaitMin time.Duration
	// WaitMax caps the backoff; 0 means 60 s. A server asking for a longer wait
	// (Retry-After, a rate-limit reset) ends the retries instead: the run fails with a
	// retryable error and can be run again later.
	WaitMax time.Duration
	// OnRetry, when set, is called before each wait (for progress output and the audit
	// log). It is called from the goroutine making the request.
	OnRetry func(RetryInfo)
}

// RetryInfo describes one upcoming retry. It never carries a secret.
type RetryInfo struct {
	Op      string        // e.g. "attach demo.whl to release v1.2.3"
	Attempt int           // the attempt about to be made: 2 for the first retry
	Status  int           // HTTP status of the failed attempt; 0 = no HTTP answer
	Wait    time.Duration // how long before that attempt
	Reason  string        // short, safe to print
}

// SetRetry replaces the retry policy. Call it before using the client.
func (c *Client) SetRetry(p RetryPolicy) {
	switch {
	case p.Max == 0:
		p.Max = 4
	case p.Max < 0:
		p.Max = 0
	}
	if p.WaitMin <= 0 {
		p.WaitMin = time.Second
	}
	if p.WaitMax <= 0 {
		p.WaitMax = 60 * time.Second
	}
	p.WaitMin = min(p.WaitMin, p.WaitMax)
	c.retry = p
}

// withRetry runs attempt until it succeeds, fails for good, or the attempts run out.
// attempt gets its number (1 for the first); an attempt after a failure where the
// request may have landed must look at GitHub before sending again. Errors that are
// not about a request (a local file, a conflict) end the loop as they are.
func (c *Client) withRetry(ctx context.Context, op string, attempt func(ctx context.Context, n int) error) error {
	for n := 1; ; n++ {
		err := attempt(ctx, n)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("GitHub: %s: %w", op, ctx.Err())
		}
		ae, ok := c.classify(op, err)
		if !ok {
			return err
		}
		if ae.final || !ae.Retryable || n > c.retry.Max || ae.retryAfter > c.retry.WaitMax {
			if !ae.final {
				ae.Attempts, ae.final = n, true
			}
			return ae
		}
		wait := c.retry.WaitMin << (n - 1)
		if wait <= 0 || wait > c.retry.WaitMax { // <= 0: shifted past the int64 range
			wait = c.retry.WaitMax
		}
		if ae.retryAfter > 0 {
			wait = ae.retryAfter
		}
		if c.retry.OnRetry != nil {
			c.retry.OnRetry(RetryInfo{Op: op, Attempt: n + 1, Status: ae.Status, Wait: wait, Reason: reason(ae)})
		}
		if err := c.sleep(ctx, wait); err != nil {
			return fmt.Errorf("GitHub: %s: %w", op, err)
		}
	}
}

func reason(ae *APIError) string {
	r := ae.Message
	if ae.Status > 0 {
		r = fmt.Sprintf("HTTP %d %s", ae.Status, r)
	}
	r = strings.TrimSpace(r)
	if len(r) > 160 {
		r = r[:160] + "…"
	}
	return r
}
