package registry

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode"

	"github.com/hashicorp/go-retryablehttp"
)

// client is the HTTP side shared by the exchangers: retries through
// go-retryablehttp, a fresh ID token per attempt, bounded reads, and errors
// that never carry a secret.
type client struct {
	kind      string
	name      string
	base      *http.Client
	userAgent string
	retryMax  int
	waitMin   time.Duration
	waitMax   time.Duration
	onRetry   func(RetryInfo)
}

func newClient(kind string, o Options) *client {
	c := &client{
		kind:      kind,
		name:      DisplayName(kind),
		base:      o.HTTPClient,
		userAgent: o.UserAgent,
		retryMax:  o.RetryMax,
		waitMin:   o.RetryWaitMin,
		waitMax:   o.RetryWaitMax,
		onRetry:   o.OnRetry,
	}
	if c.base == nil {
		c.base = &http.Client{Timeout: defaultTimeout}
	}
	if c.userAgent == "" {
		c.userAgent = defaultUserAgent
	}
	switch {
	case c.retryMax == 0:
		c.retryMax = defaultRetryMax
	case c.retryMax < 0:
		c.retryMax = 0
	}
	if c.waitMin <= 0 {
		c.waitMin = defaultRetryWaitMin
	}
	if c.waitMax <= 0 {
		c.waitMax = defaultRetryWaitMax
	}
	c.waitMin = min(c.waitMin, c.waitMax)
	return c
}

// call is one logical request, possibly sent several times.
type call struct {
	method string
	url    string
	pkg    string      // for fixes
	header http.Header // static headers besides User-Agent
	// idToken, when set, is called once per attempt and attach puts the JWT
	// into that attempt: a JWT is single-use at several registries, so a
	// retry must never resend one.
	idToken IDTokenFunc
	attach  func(r *http.Request, jwt string)
	// secret is a credential the request carries besides a JWT (the token a
	// revoke sends), kept out of every error.
	secret string
}

// response is a 2xx answer, body read (bounded) and closed.
type response struct {
	status int
	header http.Header
	body   []byte
}

// maxSuccessBody bounds a success response; the real ones are a few hundred
// bytes.
const maxSuccessBody = 64 << 10

// attempts is the mutable state of one call across its attempts.
type attempts struct {
	jwts  []string       // every JWT sent, to redact if echoed back
	idErr error          // the IDTokenFunc failed: abort, it is the caller's error
	last  *ExchangeError // why the latest attempt failed; nil if it did not
}

func (a *attempts) secrets(extra string) []string {
	return append(append([]string(nil), a.jwts...), extra)
}

// do sends the call with retries and returns the 2xx response. Failures are
// an *ExchangeError (the registry's, from the last attempt) or a wrapped
// caller error (IDTokenFunc, context).
func (c *client) do(ctx context.Context, cl call) (*response, error) {
	st := &attempts{}
	req, err := retryablehttp.NewRequestWithContext(ctx, cl.method, cl.url, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: building request: %w", c.name, err)
	}
	for k, v := range cl.header {
		req.Header[k] = v
	}
	req.Header.Set("User-Agent", c.userAgent)
	// The first attempt gets its JWT here, later ones in PrepareRetry. The
	// request has no retryablehttp body (a ReaderFunc would be called once
	// more, up front, just to measure the length, wasting a JWT), so the
	// retry loop never rewinds or replaces what attach set.
	if err := c.prepare(ctx, cl, st, req.Request); err != nil {
		return nil, err
	}
	rc := c.retrying(cl, st)
	resp, err := rc.Do(req)
	switch {
	case st.idErr != nil:
		closeBody(resp)
		return nil, fmt.Errorf("%s: obtaining a fresh OIDC ID token for the retry: %w", c.name, st.idErr)
	case ctx.Err() != nil:
		closeBody(resp)
		return nil, fmt.Errorf("%s: %w", c.name, ctx.Err())
	case err != nil || resp == nil:
		if st.last != nil {
			return nil, st.last
		}
		return nil, &ExchangeError{Registry: c.name, Message: "request failed", Retryable: true, Fix: genericFix(&ExchangeError{Registry: c.name})}
	}
	defer resp.Body.Close()
	if st.last != nil {
		return nil, st.last
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxSuccessBody+1))
	if err != nil {
		return nil, c.transportError(err, st, cl, true)
	}
	if len(body) > maxSuccessBody {
		return nil, c.badResponse(resp.StatusCode, "the response body is larger than 64 KiB")
	}
	return &response{status: resp.StatusCode, header: resp.Header, body: body}, nil
}

// prepare fetches a fresh JWT for one attempt and attaches it.
func (c *client) prepare(ctx context.Context, cl call, st *attempts, r *http.Request) error {
	if cl.idToken == nil {
		return nil
	}
	jwt, err := cl.idToken(ctx)
	if err == nil {
		err = checkJWT(jwt)
	}
	if err != nil {
		st.idErr = err
		return fmt.Errorf("%s: obtaining a fresh OIDC ID token: %w", c.name, err)
	}
	st.jwts = append(st.jwts, jwt)
	cl.attach(r, jwt)
	return nil
}

// checkJWT rejects what cannot be a compact JWT before it goes into a body
// or header; the message never quotes the value.
func checkJWT(jwt string) error {
	if jwt == "" {
		return errors.New("the ID token is empty")
	}
	if strings.IndexFunc(jwt, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return errors.New("the ID token contains whitespace or control characters")
	}
	if strings.Count(jwt, ".") != 2 {
		return errors.New("the ID token is not a compact JWT (header.payload.signature)")
	}
	return nil
}

