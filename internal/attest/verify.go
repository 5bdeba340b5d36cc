package attest

import (
	"context"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/verify"
)

// VerifyOptions says what a bundle must prove.
type VerifyOptions struct {
	TrustedRoot string // path to a trusted_root.json; "" = Sigstore's public-good root over TUF (network)
	Policy      Policy
	// ArtifactSHA256 (hex) must be a subject of the statement; ArtifactName
	// only labels messages, since in-toto matches subjects by digest.
	ArtifactSHA256, ArtifactName string
	// AllowLocal accepts a Local (dry-run) bundle after checking its
	// signature with the key it carries: integrity, not origin.
	AllowLocal bool
}

// Verified is what a bundle proved. The certificate fields are Fulcio's, not
// the job's; Timestamps are the verified signing times (transparency log
// and/or timestamp authority).
type Verified struct {
	Subjects                           []Subject
	SAN, Issuer, SourceRepository, Ref string
	Timestamps                         []time.Time
	Local                              bool
}

var time0 time.Time

// Verify checks a bundle: signature, certificate chain to the trusted root,
// transparency (tlog entry or RFC 3161 timestamp), certificate identity
// against Policy, the predicate agreeing with the certificate, and that the
// artifact's sha256 is a subject. A Local (ephemeral key) bundle is refused
// with ErrSignedLocally unless o.AllowLocal. Every refusal says which check
// failed in plain words.
func Verify(ctx context.Context, bundleJSON []byte, o VerifyOptions) (*Verified, error) {
	digest := strings.ToLower(o.ArtifactSHA256)
	raw, err := digestBytes(digest)
	if err != nil {
		return nil, err
	}
	b, err := parseBundle(bundleJSON)
	if err != nil {
		return nil, err
	}
	st, err := bundleStatement(b)
	if err != nil {
		return nil, err
	}
	if _, _, isLocal, err := localKey(b); isLocal || err != nil {
		if err != nil {
			return nil, err
		}
		if !o.AllowLocal {
			return nil, ErrSignedLocally
		}
		return verifyLocal(b, "sha256", digest, st)
	}
	plan, err := o.Policy.plan()
	if err != nil {
		return nil, err
	}
	tm, err := loadTrustedRoot(ctx, o.TrustedRoot)
	if err != nil {
		return nil, err
	}
	id, err := plan.identity()
	if err != nil {
		return nil, err
	}
	res, err := verifyKeyless(b, tm, verify.WithArtifactDigest("sha256", raw), verify.WithCertificateIdentity(id))
	if err != nil {
		return nil, explain(err, b, tm, st, plan, "sha256", digest, artifactLabel(o.ArtifactName, digest))
	}
	cert := res.Signature.Certificate
	if err := crossCheck(st, cert.Extensions); err != nil {
		return nil, err
	}
	return &Verified{
		Subjects:         st.subjects(),
		SAN:              cert.SubjectAlternativeName,
		Issuer:           cert.Extensions.Issuer,
		SourceRepository: cert.Extensions.SourceRepositoryURI,
		Ref:              cert.Extensions.SourceRepositoryRef,
		Timestamps:       timestamps(res.VerifiedTimestamps),
	}, nil
}

// verifyKeyless runs sigstore-go with the evidence thresholds the bundle's
// own contents call for (reference §3.3): every transparency log entry and
// every RFC 3161 timestamp it carries must verify, and at least one of them
// must date the signature, because the certificate lives ten minutes and
// only such a witness shows it was used in that window. SCTs are required
// when the trusted root lists CT logs (the public-good root does).
func verifyKeyless(b *bundle.Bundle, tm root.TrustedMaterial, artifact verify.ArtifactPolicyOption, opts ...verify.PolicyOption) (*verify.VerificationResult, error) {
	vm := b.GetVerificationMaterial()
	vopts := []verify.VerifierOption{verify.WithObserverTimestamps(1)}
	if n := len(vm.GetTlogEntries()); n > 0 {
		vopts = append(vopts, verify.WithTransparencyLog(n))
	}
	if n := len(vm.GetTimestampVerificationData().GetRfc3161Timestamps()); n > 0 {
		vopts = append(vopts, verify.WithSignedTimestamps(n))
	}
	if len(tm.CTLogs()) > 0 {
		vopts = append(vopts, verify.WithSignedCertificateTimestamps(1))
	}
	v, err := verify.NewVerifier(tm, vopts...)
	if err != nil {
		return nil, fmt.Errorf("setting up verification: %w", err)
	}
	return v.Verify(b, verify.NewPolicy(artifact, opts...))
}

func parseBundle(data []byte) (*bundle.Bundle, error) {
	var b bundle.Bundle
	if err := b.UnmarshalJSON(data); err != nil {
		return nil, fmt.Errorf("not a valid Sigstore bundle (truncated or corrupted?): %w", err)
	}
	return &b, nil
}

// bundleStatement decodes the DSSE payload. It is not trusted until the
// signature over these very bytes has verified; until then it only feeds
// explanations.
func bundleStatement(b *bundle.Bundle) (*statement, error) {
	env := b.GetDsseEnvelope()
	if env == nil {
		return nil, fmt.Errorf("the bundle holds a plain signature, not an attestation (no DSSE envelope)")
	}
	if env.GetPayloadType() != PayloadType {
		return nil, fmt.Errorf("the bundle's payload type is %q, not an in-toto statement (%s)", env.GetPayloadType(), PayloadType)
	}
	st, err := parseStatement(env.GetPayload())
	if err != nil {
		return nil, fmt.Errorf("the bundle's statement: %w", err)
	}
	if st.PredicateType != PredicateSLSA1 {
		return nil, fmt.Errorf("the bundle's predicate is %q, not SLSA provenance v1 (%s)", st.PredicateType, PredicateSLSA1)
	}
	return st, nil
}

func digestBytes(digest string) ([]byte, error) {
	if !isSHA256Hex(digest) {
		return nil, fmt.Errorf("artifact sha256 %q is not 64 hex digits", digest)
	}
	return hex.DecodeString(digest)
}

func artifactLabel(name, digest string) string {
	if name == "" {
		return "artifact sha256 " + digest
	}
	return "artifact " + name + " (sha256 " + digest + ")"
}

// timestamps lists each verified time once; sigstore-go reports a TSA time
// both as a signed and as an observer timestamp.
func timestamps(in []verify.TimestampVerificationResult) []time.Time {
	var out []time.Time
	seen := map[time.Time]bool{}
	for _, ts := range in {
		t := ts.Timestamp.UTC()
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}
