package testenv

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// Routes of the three services. They do not overlap, so one server carries them all.
const (
	fulcioSigningCertPath = "/api/v2/signingCert"
	tsaPath               = "/api/v1/timestamp"
)

// Sigstore emulates the public-good Sigstore services a keyless signer talks to: Fulcio
// (POST /api/v2/signingCert, GET /api/v2/trustBundle), Rekor v1 (POST
// /api/v1/log/entries, GET /api/v1/log/entries/{uuid}) and the RFC 3161 timestamp
// authority (POST /api/v1/timestamp, GET /api/v1/timestamp/certchain), on one httptest
// server behind one fault queue (Faults), with one CA, log key, CT log key and TSA chain.
// sigstore-go's own clients (sign.Fulcio, sign.Rekor, sign.TimestampAuthority) work
// against it, and bundles they produce verify against TrustedRootPath.
//
// Fulcio authenticates ID tokens of the issuer it was built on (audience "sigstore") the
// way Fulcio does and issues a GitHub Actions certificate: URI SAN
// https://github.com/<job_workflow_ref>, the Fulcio OIDs from the token's claims, 10
// minutes of validity, an SCT from an emulated CT log embedded. Rekor stores Rekor's
// canonical entry and answers with SET, inclusion proof and signed checkpoint. The TSA
// signs with a leaf whose EKU timeStamping is critical. All three read time from the
// issuer's Clock.
type Sigstore struct {
	*Server
	t     testing.TB
	is    *OIDCIssuer
	clock *Clock
	pki   *sigstorePKI
	rekor *rekorLog

	rootJSON []byte
	rootPath string

	mu       sync.Mutex
	certs    []*x509.Certificate
	stamps   int
	refusals []string
}

// NewSigstore starts the emulator, trusting ID tokens from is, until the test ends.
func NewSigstore(t testing.TB, is *OIDCIssuer) *Sigstore {
	t.Helper()
	s := &Sigstore{t: t, is: is, clock: is.Clock()}
	now := s.clock.Now()
	if real := time.Now(); real.Before(now) {
		now = real
	}
	pki, err := newSigstorePKI(now)
	if err != nil {
		t.Fatalf("testenv: sigstore keys: %v", err)
	}
	s.pki = pki
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+fulcioSigningCertPath, s.serveSigningCert)
	mux.HandleFunc("GET /api/v2/trustBundle", s.serveTrustBundle)
	mux.HandleFunc("POST "+rekorEntriesPath, s.serveCreateEntry)
	mux.HandleFunc("GET "+rekorEntriesPath+"/{entryUUID}", s.serveGetEntry)
	mux.HandleFunc("POST "+tsaPath, s.serveTimestamp)
	mux.HandleFunc("GET "+tsaPath+"/certchain", s.serveTSACertChain)
	s.Server = NewServer(t, mux)

	if s.rekor, err = newRekorLog(pki, s.URL()); err != nil {
		t.Fatalf("testenv: sigstore log: %v", err)
	}
	tr, err := pki.trustedRoot(s.URL())
	if err != nil {
		t.Fatalf("testenv: sigstore trusted root: %v", err)
	}
	if s.rootJSON, err = tr.MarshalJSON(); err != nil {
		t.Fatalf("testenv: encode trusted root: %v", err)
	}
	s.rootPath = filepath.Join(t.TempDir(), "trusted_root.json")
	if err := os.WriteFile(s.rootPath, s.rootJSON, 0o644); err != nil {
		t.Fatalf("testenv: write trusted root: %v", err)
	}
	return s
}

// FulcioURL is Fulcio's base URL (sign.FulcioOptions.BaseURL).
func (s *Sigstore) FulcioURL() string { return s.URL() }

// RekorURL is Rekor's base URL (sign.RekorOptions.BaseURL), also the trusted root's tlog baseUrl.
func (s *Sigstore) RekorURL() string { return s.URL() }

// TSAURL is the timestamp endpoint's full URL (sign.TimestampAuthorityOptions.URL).
func (s *Sigstore) TSAURL() string { return s.URL() + tsaPath }

// TrustedRootPath is trusted_root.json in the test's temporary directory, loadable with
// root.NewTrustedRootFromPath.
func (s *Sigstore) TrustedRootPath() string { return s.rootPath }

// TrustedRootJSON is the trusted root (application/vnd.dev.sigstore.trustedroot+json;version=0.1).
func (s *Sigstore) TrustedRootJSON() []byte { return append([]byte(nil), s.rootJSON...) }

// Entries counts the entries in the Rekor log.
func (s *Sigstore) Entries() int { return s.rekor.size() }

// Certificates returns the leaf certificates Fulcio issued, oldest first.
func (s *Sigstore) Certificates() []*x509.Certificate {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*x509.Certificate(nil), s.certs...)
}

// Timestamps counts the timestamps the TSA signed.
func (s *Sigstore) Timestamps() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stamps
}

// Refusals lists why requests were refused, oldest first, as "<service>: <reason>". The
// services tell clients only a fixed message; this is the reason they would log. Reasons
// never quote a token.
func (s *Sigstore) Refusals() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.refusals...)
}

func (s *Sigstore) refuse(service string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refusals = append(s.refusals, service+": "+err.Error())
}

// hexID is a key ID as the trusted root's maps key it.
func hexID(id [sha256.Size]byte) string { return hex.EncodeToString(id[:]) }

// String names the emulator without its keys.
func (s *Sigstore) String() string { return fmt.Sprintf("sigstore emulator at %s", s.URL()) }
