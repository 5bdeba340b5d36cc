package testenv

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"

	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	"github.com/sigstore/sigstore-go/pkg/verify"
	"google.golang.org/protobuf/proto"
)

// TestSigstoreRekorBundleVerifies is the public-good shape: sigstore-go's real Fulcio and
// Rekor clients against the emulator, verified by sigstore-go with gh's options for a
// sigstore.dev leaf (SCT, tlog, observer timestamp) and a signer-workflow identity.
func TestSigstoreRekorBundleVerifies(t *testing.T) {
	is, ss := newSigstoreEnv(t)
	pb := mustSign(t, is, ss, signing{rekor: true})

	res, err := verifyBundle(t, is, ss, pb, publicGood()...)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	cert := res.Signature.Certificate
	if want := "https://github.com/" + DefaultClaims()["job_workflow_ref"].(string); cert.SubjectAlternativeName != want {
		t.Errorf("SAN %q, want %q", cert.SubjectAlternativeName, want)
	}
	if cert.Extensions != wantExtensions(is) {
		t.Errorf("extensions\n got %+v\nwant %+v", cert.Extensions, wantExtensions(is))
	}
	if len(res.VerifiedTimestamps) != 1 || res.VerifiedTimestamps[0].Type != "Tlog" || !res.VerifiedTimestamps[0].Timestamp.Equal(frozen) {
		t.Errorf("verified timestamps %+v, want one Tlog at %s", res.VerifiedTimestamps, frozen)
	}
	if ss.Entries() != 1 || ss.Timestamps() != 0 {
		t.Errorf("entries %d, timestamps %d; want 1, 0", ss.Entries(), ss.Timestamps())
	}

	entries := pb.GetVerificationMaterial().GetTlogEntries()
	if len(entries) != 1 {
		t.Fatalf("%d tlog entries, want 1", len(entries))
	}
	e := entries[0]
	if kv := e.GetKindVersion(); kv.GetKind() != "dsse" || kv.GetVersion() != "0.0.1" {
		t.Errorf("kind %s/%s, want dsse/0.0.1", kv.GetKind(), kv.GetVersion())
	}
	if e.GetIntegratedTime() != frozen.Unix() {
		t.Errorf("integratedTime %d, want %d", e.GetIntegratedTime(), frozen.Unix())
	}
	if e.GetLogIndex() != rekorShardOffset || e.GetInclusionProof().GetLogIndex() != 0 {
		t.Errorf("logIndex %d / proof logIndex %d, want %d / 0", e.GetLogIndex(), e.GetInclusionProof().GetLogIndex(), rekorShardOffset)
	}
	if len(e.GetInclusionPromise().GetSignedEntryTimestamp()) == 0 {
		t.Error("no SET")
	}
	if cp := e.GetInclusionProof().GetCheckpoint().GetEnvelope(); !strings.Contains(cp, "\n\n\u2014 127.0.0.1 ") {
		t.Errorf("checkpoint not signed as the baseUrl host 127.0.0.1:\n%s", cp)
	}
	wantCanonicalDSSE(t, pb, e.GetCanonicalizedBody())
}

// wantCanonicalDSSE checks the tlog body is Rekor's canonical dsse entry for pb's envelope,
// which sigstore-js re-derives and sigstore-go does not (reference §3.3).
func wantCanonicalDSSE(t *testing.T, pb *protobundle.Bundle, body []byte) {
	t.Helper()
	var got struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Spec       struct {
			EnvelopeHash struct{ Algorithm, Value string }      `json:"envelopeHash"`
			PayloadHash  struct{ Algorithm, Value string }      `json:"payloadHash"`
			Signatures   []struct{ Signature, Verifier string } `json:"signatures"`
		} `json:"spec"`
	}
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatalf("canonical body %q: %v", body, err)
	}
	env := pb.GetDsseEnvelope()
	payloadHash := sha256.Sum256(env.GetPayload())
	if got.APIVersion != "0.0.1" || got.Kind != "dsse" {
		t.Errorf("body is %s %s, want dsse 0.0.1", got.Kind, got.APIVersion)
	}
	if got.Spec.PayloadHash.Algorithm != "sha256" || got.Spec.PayloadHash.Value != hex.EncodeToString(payloadHash[:]) {
		t.Errorf("payloadHash %+v, want sha256 %x", got.Spec.PayloadHash, payloadHash)
	}
	if got.Spec.EnvelopeHash.Algorithm != "sha256" || len(got.Spec.EnvelopeHash.Value) != 64 {
		t.Errorf("envelopeHash %+v", got.Spec.EnvelopeHash)
	}
	if len(got.Spec.Signatures) != 1 {
		t.Fatalf("%d signatures, want 1", len(got.Spec.Signatures))
	}
	sig := got.Spec.Signatures[0]
	if sig.Signature != base64.StdEncoding.EncodeToString(env.GetSignatures()[0].GetSig()) {
		t.Error("signature in the body is not the envelope's")
	}
	if sig.Verifier != base64.StdEncoding.EncodeToString(leafPEM(pb)) {
		t.Error("verifier in the body is not the leaf certificate's PEM")
	}
}

