package testenv

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"net/http"
	"testing"

	"github.com/digitorus/timestamp"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
)

// TestTSARequests drives the timestamp endpoint by hand in both request forms and with
// the requests sigstore's TSA refuses.
func TestTSARequests(t *testing.T) {
	digest := sha256.Sum256([]byte("signature bytes"))
	der, err := (&timestamp.Request{HashAlgorithm: crypto.SHA256, HashedMessage: digest[:]}).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	derWithCert, err := (&timestamp.Request{HashAlgorithm: crypto.SHA256, HashedMessage: digest[:], Certificates: true}).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	b64 := base64.StdEncoding.EncodeToString(digest[:])
	tests := []struct {
		name, contentType string
		body              []byte
		status            int
		want              string // error body, or "" for a timestamp
		withCert          bool
	}{
		{"DER", "application/timestamp-query", der, 200, "", false},
		{"DER asking for the certificate", "application/timestamp-query", derWithCert, 200, "", true},
		{"JSON", "application/json", []byte(`{"artifactHash":"` + b64 + `","hashAlgorithm":"sha256","certificates":true}`), 200, "", true},
		{"sha1", "application/json", []byte(`{"artifactHash":"` + b64 + `","hashAlgorithm":"sha1"}`),
			400, `{"code":400,"message":"Weak hash algorithm in timestamp request"}`, false},
		{"digest length", "application/json", []byte(`{"artifactHash":"` + b64 + `","hashAlgorithm":"sha512"}`),
			400, `{"code":400,"message":"Message digest has incorrect length for specified algorithm"}`, false},
		{"garbage DER", "application/timestamp-query", []byte("nope"),
			400, `{"code":400,"message":"Error generating timestamp response"}`, false},
		{"no content type", "", der,
			415, `{"code":415,"message":"Error generating timestamp response"}`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, ss := newSigstoreEnv(t)
			r := do(t, http.MethodPost, ss.TSAURL(), tc.body, map[string]string{"Content-Type": tc.contentType})
			if tc.want != "" {
				r.wantJSON(t, tc.status, tc.want)
				if ss.Timestamps() != 0 {
					t.Error("a refused request was counted as a timestamp")
				}
				return
			}
			if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/timestamp-reply" {
				t.Fatalf("status %d, content type %q, body %q", r.status, r.header.Get("Content-Type"), r.body)
			}
			ts, err := timestamp.ParseResponse(r.body)
			if err != nil {
				t.Fatalf("parse response: %v", err)
			}
			if !bytes.Equal(ts.HashedMessage, digest[:]) || !ts.Time.Equal(frozen) || !ts.Policy.Equal(tsaPolicy) {
				t.Errorf("imprint %x at %s under %v; want %x at %s under %v", ts.HashedMessage, ts.Time, ts.Policy, digest, frozen, tsaPolicy)
			}
			if got := len(ts.Certificates); (got == 1) != tc.withCert {
				t.Errorf("%d certificates embedded, want the leaf only if asked", got)
			}
		})
	}
}

// TestTSACertChain: the chain endpoint serves leaf, intermediate and root; the leaf's
// timeStamping EKU is its only EKU and critical, as RFC 3161 verifiers demand.
func TestTSACertChain(t *testing.T) {
	_, ss := newSigstoreEnv(t)
	r := do(t, http.MethodGet, ss.TSAURL()+"/certchain", nil, nil)
	if r.status != http.StatusOK {
		t.Fatalf("status %d", r.status)
	}
	chain, err := cryptoutils.UnmarshalCertificatesFromPEM(r.body)
	if err != nil || len(chain) != 3 {
		t.Fatalf("%d certificates (%v), want 3", len(chain), err)
	}
	leaf := chain[0]
	eku := extension(leaf, oidExtKeyUsage)
	if !eku.Critical || leaf.IsCA || len(leaf.ExtKeyUsage) != 1 || leaf.ExtKeyUsage[0] != x509.ExtKeyUsageTimeStamping {
		t.Errorf("EKU %v critical %v, IsCA %v", leaf.ExtKeyUsage, eku.Critical, leaf.IsCA)
	}
	if !chain[2].IsCA || chain[2].Subject.String() != chain[2].Issuer.String() {
		t.Errorf("last certificate %q is not a self-signed root", chain[2].Subject)
	}
}
