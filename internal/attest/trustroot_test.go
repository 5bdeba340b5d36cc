package attest

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// mixedRoot is base's trusted root with member taken from donor's: a root
// that trusts the log and the TSA but not the CA, say.
func mixedRoot(t *testing.T, base, donor sigEnv, member string) string {
	t.Helper()
	var b, d map[string]any
	if err := json.Unmarshal(base.ss.TrustedRootJSON(), &b); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(donor.ss.TrustedRootJSON(), &d); err != nil {
		t.Fatal(err)
	}
	b[member] = d[member]
	raw, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "trusted_root.json")
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestVerifyMixedTrustRoots: each part of the trusted root is needed, and
// the refusal names the part that did not trust the bundle.
func TestVerifyMixedTrustRoots(t *testing.T) {
	e, foreign := newSigEnv(t, 0), newSigEnv(t, 0)
	rekorBundle := e.sign(t, TransparencyRekor, wheel)
	tsaBundle := e.sign(t, TransparencyTSA, wheel)
	tests := []struct {
		name, member string
		bundle       []byte
		want         string
	}{
		{"CA", "certificateAuthorities", rekorBundle, "the signing certificate was not issued by a certificate authority of the trusted root"},
		{"CT log", "ctlogs", rekorBundle, "the signing certificate has no valid signed certificate timestamp from a CT log of the trusted root"},
		{"Rekor", "tlogs", rekorBundle, "the transparency log entry does not verify"},
		{"TSA", "timestampAuthorities", tsaBundle, "the bundle's timestamp does not verify against the trusted root"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := e.verifyOptions(wheel)
			o.TrustedRoot = mixedRoot(t, e, foreign, tt.member)
			_, err := Verify(context.Background(), tt.bundle, o)
			wantErr(t, err, tt.want)
		})
	}
}

// countingTransport records the paths it carried.
type countingTransport struct {
	mu    sync.Mutex
	paths []string
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.paths = append(c.paths, r.Method+" "+r.URL.Path)
	c.mu.Unlock()
	return http.DefaultTransport.RoundTrip(r)
}

// TestSignUsesHTTPClient: Fulcio, Rekor and the TSA are all reached
// through the caller's transport (a proxy or a custom CA pool would
// otherwise be bypassed).
func TestSignUsesHTTPClient(t *testing.T) {
	e := newSigEnv(t, 0)
	for _, mode := range []string{TransparencyRekor, TransparencyTSA} {
		ct := &countingTransport{}
		o := e.signOptions(mode)
		o.HTTPClient = &http.Client{Transport: ct}
		if _, err := Sign(context.Background(), e.statement(t, e.build(t), wheel), o); err != nil {
			t.Fatal(err)
		}
		want := map[string]string{TransparencyRekor: "POST /api/v1/log/entries", TransparencyTSA: "POST /api/v1/timestamp"}[mode]
		got := strings.Join(ct.paths, ", ")
		if got != "POST /api/v2/signingCert, "+want {
			t.Errorf("%s: requests through the caller's transport: %s", mode, got)
		}
	}
}
