package testenv

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"os"
	"testing"
)

// TestSigstoreTrustedRoot checks the trusted root file against reference §2.3: the media
// type, one tlog (the Rekor URL, its key with validFor.start, logId = sha256 of the key),
// one CT log, the Fulcio chain (intermediate, root) and the TSA chain (leaf,
// intermediate, root), as written to TrustedRootPath.
func TestSigstoreTrustedRoot(t *testing.T) {
	_, ss := newSigstoreEnv(t)
	file, err := os.ReadFile(ss.TrustedRootPath())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(file, ss.TrustedRootJSON()) {
		t.Error("the file differs from TrustedRootJSON")
	}
	type key struct {
		RawBytes   string
		KeyDetails string
		ValidFor   struct{ Start, End string }
	}
	type tlog struct {
		BaseURL       string `json:"baseUrl"`
		HashAlgorithm string
		PublicKey     key
		LogID         struct{ KeyID string } `json:"logId"`
	}
	type ca struct {
		URI       string
		CertChain struct{ Certificates []struct{ RawBytes string } }
		ValidFor  struct{ Start string }
	}
	var tr struct {
		MediaType              string
		Tlogs, Ctlogs          []tlog
		CertificateAuthorities []ca
		TimestampAuthorities   []ca
	}
	if err := json.Unmarshal(file, &tr); err != nil {
		t.Fatal(err)
	}
	if tr.MediaType != "application/vnd.dev.sigstore.trustedroot+json;version=0.1" {
		t.Errorf("media type %q", tr.MediaType)
	}
	if len(tr.Tlogs) != 1 || len(tr.Ctlogs) != 1 || len(tr.CertificateAuthorities) != 1 || len(tr.TimestampAuthorities) != 1 {
		t.Fatalf("%d tlogs, %d ctlogs, %d CAs, %d TSAs; want one each", len(tr.Tlogs), len(tr.Ctlogs), len(tr.CertificateAuthorities), len(tr.TimestampAuthorities))
	}
	for _, l := range append(tr.Tlogs, tr.Ctlogs...) {
		der, err := base64.StdEncoding.DecodeString(l.PublicKey.RawBytes)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(der)
		if l.LogID.KeyID != base64.StdEncoding.EncodeToString(sum[:]) || l.PublicKey.ValidFor.Start == "" ||
			l.PublicKey.KeyDetails != "PKIX_ECDSA_P256_SHA_256" || l.HashAlgorithm != "SHA2_256" {
			t.Errorf("log %+v: want logId sha256(key), validFor.start, P-256, SHA2_256", l)
		}
	}
	if tr.Tlogs[0].BaseURL != ss.RekorURL() {
		t.Errorf("tlog baseUrl %q, want %q", tr.Tlogs[0].BaseURL, ss.RekorURL())
	}
	chains := []struct {
		name  string
		ca    ca
		n     int
		leafs int // leading non-CA certificates
	}{
		{"fulcio", tr.CertificateAuthorities[0], 2, 0},
		{"tsa", tr.TimestampAuthorities[0], 3, 1},
	}
	for _, c := range chains {
		certs := c.ca.CertChain.Certificates
		if len(certs) != c.n || c.ca.ValidFor.Start == "" {
			t.Errorf("%s: %d certificates, validFor.start %q; want %d and a start", c.name, len(certs), c.ca.ValidFor.Start, c.n)
			continue
		}
		for i, raw := range certs {
			der, _ := base64.StdEncoding.DecodeString(raw.RawBytes)
			cert, err := x509.ParseCertificate(der)
			if err != nil {
				t.Fatalf("%s certificate %d: %v", c.name, i, err)
			}
			if cert.IsCA != (i >= c.leafs) {
				t.Errorf("%s certificate %d (%s): IsCA %v", c.name, i, cert.Subject, cert.IsCA)
			}
		}
	}
}