// retrying builds the retryablehttp client for one call; its hooks share st.
func (c *client) retrying(cl call, st *attempts) *retryablehttp.Client {
	hc := *c.base
	// Never follow a redirect: it would resend the JWT (in the body) or the
	// token to wherever the Location points. A 3xx becomes a clear error.
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &retryablehttp.Client{
		HTTPClient:   &hc,
		Logger:       nil, // retryablehttp must log nothing
		RetryWaitMin: c.waitMin,
		RetryWaitMax: c.waitMax,
		RetryMax:     c.retryMax,
		CheckRetry: func(ctx context.Context, resp *http.Response, err error) (bool, error) {
			return c.checkRetry(ctx, cl, st, resp, err)
		},
		Backoff: func(minWait, maxWait time.Duration, attemptNum int, _ *http.Response) time.Duration {
			return c.backoff(st, minWait, maxWait, attemptNum)
		},
		PrepareRetry: func(r *http.Request) error {
			return c.prepare(r.Context(), cl, st, r)
		},
		ErrorHandler: func(resp *http.Response, err error, _ int) (*http.Response, error) {
			closeBody(resp)
			if err == nil {
				err = errors.New("retries exhausted")
			}
			return nil, err
		},
	}
}

// checkRetry classifies each attempt's outcome and records it in st.last.
// A failed response's body is read here (bounded) because whether to retry
// can depend on it (a reused-jti refusal).
func (c *client) checkRetry(ctx context.Context, cl call, st *attempts, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if err != nil {
		// The library knows which transport errors are permanent
		// (certificates, bad scheme, invalid header).
		retry, _ := retryablehttp.DefaultRetryPolicy(ctx, nil, err)
		st.last = c.transportError(err, st, cl, retry)
		return retry, nil
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		st.last = nil
		return false, nil
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		st.last = c.redirectError(resp)
		return false, nil
	}
	st.last = parseError(c.kind, cl.pkg, resp.StatusCode, resp.Header, body, st.secrets(cl.secret)...)
	return st.last.Retryable, nil
}

// backoff is exponential from waitMin, or the server's Retry-After, never
// more than waitMax. It also reports the retry, since it is the one hook
// called exactly once before each wait.
func (c *client) backoff(st *attempts, minWait, maxWait time.Duration, attemptNum int) time.Duration {
	wait := minWait
	for i := 0; i < attemptNum && wait < maxWait; i++ {
		wait *= 2
	}
	info := RetryInfo{Registry: c.kind, Attempt: attemptNum + 2}
	if st.last != nil {
		if st.last.RetryAfter > 0 {
			wait = st.last.RetryAfter
		}
		info.Status = st.last.Status
		info.Reason = retryReason(st.last)
	}
	wait = min(wait, maxWait)
	info.Wait = wait
	if c.onRetry != nil {
		c.onRetry(info)
	}
	return wait
}

func retryReason(e *ExchangeError) string {
	r := e.Message
	if e.Code != "" {
		r = e.Code + ": " + r
	}
	if e.Status > 0 {
		r = fmt.Sprintf("HTTP %d %s", e.Status, r)
	}
	return truncate(strings.ReplaceAll(r, "\n", " "), 160)
}

func (c *client) transportError(err error, st *attempts, cl call, retry bool) *ExchangeError {
	e := &ExchangeError{
		Registry:  c.name,
		Message:   sanitizeMessage("request failed: "+err.Error(), st.secrets(cl.secret)...),
		Retryable: retry,
	}
	if retry {
		e.Fix = genericFix(e)
	} else {
		e.Fix = "the request could not be made (TLS certificate not trusted, URL scheme or invalid header); check the registry URL in release.toml and the machine's CA certificates"
	}
	return e
}

func (c *client) redirectError(resp *http.Response) *ExchangeError {
	to := "elsewhere"
	if loc, err := resp.Location(); err == nil {
		to = loc.Scheme + "://" + loc.Host
	}
	return &ExchangeError{
		Registry: c.name,
		Status:   resp.StatusCode,
		Message:  sanitizeMessage("the registry redirected the request to " + to),
		Fix:      "releaser does not follow redirects with credentials; set the registry URL in release.toml to the URL that answers directly",
	}
}

// badResponse is a 2xx whose body is not what the registry documents.
func (c *client) badResponse(status int, why string) *ExchangeError {
	return &ExchangeError{
		Registry: c.name,
		Status:   status,
		Message:  why,
		Fix:      "the server at the registry URL does not speak " + c.name + "'s trusted publishing protocol; check the registry URL in release.toml",
	}
}

func closeBody(resp *http.Response) {
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
}

// jsonField attaches the JWT as the whole JSON body {"<field>":"<jwt>"}.
func jsonField(field string) func(*http.Request, string) {
	return func(r *http.Request, jwt string) {
		b, _ := json.Marshal(map[string]string{field: jwt}) // cannot fail for a string map
		r.Body = io.NopCloser(bytes.NewReader(b))
		r.ContentLength = int64(len(b))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	}
}

// bearer attaches the JWT as Authorization: Bearer. The header map is
// cloned because retryablehttp's per-retry request copy is shallow.
func bearer(r *http.Request, jwt string) {
	r.Header = r.Header.Clone()
	r.Header.Set("Authorization", "Bearer "+jwt)
}

// decodeJSON decodes a success body leniently (unknown fields ignored); the
// error never quotes the body.
func decodeJSON(body []byte, v any) error {
	if err := json.Unmarshal(body, v); err != nil {
		return errors.New("the response is not the expected JSON")
	}
	return nil
}
