package registry

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// uploadRequest is one upload, possibly sent several times.
type uploadRequest struct {
	method, url string
	header      http.Header // Authorization and content headers; User-Agent is added
	secrets     []string    // the token and any encoding of it, redacted from every message
	// body opens a fresh body for one attempt (the file is reopened each
	// time) and says its length.
	body func() (io.ReadCloser, int64, error)
	// duplicate recognises the registry's "this version already exists"
	// refusal, which is resolved by a lookup.
	duplicate func(status int, message string) bool
	// alreadyThere recognises a 2xx that says the file was already there.
	alreadyThere func(body []byte) bool
	published    string // Result.URL on success
}

type lookupFunc func(ctx context.Context) (Remote, error)

// errStopRetry aborts the retry loop from PrepareRetry; the reason is in
// the sendState.
var errStopRetry = errors.New("stop retrying")

type sendState struct {
	attemptState
	landed    *Remote // a lookup found the file: an earlier attempt landed
	different *Remote // a lookup found a different file
	lookupErr error   // a lookup failed, so a re-send is not safe
	localErr  error   // the body could not be opened
}

// send runs an upload with retries. Before every re-send it looks the
// artifact up, because the failed attempt may have landed (a 5xx after
// storing, a lost response): Same ends the upload as AlreadyPublished,
// Different ends it with an error, only Absent sends again.
func (u *uploadCore) send(ctx context.Context, a Artifact, r uploadRequest, lookup lookupFunc) (Result, error) {
	ctx, cancel := context.WithTimeoutCause(ctx, u.maxElapsed, errBudget)
	defer cancel()
	st := &sendState{}
	st.deadline, _ = ctx.Deadline()

	req, err := retryablehttp.NewRequestWithContext(ctx, r.method, r.url, nil)
	if err != nil {
		return Result{}, fmt.Errorf("%s: %s: building the request: %w", u.name, a.Name, err)
	}
	for k, v := range r.header {
		req.Header[k] = v
	}
	req.Header.Set("User-Agent", u.userAgent)
	// The body is set per attempt here and in PrepareRetry: the request
	// has no retryablehttp body, so the library never rewinds or replaces
	// it (rewinding would mean holding the file in memory).
	if err := attachBody(req.Request, r); err != nil {
		return Result{}, u.localError(a, err)
	}
	rc := u.retryClient(u.hc)
	rc.CheckRetry = func(ctx context.Context, resp *http.Response, err error) (bool, error) {
		retry := u.classify(ctx, &st.attemptState, a.Name, r.secrets, resp, err)
		if st.last != nil && r.duplicate(st.last.Status, st.last.Message) {
			retry = false // resolved by a lookup below, never by re-sending
		}
		return retry, nil
	}
	rc.Backoff = func(_, _ time.Duration, attemptNum int, _ *http.Response) time.Duration {
		return u.backoff(&st.attemptState, attemptNum, "")
	}
	rc.PrepareRetry = func(hr *http.Request) error {
		if st.outOfTime {
			return errStopRetry
		}
		remote, err := lookup(ctx)
		switch {
		case err != nil:
			st.lookupErr = err
			return errStopRetry
		case remote.State == Same:
			st.landed = &remote
			return errStopRetry
		case remote.State == Different:
			st.different = &remote
			return errStopRetry
		}
		if err := attachBody(hr, r); err != nil {
			st.localErr = err
			return errStopRetry
		}
		return nil
	}
	resp, err := rc.Do(req)
	if err == nil {
		defer resp.Body.Close()
	}
	switch {
	case st.landed != nil:
		return Result{Outcome: AlreadyPublished, URL: firstNonEmpty(st.landed.URL, r.published)}, nil
	case st.different != nil:
		return Result{}, u.differentError(a, *st.different, st.last)
	case st.lookupErr != nil:
		return Result{}, u.unconfirmedError(a, st.last, st.lookupErr)
	case st.localErr != nil:
		return Result{}, u.localError(a, st.localErr)
	case context.Cause(ctx) == errBudget || st.outOfTime:
		return Result{}, u.budgetError(a.Name, st.last)
	case ctx.Err() != nil:
		return Result{}, fmt.Errorf("%s: %s: %w", u.name, a.Name, ctx.Err())
	case err == nil && st.last == nil:
		body, _ := io.ReadAll(io.LimitReader(resp.Body, maxSuccessBody))
		if r.alreadyThere != nil && r.alreadyThere(body) {
			return Result{Outcome: AlreadyPublished, URL: r.published}, nil
		}
		return Result{Outcome: Published, URL: r.published}, nil
	case st.last != nil && r.duplicate(st.last.Status, st.last.Message):
		return u.resolveDuplicate(ctx, a, st.last, lookup)
	case st.last != nil:
		return Result{}, st.last
	}
	return Result{}, &UploadError{Registry: u.name, Artifact: a.Name, Message: "request failed", Retryable: true, Fix: uploadFix(u.name, u.pkg, 0)}
}