// TestSigstoreTSABundleVerifies is GitHub's private-repository shape: Fulcio plus an RFC 3161
// timestamp, no tlog, verified with signed timestamps only.
func TestSigstoreTSABundleVerifies(t *testing.T) {
	is, ss := newSigstoreEnv(t)
	pb := mustSign(t, is, ss, signing{tsa: true})

	res, err := verifyBundle(t, is, ss, pb, verify.WithSignedCertificateTimestamps(1), verify.WithSignedTimestamps(1))
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if len(res.VerifiedTimestamps) != 1 || res.VerifiedTimestamps[0].Type != "TimestampAuthority" ||
		!res.VerifiedTimestamps[0].Timestamp.Equal(frozen) || res.VerifiedTimestamps[0].URI != ss.TSAURL() {
		t.Errorf("verified timestamps %+v, want one from %s at %s", res.VerifiedTimestamps, ss.TSAURL(), frozen)
	}
	if ss.Entries() != 0 || ss.Timestamps() != 1 {
		t.Errorf("entries %d, timestamps %d; want 0, 1", ss.Entries(), ss.Timestamps())
	}
	// Without a tlog the bundle cannot meet a tlog threshold: the verification is real.
	if _, err := verifyBundle(t, is, ss, pb, verify.WithTransparencyLog(1), verify.WithObserverTimestamps(1)); err == nil {
		t.Error("a TSA-only bundle met a transparency-log threshold")
	}
}

// TestSigstoreBundleTampering shows the verification the other tests rely on can fail.
func TestSigstoreBundleTampering(t *testing.T) {
	is, ss := newSigstoreEnv(t)
	signed := mustSign(t, is, ss, signing{rekor: true, tsa: true})
	tests := []struct {
		name   string
		damage func(pb *protobundle.Bundle)
	}{
		{"payload", func(pb *protobundle.Bundle) {
			pb.GetDsseEnvelope().Payload = append(pb.GetDsseEnvelope().Payload, ' ')
		}},
		{"SET", func(pb *protobundle.Bundle) {
			pb.GetVerificationMaterial().GetTlogEntries()[0].IntegratedTime++
		}},
		{"inclusion proof", func(pb *protobundle.Bundle) {
			pb.GetVerificationMaterial().GetTlogEntries()[0].GetInclusionProof().RootHash[0] ^= 1
		}},
		{"certificate", func(pb *protobundle.Bundle) {
			other := mustSign(t, is, ss, signing{})
			pb.GetVerificationMaterial().Content = other.GetVerificationMaterial().Content
		}},
	}
	if _, err := verifyBundle(t, is, ss, signed, publicGood()...); err != nil {
		t.Fatalf("undamaged bundle: %v", err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pb := proto.Clone(signed).(*protobundle.Bundle)
			tc.damage(pb)
			if _, err := verifyBundle(t, is, ss, pb, publicGood()...); err == nil {
				t.Error("damaged bundle verified")
			}
		})
	}
}

// TestSigstoreLogGrows signs several bundles: each proves inclusion in a bigger tree and
// carries a later index, and each still verifies.
func TestSigstoreLogGrows(t *testing.T) {
	is, ss := newSigstoreEnv(t)
	for i := range 3 {
		pb := mustSign(t, is, ss, signing{rekor: true})
		e := pb.GetVerificationMaterial().GetTlogEntries()[0]
		p := e.GetInclusionProof()
		if p.GetTreeSize() != int64(i+1) || p.GetLogIndex() != int64(i) || e.GetLogIndex() != int64(rekorShardOffset+i) {
			t.Errorf("entry %d: tree size %d, proof index %d, log index %d", i, p.GetTreeSize(), p.GetLogIndex(), e.GetLogIndex())
		}
		if i > 0 && len(p.GetHashes()) == 0 {
			t.Errorf("entry %d: empty audit path in a tree of %d", i, p.GetTreeSize())
		}
		if _, err := verifyBundle(t, is, ss, pb, publicGood()...); err != nil {
			t.Errorf("entry %d: %v", i, err)
		}
	}
	if ss.Entries() != 3 {
		t.Errorf("entries %d, want 3", ss.Entries())
	}
}

// TestSigstoreFollowsIssuerClock moves the shared clock: the certificate, the integrated
// time and the timestamp all follow it, and the bundle still verifies.
func TestSigstoreFollowsIssuerClock(t *testing.T) {
	is, ss := newSigstoreEnv(t)
	is.Clock().Advance(72 * time.Hour)
	now := frozen.Add(72 * time.Hour)
	pb := mustSign(t, is, ss, signing{rekor: true, tsa: true})

	res, err := verifyBundle(t, is, ss, pb, verify.WithSignedCertificateTimestamps(1), verify.WithTransparencyLog(1), verify.WithObserverTimestamps(2))
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	for _, ts := range res.VerifiedTimestamps {
		if !ts.Timestamp.Equal(now) {
			t.Errorf("%s timestamp %s, want %s", ts.Type, ts.Timestamp, now)
		}
	}
	certs := ss.Certificates()
	if len(certs) != 1 || !certs[0].NotBefore.Equal(now) || certs[0].NotAfter.Sub(certs[0].NotBefore) != 10*time.Minute {
		t.Fatalf("certificates %d; want one valid for 10 minutes from %s", len(certs), now)
	}
}
