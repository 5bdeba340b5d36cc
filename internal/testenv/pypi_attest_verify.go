package testenv

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"slices"
	"time"

	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	protodsse "github.com/sigstore/protobuf-specs/gen/pb-go/dsse"
	protorekor "github.com/sigstore/protobuf-specs/gen/pb-go/rekor/v1"
	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/verify"
	"google.golang.org/protobuf/encoding/protojson"
)

// The in-toto payload type pypi-attestations puts back on the envelope, and the two
// predicate types PyPI knows (AttestationType).
const (
	inTotoPayloadType   = "application/vnd.in-toto+json"
	inTotoStatementType = "https://in-toto.io/Statement/v1"
	pypiPublishV1       = "https://docs.pypi.org/attestations/publish/v1"
	slsaProvenanceV1    = "https://slsa.dev/provenance/v1"
)

// attestFailure is why one attestation was refused. unknown marks the errors warehouse
// reports as "Unknown error while trying to verify included attestations" (anything
// pypi-attestations raises that is not a VerificationError); the others are
// "Verification failed: …".
type attestFailure struct {
	msg     string
	unknown bool
}

// pep740Check is what one upload's attestations are verified against.
type pep740Check struct {
	issuer    string
	publisher Publisher
	trust     root.TrustedMaterial // nil: the certificate chain and log proofs are not checked
	filename  string               // the uploaded file's name and sha256
	sha256    string
}

// verify is pypi-attestations' Attestation.verify (to_bundle, then sigstore-python's
// verify_dsse steps, then the statement checks), returning the predicate type.
func (c pep740Check) verify(a pep740Object) (string, *attestFailure) {
	cert, err := x509.ParseCertificate(a.certificate)
	if err != nil {
		return "", &attestFailure{"invalid X.509 certificate", true}
	}
	// to_bundle reads the first entry only.
	var entry protorekor.TransparencyLogEntry
	if err := protojson.Unmarshal(a.entries[0], &entry); err != nil ||
		len(entry.GetCanonicalizedBody()) == 0 || entry.GetInclusionProof() == nil {
		// UNCONFIRMED which omissions sigstore-python's LogEntry refuses; a
		// canonical body and an inclusion proof are what every step below reads.
		return "", &attestFailure{"invalid transparency log entry", true}
	}
	if c.trust != nil {
		if err := c.verifyWithRoot(a, &entry); err != nil {
			return "", &attestFailure{msg: err.Error()}
		}
	}
	if msg, unknown := c.certificateProblem(cert, &entry); msg != "" {
		return "", &attestFailure{msg, unknown}
	}
	if msg := dsseSignatureProblem(cert, a); msg != "" {
		return "", &attestFailure{msg: msg}
	}
	if msg := logEntryProblem(cert, a, &entry); msg != "" {
		return "", &attestFailure{msg: msg}
	}
	return c.statementProblem(a.statement)
}

// certificateProblem is the Sigstore X.509 profile, the publisher policy and the log
// entry's time against the certificate's validity (steps 3 and 6).
func (c pep740Check) certificateProblem(cert *x509.Certificate, entry *protorekor.TransparencyLogEntry) (string, bool) {
	if cert.KeyUsage&x509.KeyUsageDigitalSignature == 0 {
		return "Key usage is not of type `digital signature`", false
	}
	if !slices.Contains(cert.ExtKeyUsage, x509.ExtKeyUsageCodeSigning) {
		return "Extended usage does not contain `code signing`", false
	}
	if msg, unknown := publisherPolicy(cert, c.issuer, c.publisher); msg != "" {
		return msg, unknown
	}
	at := time.Unix(entry.GetIntegratedTime(), 0)
	if at.Before(cert.NotBefore) || at.After(cert.NotAfter) {
		return "invalid signing cert: expired at time of Rekor entry", false
	}
	return "", false
}

// dsseSignatureProblem is sigstore-python's dsse._verify: ECDSA with SHA-256 over the
// PAE of the in-toto payload type and the statement, with the certificate's key.
func dsseSignatureProblem(cert *x509.Certificate, a pep740Object) string {
	pub, ok := cert.PublicKey.(*ecdsa.PublicKey)
	if !ok {
		return "DSSE: invalid signature"
	}
	digest := sha256.Sum256(dssePAE(inTotoPayloadType, a.statement))
	if !ecdsa.VerifyASN1(pub, digest[:], a.signature) {
		return "DSSE: invalid signature"
	}
	return ""
}

// dssePAE is DSSE's pre-authentication encoding.
func dssePAE(payloadType string, payload []byte) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "DSSEv1 %d %s %d ", len(payloadType), payloadType, len(payload))
	b.Write(payload)
	return b.Bytes()
}

