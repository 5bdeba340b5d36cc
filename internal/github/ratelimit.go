package github

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// secondaryWait is GitHub's advice for a secondary rate limit that names no wait:
// "wait for at least one minute before retrying".
const secondaryWait = time.Minute

// rateLimited marks a 403 or 429 that is a rate limit as retryable, with the wait GitHub
// asks for. go-github recognises only some of them: a primary limit on a 403, and a
// secondary limit on a 403 whose documentation_url it knows. GitHub also answers 429,
// and a secondary limit's documentation URL has changed over time, so the headers and
// the message decide here.
func rateLimited(ae *APIError, h http.Header) {
	if ae.Status != http.StatusForbidden && ae.Status != http.StatusTooManyRequests {
		return
	}
	switch {
	case h.Get("X-RateLimit-Remaining") == "0":
		ae.Retryable = true
		if ae.retryAfter <= 0 {
			ae.retryAfter = untilReset(h.Get("X-RateLimit-Reset"))
		}
	case strings.Contains(strings.ToLower(ae.Message), "secondary rate limit"):
		ae.Retryable = true
		if ae.retryAfter <= 0 {
			ae.retryAfter = secondaryWait
		}
	}
}

// untilReset reads X-RateLimit-Reset (seconds since the epoch) as a wait from now; 0
// when absent, unreadable or past.
func untilReset(v string) time.Duration {
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil {
		return 0
	}
	return max(0, time.Until(time.Unix(n, 0)))
}
