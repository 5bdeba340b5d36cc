package attest

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
)

// ServiceError is a failure of Fulcio, Rekor or the timestamp authority
// during Sign. Remote tells a service that failed (5xx, 429, no answer:
// worth a retry, exit code 3) from one that refused the request (4xx: the
// token or the request is wrong).
type ServiceError struct {
	Service string // "Fulcio", "Rekor", "the timestamp authority"
	URL     string
	Status  int // last HTTP status the service answered; 0 = no answer
	Err     error
}

func (e *ServiceError) Error() string {
	if e.Status == 0 {
		return fmt.Sprintf("%s at %s: %v", e.Service, e.URL, e.Err)
	}
	return fmt.Sprintf("%s at %s answered %d %s: %v", e.Service, e.URL, e.Status, http.StatusText(e.Status), e.Err)
}

func (e *ServiceError) Unwrap() error { return e.Err }

// Remote reports whether the service failed rather than refused.
func (e *ServiceError) Remote() bool {
	return e.Status == 0 || e.Status >= 500 || e.Status == http.StatusTooManyRequests
}

// statusRecorder remembers the last status a service answered: sigstore-go's
// Fulcio client reports a 5xx as "read on closed response body" once it has
// given up retrying, and the status is what the user needs to see.
type statusRecorder struct {
	base http.RoundTripper
	mu   sync.Mutex
	last int
}

func (r *statusRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.base.RoundTrip(req)
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		r.last = 0
	} else {
		r.last = resp.StatusCode
	}
	return resp, err
}

func (r *statusRecorder) status() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last
}

// redacted replaces secret in err's text. The ID token travels in the
// Fulcio request, and a server that echoes its request into an error body
// would otherwise put it into our error; the wrapped chain is dropped then,
// since unwrapping would bring the secret back.
func redacted(err error, secret string) error {
	if err == nil || secret == "" || !strings.Contains(err.Error(), secret) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), secret, "[REDACTED]"))
}