// resolveDuplicate turns "this version exists" into an outcome by
// comparing digests.
func (u *uploadCore) resolveDuplicate(ctx context.Context, a Artifact, refusal *UploadError, lookup lookupFunc) (Result, error) {
	remote, err := lookup(ctx)
	if err != nil {
		return Result{}, u.unconfirmedError(a, refusal, err)
	}
	switch remote.State {
	case Same:
		return Result{Outcome: AlreadyPublished, URL: remote.URL}, nil
	case Different:
		return Result{}, u.differentError(a, remote, refusal)
	}
	e := *refusal
	e.Retryable = true
	e.Fix = u.name + " says this version already has the file, but its API does not list it (its caches may lag): re-run in a few minutes; " +
		"if it persists, the file name was used before by a deleted file and the version must be bumped"
	return Result{}, &e
}

func (u *uploadCore) differentError(a Artifact, remote Remote, refusal *UploadError) *UploadError {
	e := &UploadError{
		Registry:  u.name,
		Artifact:  a.Name,
		Message:   firstNonEmpty(remote.Detail, u.name+" already has a different file for "+u.pkg+" "+u.version),
		Different: true,
		Fix: fmt.Sprintf("%s already has a different file for %s %s and never replaces one; "+
			"if that upload was yours, rebuild exactly the same bytes; otherwise release a new version", u.name, u.pkg, u.version),
	}
	if refusal != nil {
		e.Status = refusal.Status
	}
	return e
}

func (u *uploadCore) unconfirmedError(a Artifact, last *UploadError, lookupErr error) *UploadError {
	e := &UploadError{
		Registry:  u.name,
		Artifact:  a.Name,
		Retryable: true,
		Fix: "releaser could not tell whether the upload landed, so it did not send it again; " +
			"re-run the release later: it checks the registry first and skips the file if it is there",
	}
	msg := "checking whether the upload landed failed: " + sanitizeMessage(lookupErr.Error())
	if last != nil {
		e.Status = last.Status
		msg = last.Message + "; " + msg
	}
	e.Message = msg
	return e
}

func (u *uploadCore) localError(a Artifact, err error) *UploadError {
	return &UploadError{
		Registry: u.name,
		Artifact: a.Name,
		Message:  sanitizeMessage(err.Error()),
		Fix:      "the artifact on disk is not what the manifest says; rebuild (releaser run --from build)",
	}
}

// attachBody opens a fresh body for one attempt.
func attachBody(hr *http.Request, r uploadRequest) error {
	body, n, err := r.body()
	if err != nil {
		return err
	}
	hr.Body = body
	hr.ContentLength = n
	hr.GetBody = nil // the transport must never replay a body on its own
	return nil
}

// readErrorBody reads a failed response's body (bounded) and leaves a
// re-readable copy in its place.
func readErrorBody(resp *http.Response) []byte {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return body
}