// logEntryProblem is step 8: the Rekor dsse entry must record this payload's hash and
// exactly this signature with this certificate as its verifier.
func logEntryProblem(cert *x509.Certificate, a pep740Object, entry *protorekor.TransparencyLogEntry) string {
	var body struct {
		Kind string `json:"kind"`
		Spec struct {
			PayloadHash struct {
				Algorithm string `json:"algorithm"`
				Value     string `json:"value"`
			} `json:"payloadHash"`
			Signatures []struct {
				Signature string `json:"signature"`
				Verifier  string `json:"verifier"`
			} `json:"signatures"`
		} `json:"spec"`
	}
	if err := json.Unmarshal(entry.GetCanonicalizedBody(), &body); err != nil || body.Kind != "dsse" {
		// UNCONFIRMED: the rest of the text is pydantic's account of rekor_types.Dsse.
		return "invalid DSSE log entry: the entry body is not a dsse entry"
	}
	if body.Spec.PayloadHash.Algorithm != "sha256" {
		return "expected SHA256 payload hash in DSSE log entry"
	}
	sum := sha256.Sum256(a.statement)
	if body.Spec.PayloadHash.Value != hex.EncodeToString(sum[:]) {
		return "log entry payload hash does not match bundle"
	}
	verifier := base64.StdEncoding.EncodeToString(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}))
	if len(body.Spec.Signatures) != 1 || body.Spec.Signatures[0].Verifier != verifier ||
		body.Spec.Signatures[0].Signature != base64.StdEncoding.EncodeToString(a.signature) {
		return "log entry signatures do not match bundle"
	}
	return ""
}

// statementProblem is the part of Attestation.verify after the signature: the statement
// parses, has one subject, names this file (after ultranormalizing both) with its
// sha256, and has a known predicate type.
func (c pep740Check) statementProblem(payload []byte) (string, *attestFailure) {
	fail := func(msg string) (string, *attestFailure) { return "", &attestFailure{msg: msg} }
	st, err := parseInTotoStatement(payload)
	if err != nil {
		return fail("invalid statement: " + err.Error())
	}
	if len(st.subjects) != 1 {
		return fail("too many subjects in statement (must be exactly one)")
	}
	s := st.subjects[0]
	if s.name == "" {
		return fail("invalid subject: missing name")
	}
	name, problem := ultranormalizeDist(s.name)
	if problem != "" {
		return fail("invalid subject: " + problem)
	}
	dist, _ := ultranormalizeDist(c.filename) // the upload's name passed warehouse's checks
	if name != dist {
		return fail("subject does not match distribution name: " + name + " != " + dist)
	}
	if d, ok := s.digest["sha256"]; !ok || d != c.sha256 {
		return fail("subject does not match distribution digest")
	}
	if st.predicateType != pypiPublishV1 && st.predicateType != slsaProvenanceV1 {
		return fail("unknown attestation type: " + st.predicateType)
	}
	return st.predicateType, nil
}

// verifyWithRoot checks what only a trust root can: the certificate chain to a Fulcio
// CA, its embedded SCT, the log entry's signed timestamp, inclusion proof and
// checkpoint, with sigstore-go on the bundle pypi-attestations' to_bundle rebuilds.
// PyPI does this with sigstore-python and the public-good root; the texts of its
// failures are sigstore-go's here (UNCONFIRMED against sigstore-python's).
func (c pep740Check) verifyWithRoot(a pep740Object, entry *protorekor.TransparencyLogEntry) error {
	pb := &protobundle.Bundle{
		MediaType: "application/vnd.dev.sigstore.bundle.v0.3+json",
		VerificationMaterial: &protobundle.VerificationMaterial{
			Content: &protobundle.VerificationMaterial_Certificate{
				Certificate: &protocommon.X509Certificate{RawBytes: a.certificate},
			},
			TlogEntries: []*protorekor.TransparencyLogEntry{entry},
		},
		Content: &protobundle.Bundle_DsseEnvelope{DsseEnvelope: &protodsse.Envelope{
			Payload:     a.statement,
			PayloadType: inTotoPayloadType,
			Signatures:  []*protodsse.Signature{{Sig: a.signature}},
		}},
	}
	b, err := bundle.NewBundle(pb)
	if err != nil {
		return err
	}
	opts := []verify.VerifierOption{verify.WithTransparencyLog(1), verify.WithObserverTimestamps(1)}
	if len(c.trust.CTLogs()) > 0 {
		opts = append(opts, verify.WithSignedCertificateTimestamps(1))
	}
	v, err := verify.NewVerifier(c.trust, opts...)
	if err != nil {
		return err
	}
	_, err = v.Verify(b, verify.NewPolicy(verify.WithoutArtifactUnsafe(), verify.WithoutIdentitiesUnsafe()))
	return err
}
