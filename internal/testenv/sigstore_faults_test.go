package testenv

import (
	"net/http"
	"strings"
	"testing"
)

// TestSigstoreFaults: the fault queue sits in front of every route; a faulted request
// never reaches the service, and the next one does. (Non-retryable statuses: with
// Retries 0, sigstore-go v1.3.0 answers a 5xx from Fulcio or the TSA with "read on closed
// response body" after a second's wait, see TestSigstoreRetriesAfterFault.)
func TestSigstoreFaults(t *testing.T) {
	tests := []struct {
		path string
		with signing
		body string
		want string
	}{
		{"/api/v2/signingCert", signing{}, "blocked", "Fulcio returned 403: blocked"},
		{"/api/v1/timestamp", signing{tsa: true}, "blocked", "timestamp authority returned 403: blocked"},
		// Rekor's client decodes every error body as Rekor's JSON error model.
		{"/api/v1/log/entries", signing{rekor: true}, `{"code":403,"message":"blocked"}`, "[403] createLogEntry default"},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			is, ss := newSigstoreEnv(t)
			ss.Faults().Add("POST "+tc.path, Status(http.StatusForbidden, tc.body))
			_, err := signDSSE(ss, is.Mint("sigstore", nil), tc.with)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to contain %q", err, tc.want)
			}
			if fired := ss.Faults().Fired(); len(fired) != 1 || !strings.HasPrefix(fired[0], "POST "+tc.path+": ") {
				t.Errorf("fired %q", fired)
			}
			wantCerts := 1 // Fulcio answered before the faulted service was asked
			if tc.path == fulcioSigningCertPath {
				wantCerts = 0
			}
			if ss.Entries() != 0 || ss.Timestamps() != 0 || len(ss.Certificates()) != wantCerts {
				t.Errorf("entries %d, timestamps %d, certificates %d after the fault; want 0, 0, %d",
					ss.Entries(), ss.Timestamps(), len(ss.Certificates()), wantCerts)
			}
			mustSign(t, is, ss, tc.with)
		})
	}
}

// TestSigstoreRetriesAfterFault: a 503 from Fulcio is retried by sigstore-go (after its
// fixed one-second backoff) when Retries allows, and the retry gets the certificate.
func TestSigstoreRetriesAfterFault(t *testing.T) {
	is, ss := newSigstoreEnv(t)
	ss.Faults().Add("POST /api/v2/signingCert", Status(http.StatusServiceUnavailable, "upstream down"))
	if _, err := signDSSE(ss, is.Mint("sigstore", nil), signing{retries: 1}); err != nil {
		t.Fatalf("sign with one retry: %v", err)
	}
	if n := ss.Requests(http.MethodPost, "/api/v2/signingCert"); n != 2 || len(ss.Certificates()) != 1 {
		t.Errorf("%d requests, %d certificates; want 2, 1", n, len(ss.Certificates()))
	}
}
