package github

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	gogithub "github.com/google/go-github/v60/github"
	"github.com/hashicorp/go-retryablehttp"
)

// APIError is a failed GitHub request: the status, message, field errors and
// documentation_url from GitHub's error body, or Status 0 when no answer came. It never
// carries the token.
type APIError struct {
	Op               string   // what releaser was doing, e.g. "create the draft release v1.2.3 in o/r"
	Status           int      // HTTP status; 0 = no HTTP answer (connection failed, stalled)
	Message          string   // GitHub's message, or the transport failure
	Errors           []string // GitHub's field errors, e.g. "ReleaseAsset.name already_exists"
	DocumentationURL string
	Retryable        bool // 5xx, 429, rate limit or network: worth running again later
	Attempts         int  // how many times the request was sent
	// Permission is what GitHub's X-Accepted-GitHub-Permissions header says the request
	// needs, e.g. "actions: read" (alternatives joined by " or "), or "".
	Permission string

	retryAfter time.Duration // the server's Retry-After or rate-limit reset
	final      bool          // retries are spent: an enclosing retry loop must not retry it
	code       string        // the first field error's code, e.g. "already_exists"
	need       string        // the permission the endpoint documents, for a 403 without the header
	missing    string        // what a 404 means for this endpoint, for Fix
}

// RetryAfter is how long GitHub asked to wait (Retry-After, or until a rate limit
// resets) before the next request, or 0. A caller that polls can wait this long
// itself when the client gave up because the wait exceeded RetryPolicy.WaitMax.
func (e *APIError) RetryAfter() time.Duration { return max(0, e.retryAfter) }

func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("GitHub: ")
	b.WriteString(e.Op)
	if e.Status == 0 {
		b.WriteString(": request failed: ")
	} else {
		fmt.Fprintf(&b, ": HTTP %d: ", e.Status)
	}
	b.WriteString(e.Message)
	if len(e.Errors) > 0 {
		b.WriteString(" (" + strings.Join(e.Errors, "; ") + ")")
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " [after %d attempts]", e.Attempts)
	}
	if e.DocumentationURL != "" {
		b.WriteString("; see " + e.DocumentationURL)
	}
	if f := e.Fix(); f != "" {
		b.WriteString("; " + f)
	}
	return b.String()
}

// Fix says what the user can do about the error, or "".
func (e *APIError) Fix() string {
	switch {
	case e.Status == http.StatusUnauthorized:
		return "the token was refused: pass the workflow's token (env: GITHUB_TOKEN: ${{ github.token }}) to releaser"
	case e.Status == http.StatusForbidden && !e.Retryable:
		perm := cmp.Or(e.Permission, e.need)
		if strings.Contains(perm, "administration") {
			// GITHUB_TOKEN's `permissions:` has no administration key.
			return "the token needs " + perm + ", which a workflow's GITHUB_TOKEN can never be given: " +
				"pass releaser a GitHub App installation token or a fine-grained token with the repository permission Administration: read"
		}
		if perm != "" {
			return "the token needs " + perm + " (for the workflow's GITHUB_TOKEN, grant it in the job's `permissions:`)"
		}
		return "the token may not do this: give the release job `permissions: contents: write`"
	case e.Status == http.StatusNotFound:
		fix := cmp.Or(e.missing, "check the repository name; a token without access to a private repository also sees 404")
		if e.Permission != "" {
			fix += " (this request needs " + e.Permission + ")"
		}
		return fix
	case e.immutableRefusal():
		return "the release is published and immutable: its assets and its tag can no longer change; " +
			"if it is wrong, release a new version (the tag name stays reserved even if the release is deleted)"
	case e.Retryable:
		return "GitHub or the network is having trouble; run releaser again to finish (nothing is uploaded twice)"
	}
	return ""
}

// IsImmutableRefusal reports whether err is GitHub refusing to change an immutable
// release ("Cannot upload assets to an immutable release.", "Cannot delete asset from
// an immutable release", "tag_name was used by an immutable release").
func IsImmutableRefusal(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.immutableRefusal()
}

func (e *APIError) immutableRefusal() bool {
	if e.Status != http.StatusUnprocessableEntity {
		return false
	}
	for _, s := range append([]string{e.Message}, e.Errors...) {
		if strings.Contains(strings.ToLower(s), "immutable release") {
			return true
		}
	}
	return false
}

// AssetConflictError: the release already has an asset with this name and different
// content. releaser never replaces an asset.
type AssetConflictError struct {
	Release string // the release's tag
	Name    string
	Have    string // what GitHub has: "sha256:<hex>", or "<n> bytes" when its size alone differs
	Want    string // "sha256:<hex>" of the file releaser would upload
}

func (e *AssetConflictError) Error() string {
	return fmt.Sprintf("GitHub release %s already has an asset %s with different content (GitHub: %s, this release: %s); "+
		"releaser never replaces an asset: if the one on GitHub is wrong, delete it from the release and run again",
		e.Release, e.Name, e.Have, e.Want)
}

// transportError is a request that got no usable answer, described without URLs that
// could carry a signature.
type transportError struct{ msg string }

