package attest

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/fulcio/certificate"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/sign"
	"github.com/sigstore/sigstore/pkg/signature"
)

// The step prefixes sigstore-go v1.3.0's Verifier.Verify puts on its errors,
// in the order it runs the steps. explain's tests break if a new version
// changes them.
const (
	stepTlog      = "failed to verify log inclusion"
	stepTimestamp = "failed to verify timestamps"
	stepLeaf      = "failed to verify leaf certificate"
	stepSCT       = "failed to verify signed certificate timestamp"
	stepSignature = "failed to verify signature"
	stepIdentity  = "failed to verify certificate identity"
)

// explain turns a sigstore-go refusal into the check that failed, in plain
// words. It looks at the bundle again, but only to choose words: the
// refusal stands whatever it finds.
func explain(err error, b *bundle.Bundle, tm root.TrustedMaterial, st *statement, pl plan, alg, digest, artifact string) error {
	leaf := leafCertificate(b)
	if leaf == nil {
		return fmt.Errorf("the bundle does not verify: %w", err)
	}
	// First, because every later step reads parts an alteration may have
	// changed (a tlog entry "does not match", a subject that is missing).
	if !envelopeSignatureValid(b, leaf.PublicKey) {
		return fmt.Errorf("signature does not verify: the bundle was altered after it was signed (%w)", err)
	}
	msg := err.Error()
	vm := b.GetVerificationMaterial()
	hasTlog := len(vm.GetTlogEntries()) > 0
	hasTSA := len(vm.GetTimestampVerificationData().GetRfc3161Timestamps()) > 0
	switch {
	case strings.Contains(msg, stepIdentity):
		if sum, serr := certificate.SummarizeCertificate(leaf); serr == nil {
			if m := pl.mismatch(sum); m != "" {
				return errors.New(m)
			}
		}
		return fmt.Errorf("the signing certificate does not match the policy: %w", err)
	case strings.Contains(msg, stepSignature):
		if !st.hasDigest(alg, digest) {
			return fmt.Errorf("%s is not a subject of this bundle (it covers %s)", artifact, describeSubjects(st))
		}
		return fmt.Errorf("signature does not verify: the bundle was altered after it was signed (%w)", err)
	case strings.Contains(msg, stepTlog):
		return fmt.Errorf("the transparency log entry does not verify: the bundle was altered, or it was logged in a log the trusted root does not list (%w)", err)
	case strings.Contains(msg, stepTimestamp) && !hasTlog && !hasTSA:
		if time.Now().After(leaf.NotAfter) {
			return fmt.Errorf("certificate expired at %s and no timestamp proves it was used in time: the bundle has neither a transparency log entry nor a signed timestamp", leaf.NotAfter.UTC().Format(time.RFC3339))
		}
		return errors.New("nothing proves when the bundle was signed: it has neither a transparency log entry nor a signed timestamp, and its certificate is only valid for minutes")
	case strings.Contains(msg, stepTimestamp):
		return fmt.Errorf("the bundle's timestamp does not verify against the trusted root (%w)", err)
	case strings.Contains(msg, stepLeaf):
		if issuedByTrustedCA(leaf, tm) {
			return fmt.Errorf("certificate expired and no timestamp proves it was used in time: it was valid from %s to %s and the bundle's timestamps fall outside that window (%w)",
				leaf.NotBefore.UTC().Format(time.RFC3339), leaf.NotAfter.UTC().Format(time.RFC3339), err)
		}
		return fmt.Errorf("the signing certificate was not issued by a certificate authority of the trusted root (%w)", err)
	case strings.Contains(msg, stepSCT):
		return fmt.Errorf("the signing certificate has no valid signed certificate timestamp from a CT log of the trusted root (%w)", err)
	}
	return fmt.Errorf("the bundle does not verify: %w", err)
}

// explainLocal is explain for a Local bundle, which has only a signature
// and subjects to get wrong.
func explainLocal(err error, b *bundle.Bundle, pub crypto.PublicKey, alg, digest string, st *statement) error {
	if !envelopeSignatureValid(b, pub) {
		return fmt.Errorf("signature does not verify: the dry-run bundle was altered after it was signed (%w)", err)
	}
	if !st.hasDigest(alg, digest) {
		return fmt.Errorf("artifact %s %s is not a subject of this bundle (it covers %s)", alg, digest, describeSubjects(st))
	}
	return fmt.Errorf("the dry-run bundle does not verify: %w", err)
}

func describeSubjects(st *statement) string {
	var parts []string
	for i, s := range st.subjects() {
		if i == 5 {
			parts = append(parts, fmt.Sprintf("and %d more", len(st.Subject)-i))
			break
		}
		parts = append(parts, fmt.Sprintf("%s (sha256 %s)", s.Name, orNone(s.SHA256)))
	}
	return strings.Join(parts, ", ")
}

func leafCertificate(b *bundle.Bundle) *x509.Certificate {
	vc, err := b.VerificationContent()
	if err != nil {
		return nil
	}
	return vc.Certificate()
}

// envelopeSignatureValid checks the one DSSE signature over the PAE of
// the envelope's payload with pub.
func envelopeSignatureValid(b *bundle.Bundle, pub crypto.PublicKey) bool {
	env := b.GetDsseEnvelope()
	if env == nil || len(env.GetSignatures()) != 1 {
		return false
	}
	v, err := signature.LoadDefaultVerifier(pub)
	if err != nil {
		return false
	}
	pae := (&sign.DSSEData{Data: env.GetPayload(), PayloadType: env.GetPayloadType()}).PreAuthEncoding()
	return v.VerifySignature(bytes.NewReader(env.GetSignatures()[0].GetSig()), bytes.NewReader(pae)) == nil
}

// issuedByTrustedCA reports whether leaf chains to a CA of the trusted root
// at a moment inside its own validity, i.e. whether only time is wrong.
func issuedByTrustedCA(leaf *x509.Certificate, tm root.TrustedMaterial) bool {
	at := leaf.NotBefore.Add(leaf.NotAfter.Sub(leaf.NotBefore) / 2)
	for _, ca := range tm.FulcioCertificateAuthorities() {
		if _, err := ca.Verify(leaf, at); err == nil {
			return true
		}
	}
	return false
}
