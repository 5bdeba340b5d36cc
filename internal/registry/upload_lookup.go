package registry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// maxLookupBody bounds a lookup answer. They are decoded as a stream and
// only the entry for one version is kept, but a popular npm package's
// packument runs to tens of MiB.
const maxLookupBody = 128 << 20

// get GETs a read API with retries. A 404 is found=false; a 200 body is
// passed to decode, bounded. Failures are *UploadError.
func (u *uploadCore) get(ctx context.Context, a Artifact, url string, header http.Header, secrets []string, decode func(io.Reader) error) (found bool, err error) {
	st := &attemptState{}
	st.deadline, _ = ctx.Deadline()
	req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false, fmt.Errorf("%s: %s: building the lookup request: %w", u.name, a.Name, err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("User-Agent", u.userAgent)
	rc := u.retryClient(u.lookupHC)
	rc.CheckRetry = func(ctx context.Context, resp *http.Response, err error) (bool, error) {
		if err == nil && resp.StatusCode == http.StatusNotFound {
			st.last = nil
			return false, nil
		}
		return u.classify(ctx, st, a.Name, secrets, resp, err), nil
	}
	rc.Backoff = func(_, _ time.Duration, attemptNum int, _ *http.Response) time.Duration {
		return u.backoff(st, attemptNum, "lookup: ")
	}
	rc.PrepareRetry = func(*http.Request) error {
		if st.outOfTime {
			return errStopRetry
		}
		return nil
	}
	resp, err := rc.Do(req)
	if err == nil {
		defer resp.Body.Close()
	}
	switch {
	case ctx.Err() != nil || st.outOfTime:
		if context.Cause(ctx) == errBudget || st.outOfTime {
			return false, u.budgetError(a.Name, st.last)
		}
		return false, fmt.Errorf("%s: %s: looking up the published files: %w", u.name, a.Name, ctx.Err())
	case st.last != nil:
		e := *st.last
		e.Message = "looking up the published files: " + e.Message
		return false, &e
	case err != nil:
		return false, &UploadError{Registry: u.name, Artifact: a.Name, Message: "looking up the published files: request failed", Retryable: true, Fix: uploadFix(u.name, u.pkg, 0)}
	case resp.StatusCode == http.StatusNotFound:
		return false, nil
	}
	if err := decode(io.LimitReader(resp.Body, maxLookupBody)); err != nil {
		return false, &UploadError{
			Registry: u.name,
			Artifact: a.Name,
			Status:   resp.StatusCode,
			Message:  "looking up the published files: the answer is not the expected JSON (" + sanitizeMessage(err.Error(), secrets...) + ")",
			Fix:      "the server at the registry URL does not serve " + u.name + "'s read API; check the registry URL in release.toml",
		}
	}
	return true, nil
}

// walkObject reads one JSON object from dec and calls fn with each key;
// fn must consume the value (decode it, or skipValue).
func walkObject(dec *json.Decoder, fn func(key string) error) error {
	t, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := t.(json.Delim); !ok || d != '{' {
		return errors.New("expected a JSON object")
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		key, ok := t.(string)
		if !ok {
			return errors.New("expected an object key")
		}
		if err := fn(key); err != nil {
			return err
		}
	}
	_, err = dec.Token()
	return err
}

func skipValue(dec *json.Decoder) error {
	var v json.RawMessage
	return dec.Decode(&v)
}

// shortDigest abbreviates a digest for messages.
func shortDigest(hex string) string {
	if len(hex) > 12 {
		return hex[:12] + "…"
	}
	return hex
}
