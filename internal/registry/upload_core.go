package registry

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// uploadCore is what every uploader shares: the HTTP settings, the
// package and version, the retry loop.
type uploadCore struct {
	kind, name string
	pkg        string
	version    string
	hc         *http.Client // uploads: redirects refused
	lookupHC   *http.Client // lookups: redirects refused, a per-attempt timeout
	userAgent  string
	retryMax   int
	waitMin    time.Duration
	waitMax    time.Duration
	onRetry    func(RetryInfo)
	maxElapsed time.Duration
}

// lookupTimeout bounds one lookup attempt when the configured client has
// no timeout of its own.
const lookupTimeout = time.Minute

func newUploadCore(kind, pkg string, opts UploadOptions) *uploadCore {
	o := opts.Options
	if o.HTTPClient == nil {
		o.HTTPClient = uploadHTTPClient()
	}
	c := newClient(kind, o) // the exchange's defaults for user agent and retries
	u := &uploadCore{
		kind:       kind,
		name:       c.name,
		pkg:        pkg,
		version:    opts.Version,
		userAgent:  c.userAgent,
		retryMax:   c.retryMax,
		waitMin:    c.waitMin,
		waitMax:    c.waitMax,
		onRetry:    c.onRetry,
		maxElapsed: opts.MaxElapsed,
	}
	if u.maxElapsed <= 0 {
		u.maxElapsed = defaultMaxElapsed
	}
	hc := *c.base
	// Never follow a redirect: it would resend the credential (and the
	// body) to wherever Location points.
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	lc := hc
	if lc.Timeout == 0 {
		lc.Timeout = lookupTimeout
	}
	u.lookupHC = &lc
	// A client timeout sized for small API calls would cut a large upload
	// short; an upload attempt is bounded by MaxElapsed instead.
	hc.Timeout = 0
	u.hc = &hc
	return u
}

// retryClient is a retryablehttp client with this core's settings and no
// logging (retryablehttp must print nothing; OnRetry reports).
func (u *uploadCore) retryClient(hc *http.Client) *retryablehttp.Client {
	return &retryablehttp.Client{
		HTTPClient:   hc,
		Logger:       nil,
		RetryWaitMin: u.waitMin,
		RetryWaitMax: u.waitMax,
		RetryMax:     u.retryMax,
		ErrorHandler: func(resp *http.Response, err error, _ int) (*http.Response, error) {
			closeBody(resp)
			if err == nil {
				err = errors.New("retries exhausted")
			}
			return nil, err
		},
	}
}

// attemptState is the mutable state of one logical request across its
// attempts; the retry hooks share it.
type attemptState struct {
	last      *UploadError // why the latest attempt failed; nil if it did not
	deadline  time.Time    // the budget's end
	outOfTime bool         // the next wait would overrun the budget
}

// classify records the outcome of one attempt and says whether to retry.
// A failed response's body is read here (bounded) for its message.
func (u *uploadCore) classify(ctx context.Context, st *attemptState, artifact string, secrets []string, resp *http.Response, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	if err != nil {
		// The library knows which transport errors are permanent
		// (certificates, bad scheme, invalid header).
		retry, _ := retryablehttp.DefaultRetryPolicy(ctx, nil, err)
		st.last = &UploadError{
			Registry:  u.name,
			Artifact:  artifact,
			Message:   sanitizeMessage("request failed: "+err.Error(), secrets...),
			Retryable: retry,
			Fix:       uploadFix(u.name, u.pkg, 0),
		}
		if !retry {
			st.last.Fix = "the request could not be made (TLS certificate not trusted, URL scheme or invalid header); check the registry URL in release.toml and the machine's CA certificates"
		}
		return retry
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		st.last = nil
		return false
	}
	body := readErrorBody(resp)
	e := &UploadError{
		Registry:  u.name,
		Artifact:  artifact,
		Status:    resp.StatusCode,
		Message:   errorMessage(resp, body, secrets),
		Retryable: retryableStatus(resp.StatusCode),
		Fix:       uploadFix(u.name, u.pkg, resp.StatusCode),
	}
	if fix := attestationRefusalFix(u.kind, e.Message); fix != "" {
		e.Fix = fix
	}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		to := "elsewhere"
		if loc, err := resp.Location(); err == nil {
			to = loc.Scheme + "://" + loc.Host
		}
		e.Message = sanitizeMessage("the registry redirected the request to " + to)
	}
	e.retryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	st.last = e
	return e.Retryable
}

// backoff is exponential from waitMin, or the server's Retry-After, never
// more than waitMax; it reports the retry through OnRetry unless the wait
// would overrun the budget (then the retry never happens).
func (u *uploadCore) backoff(st *attemptState, attemptNum int, prefix string) time.Duration {
	wait := u.waitMin
	for i := 0; i < attemptNum && wait < u.waitMax; i++ {
		wait *= 2
	}
	info := RetryInfo{Registry: u.kind, Attempt: attemptNum + 2}
	if st.last != nil {
		if st.last.retryAfter > 0 {
			wait = st.last.retryAfter
		}
		info.Status = st.last.Status
		info.Reason = prefix + st.last.reason()
	}
	wait = min(wait, u.waitMax)
	info.Wait = wait
	if !st.deadline.IsZero() && time.Now().Add(wait).After(st.deadline) {
		// Waiting would only end in the deadline: give up now (the retry
		// hook sees outOfTime and stops).
		st.outOfTime = true
		return 0
	}
	if u.onRetry != nil {
		u.onRetry(info)
	}
	return wait
}

// errBudget is the cause of the per-artifact deadline.
var errBudget = errors.New("the time budget for this artifact is spent")

// budgetError reports a spent MaxElapsed, with the last failure if any.
func (u *uploadCore) budgetError(artifact string, last *UploadError) *UploadError {
	e := &UploadError{
		Registry:  u.name,
		Artifact:  artifact,
		Message:   fmt.Sprintf("gave up after %s (the per-artifact time budget)", u.maxElapsed),
		Retryable: true,
		Fix:       uploadFix(u.name, u.pkg, 0),
	}
	if last != nil {
		e.Status = last.Status
		e.Message += "; last failure: " + last.Message
	}
	return e
}
