package registry

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// UploadError is a failed upload or lookup, safe to print: Message is the
// registry's words (or ours), sanitised, never carrying a token.
type UploadError struct {
	Registry string // display name
	Artifact string // file name
	Status   int    // HTTP status; 0 when there was no response or the failure is local
	Message  string
	Fix      string
	// Retryable: worth re-running later (5xx, 429, network, budget spent).
	Retryable bool
	// Different: the registry has a DIFFERENT file for this name/version.
	// Never retry; the version cannot be published again.
	Different bool

	retryAfter time.Duration
}

// Error reads like "PyPI: demo-1.0.tar.gz: HTTP 400: File already exists …".
func (e *UploadError) Error() string {
	if e == nil {
		return "registry: <nil UploadError>"
	}
	var b strings.Builder
	b.WriteString(firstNonEmpty(e.Registry, "registry"))
	b.WriteString(": ")
	if e.Artifact != "" {
		b.WriteString(e.Artifact + ": ")
	}
	if e.Status > 0 {
		fmt.Fprintf(&b, "HTTP %d: ", e.Status)
	}
	b.WriteString(firstNonEmpty(e.Message, statusMessage(e.Status)))
	return b.String()
}

// reason is the short form for RetryInfo.Reason.
func (e *UploadError) reason() string {
	r := e.Message
	if e.Status > 0 {
		r = "HTTP " + strconv.Itoa(e.Status) + " " + r
	}
	return truncate(strings.ReplaceAll(r, "\n", " "), 160)
}

// errorMessage picks the registry's words from a failed response. PyPI
// puts them in the status line's reason phrase ("400 File already exists
// (…)") and an HTML page in the body; the others answer JSON or text.
func errorMessage(resp *http.Response, body []byte, secrets []string) string {
	code := strconv.Itoa(resp.StatusCode)
	reason := strings.TrimSpace(strings.TrimPrefix(resp.Status, code))
	if reason != "" && reason != http.StatusText(resp.StatusCode) {
		return sanitizeMessage(reason, secrets...)
	}
	_, msg := extractMessage(resp.Header.Get("Content-Type"), body)
	if msg = sanitizeMessage(msg, secrets...); msg != "" {
		return msg
	}
	return statusMessage(resp.StatusCode)
}

// retryableStatus: the registry may answer differently next time.
func retryableStatus(status int) bool {
	return status == http.StatusTooManyRequests || (status >= 500 && status != http.StatusNotImplemented)
}

// uploadFix explains a failed response to someone releasing.
func uploadFix(name, pkg string, status int) string {
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return fmt.Sprintf("%s refused the upload credential for %s: check that the trusted publisher for %s on %s matches this workflow, "+
			"and that the token was minted for this package (releaser mints a fresh one when less than 5 minutes remain)", name, pkg, pkg, name)
	case status == http.StatusRequestEntityTooLarge:
		return name + " refuses files this large; ask " + name + " for a higher limit for " + pkg
	case status == http.StatusTooManyRequests:
		return name + " is rate limiting uploads; re-run the release later (files already published are skipped)"
	case status == 0 || status >= 500:
		return name + " or the network to it failed; re-run the release later (files already published are skipped)"
	case status >= 300 && status < 400:
		return "releaser does not follow redirects with credentials; set the registry URL in release.toml to the URL that answers directly"
	default:
		return name + " refused the file; its message above says why — fix the package and build a new version"
	}
}
