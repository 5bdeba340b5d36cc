package registry

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// ExchangeError is a refusal or failure from the registry, safe to print:
// Message is the registry's own words with control characters stripped,
// bounded in length and with anything token-shaped redacted.
type ExchangeError struct {
	Registry   string        // display name
	Status     int           // HTTP status; 0 if no response
	Code       string        // machine code where the registry has one (PyPI errors[].code), else ""
	Message    string        // the registry's words, sanitised, at most maxMessageLen bytes
	Fix        string        // plain-language fix: what to configure where
	Retryable  bool          // 5xx, 429, transport error, reused jti: worth a try with a FRESH ID token
	RetryAfter time.Duration // from Retry-After, when present
}

// Error reads like "PyPI: HTTP 422 invalid-publisher: valid token, but no
// corresponding publisher (...)". It never returns "".
func (e *ExchangeError) Error() string {
	if e == nil {
		return "registry: <nil ExchangeError>"
	}
	name := e.Registry
	if name == "" {
		name = "registry"
	}
	msg := e.Message
	if msg == "" {
		msg = statusMessage(e.Status)
	}
	var b strings.Builder
	b.WriteString(name)
	b.WriteString(": ")
	if e.Status > 0 {
		fmt.Fprintf(&b, "HTTP %d", e.Status)
		if e.Code != "" {
			b.WriteString(" " + e.Code)
		}
		b.WriteString(": ")
	} else if e.Code != "" {
		b.WriteString(e.Code + ": ")
	}
	b.WriteString(msg)
	return b.String()
}

// maxErrorBody is how much of an error response we ever look at.
const maxErrorBody = 64 << 10

// ParseError turns a registry's error response into an *ExchangeError. It
// never panics, whatever the input, and reads at most 64 KiB of body.
func ParseError(kind string, status int, header http.Header, body []byte) *ExchangeError {
	return parseError(kind, "", status, header, body)
}

// parseError is ParseError with the package name, so that fixes can name
// the project's settings page.
// secrets are values this call sent (JWTs, the token being revoked): a
// registry that echoes one back must not get it into the message.
func parseError(kind, pkg string, status int, header http.Header, body []byte, secrets ...string) *ExchangeError {
	if len(body) > maxErrorBody {
		body = body[:maxErrorBody]
	}
	e := &ExchangeError{Registry: DisplayName(kind), Status: status}
	code, msg := extractMessage(header.Get("Content-Type"), body)
	e.Code = sanitizeCode(code)
	e.Message = sanitizeMessage(msg, secrets...)
	if e.Message == "" {
		e.Message = statusMessage(status)
	}
	e.RetryAfter = parseRetryAfter(header.Get("Retry-After"), time.Now())
	e.Retryable = status == 0 || status == http.StatusTooManyRequests || status >= 500
	switch kind {
	case KindPyPI, KindTestPyPI:
		classifyPyPI(e, kind, pkg)
	case KindNpm:
		classifyNpm(e, pkg)
	case KindCrates:
		classifyCrates(e, pkg)
	case KindRubyGems:
		classifyRubyGems(e, pkg)
	}
	if e.Fix == "" {
		e.Fix = genericFix(e)
	}
	return e
}

// genericFix covers what no registry-specific rule matched.
func genericFix(e *ExchangeError) string {
	switch {
	case e.Status == http.StatusTooManyRequests:
		return e.Registry + " is rate limiting requests; wait a few minutes and re-run the release"
	case e.Status == 0 || e.Status >= 500:
		return e.Registry + " or the network to it failed; releaser retried with fresh ID tokens, re-run the release later"
	default:
		return "see " + e.Registry + "'s trusted publishing documentation for this response"
	}
}

func statusMessage(status int) string {
	if status <= 0 {
		return "no response"
	}
	if t := http.StatusText(status); t != "" {
		return t
	}
	return "unexpected response"
}

// maxRetryAfter bounds a Retry-After we report (the wait itself is capped by
// Options.RetryWaitMax); it also keeps the Duration from overflowing.
const maxRetryAfter = 24 * time.Hour

// parseRetryAfter reads delay-seconds or an HTTP-date; 0 when absent or
// unparseable.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		if secs > int64(maxRetryAfter/time.Second) {
			return maxRetryAfter
		}
		return time.Duration(secs) * time.Second
	}
	if at, err := http.ParseTime(v); err == nil {
		return min(max(at.Sub(now), 0), maxRetryAfter)
	}
	return 0
}