func (e *transportError) Error() string { return e.msg }

// classify turns an error from one request into an *APIError. ok is false for errors
// that are not about the request (a local file, a conflict): those pass through as is.
func (c *Client) classify(op string, err error) (ae *APIError, ok bool) {
	if errors.As(err, &ae) {
		if ae.Op == "" {
			ae.Op = op
		}
		return ae, true
	}
	ae = &APIError{Op: op}
	var (
		er  *gogithub.ErrorResponse
		rl  *gogithub.RateLimitError
		ab  *gogithub.AbuseRateLimitError
		te  *transportError
		acc *gogithub.AcceptedError
	)
	switch {
	case errors.As(err, &rl):
		ae.Status, ae.Message, ae.Retryable = statusOf(rl.Response, http.StatusForbidden), rl.Message, true
		ae.retryAfter = time.Until(rl.Rate.Reset.Time)
	case errors.As(err, &ab):
		ae.Status, ae.Message, ae.Retryable = statusOf(ab.Response, http.StatusForbidden), ab.Message, true
		// GitHub's advice for a secondary rate limit without Retry-After: wait a minute.
		ae.retryAfter = time.Minute
		if ab.RetryAfter != nil {
			ae.retryAfter = *ab.RetryAfter
		}
	case errors.As(err, &er):
		ae.Status = statusOf(er.Response, 0)
		ae.Message, ae.DocumentationURL = er.Message, er.DocumentationURL
		for _, fe := range er.Errors {
			ae.Errors = append(ae.Errors, fieldError(fe))
			if ae.code == "" {
				ae.code = fe.Code
			}
		}
		if ae.Message == "" {
			ae.Message = http.StatusText(ae.Status)
		}
		ae.Retryable = retryableStatus(ae.Status)
		if er.Response != nil {
			h := er.Response.Header
			ae.retryAfter = parseRetryAfter(h.Get("Retry-After"))
			ae.Permission = acceptedPermissions(h.Get("X-Accepted-GitHub-Permissions"))
			rateLimited(ae, h)
		}
	case errors.As(err, &acc):
		ae.Status, ae.Message, ae.Retryable = http.StatusAccepted, "GitHub accepted the request but has not finished it", true
	case isDecode(err):
		ae.Message = "GitHub's answer is not the JSON releaser expects"
	case errors.As(err, &te):
		ae.Message, ae.Retryable = te.msg, true
	case isTransport(err):
		ae.Message = err.Error()
		// retryablehttp knows which transport errors are permanent (certificates, bad
		// scheme, invalid header, too many redirects).
		ae.Retryable, _ = retryablehttp.DefaultRetryPolicy(context.Background(), nil, err)
	default:
		return nil, false
	}
	ae.Message = c.sanitize(ae.Message)
	ae.Permission = c.sanitize(ae.Permission)
	ae.DocumentationURL = c.sanitize(ae.DocumentationURL)
	for i := range ae.Errors {
		ae.Errors[i] = c.sanitize(ae.Errors[i])
	}
	return ae, true
}

func statusOf(r *http.Response, def int) int {
	if r != nil {
		return r.StatusCode
	}
	return def
}

func retryableStatus(s int) bool {
	return s == http.StatusTooManyRequests || (s >= 500 && s != http.StatusNotImplemented)
}

func fieldError(fe gogithub.Error) string {
	if fe.Message != "" && fe.Code == "" {
		return fe.Message
	}
	s := fe.Resource
	if fe.Field != "" {
		s += "." + fe.Field
	}
	s = strings.TrimPrefix(s+" "+fe.Code, " ")
	if fe.Message != "" {
		s += ": " + fe.Message
	}
	return s
}

// parseRetryAfter reads seconds or an HTTP date; 0 when absent or unreadable.
func parseRetryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n >= 0 {
		// More seconds than a Duration holds would wrap around (fuzz-found).
		return time.Duration(min(int64(n), math.MaxInt64/int64(time.Second))) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(0, time.Until(t))
	}
	return 0
}

// sanitize removes the token (should a server or proxy echo it), control characters and
// excess length from text that goes into an error.
func (c *Client) sanitize(s string) string {
	if c.token != "" {
		s = strings.ReplaceAll(s, c.token, "[REDACTED]")
	}
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	const maxLen = 400
	if len(s) > maxLen {
		s = s[:maxLen] + "…"
	}
	return s
}

// isAlreadyExists reports GitHub's 422 "already_exists" validation error.
func isAlreadyExists(err error) bool {
	var er *gogithub.ErrorResponse
	if !errors.As(err, &er) || statusOf(er.Response, 0) != http.StatusUnprocessableEntity {
		return false
	}
	for _, fe := range er.Errors {
		if fe.Code == "already_exists" {
			return true
		}
	}
	return false
}

// isTransport reports a request that failed below HTTP: connection refused or reset,
// timeouts, a body cut short.
func isTransport(err error) bool {
	var ue *url.Error
	var ne net.Error
	return errors.As(err, &ue) || errors.As(err, &ne) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}

func isDecode(err error) bool {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	return errors.As(err, &se) || errors.As(err, &te)
}
