package testenv

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"regexp"
	"testing"

	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/fulcio/certificate"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/sign"
	"github.com/sigstore/sigstore-go/pkg/verify"
)

// artifact is what the test statements attest to.
var artifact = []byte("octo-repo-1.2.3.tar.gz contents\n")

// artifactDigest is artifact's sha256.
func artifactDigest() []byte {
	sum := sha256.Sum256(artifact)
	return sum[:]
}

// testStatement is a minimal in-toto Statement v1 over artifact.
func testStatement() []byte {
	return fmt.Appendf(nil, `{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"octo-repo-1.2.3.tar.gz","digest":{"sha256":"%s"}}],"predicateType":"https://slsa.dev/provenance/v1","predicate":{"buildDefinition":{},"runDetails":{}}}`,
		hex.EncodeToString(artifactDigest()))
}

// newSigstoreEnv starts an issuer frozen at frozen and a Sigstore trusting it.
func newSigstoreEnv(t *testing.T) (*OIDCIssuer, *Sigstore) {
	t.Helper()
	is := newIssuer(t)
	return is, NewSigstore(t, is)
}

// signing says which services a signing run uses besides Fulcio.
type signing struct {
	rekor, tsa bool
	retries    uint // for every client
}

// signDSSE signs the test statement with sigstore-go's real clients: a fresh ephemeral key,
// sign.Fulcio with token, then sign.Rekor (v1) and/or sign.TimestampAuthority.
func signDSSE(ss *Sigstore, token string, with signing) (*protobundle.Bundle, error) {
	kp, err := sign.NewEphemeralKeypair(nil)
	if err != nil {
		return nil, fmt.Errorf("ephemeral key: %w", err)
	}
	opts := sign.BundleOptions{
		CertificateProvider:        sign.NewFulcio(&sign.FulcioOptions{BaseURL: ss.FulcioURL(), Retries: with.retries}),
		CertificateProviderOptions: &sign.CertificateProviderOptions{IDToken: token},
		Context:                    context.Background(),
	}
	if with.rekor {
		opts.TransparencyLogs = []sign.Transparency{sign.NewRekor(&sign.RekorOptions{BaseURL: ss.RekorURL(), Version: 1, Retries: with.retries})}
	}
	if with.tsa {
		opts.TimestampAuthorities = []*sign.TimestampAuthority{sign.NewTimestampAuthority(&sign.TimestampAuthorityOptions{URL: ss.TSAURL(), Retries: with.retries})}
	}
	content := &sign.DSSEData{Data: testStatement(), PayloadType: "application/vnd.in-toto+json"}
	return sign.Bundle(content, kp, opts)
}

// mustSign is signDSSE with a fresh "sigstore" token that must succeed.
func mustSign(t *testing.T, is *OIDCIssuer, ss *Sigstore, with signing) *protobundle.Bundle {
	t.Helper()
	pb, err := signDSSE(ss, is.Mint("sigstore", nil), with)
	if err != nil {
		t.Fatalf("sign: %v (refusals %q)", err, ss.Refusals())
	}
	return pb
}

// wantExtensions is what the certificate of a token with DefaultClaims must say.
func wantExtensions(is *OIDCIssuer) certificate.Extensions {
	c := DefaultClaims()
	repo := "https://github.com/" + c["repository"].(string)
	return certificate.Extensions{
		Issuer:                              is.URL(),
		GithubWorkflowTrigger:               "push",
		GithubWorkflowSHA:                   DefaultSHA,
		GithubWorkflowName:                  "release",
		GithubWorkflowRepository:            c["repository"].(string),
		GithubWorkflowRef:                   DefaultRef,
		BuildSignerURI:                      "https://github.com/" + c["job_workflow_ref"].(string),
		BuildSignerDigest:                   DefaultSHA,
		RunnerEnvironment:                   "github-hosted",
		SourceRepositoryURI:                 repo,
		SourceRepositoryDigest:              DefaultSHA,
		SourceRepositoryRef:                 DefaultRef,
		SourceRepositoryIdentifier:          DefaultRepoID,
		SourceRepositoryOwnerURI:            "https://github.com/" + DefaultOwner,
		SourceRepositoryOwnerIdentifier:     DefaultOwnerID,
		BuildConfigURI:                      "https://github.com/" + c["workflow_ref"].(string),
		BuildConfigDigest:                   DefaultSHA,
		BuildTrigger:                        "push",
		RunInvocationURI:                    repo + "/actions/runs/10123456789/attempts/1",
		SourceRepositoryVisibilityAtSigning: "public",
	}
}

// identityPolicy is a gh-like certificate identity: the exact signer workflow SAN (anchored
// regex), the issuer, and the source repository and owner.
func identityPolicy(t *testing.T, is *OIDCIssuer) verify.CertificateIdentity {
	t.Helper()
	jwf := DefaultClaims()["job_workflow_ref"].(string)
	san, err := verify.NewSANMatcher("", `^https://github\.com/`+regexp.QuoteMeta(jwf)+`$`)
	if err != nil {
		t.Fatal(err)
	}
	iss, err := verify.NewIssuerMatcher(is.URL(), "")
	if err != nil {
		t.Fatal(err)
	}
	id, err := verify.NewCertificateIdentity(san, iss, certificate.Extensions{
		SourceRepositoryURI:      "https://github.com/" + DefaultOwner + "/" + DefaultRepo,
		SourceRepositoryOwnerURI: "https://github.com/" + DefaultOwner,
		RunnerEnvironment:        "github-hosted",
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// verifyBundle verifies pb against the emulator's trusted root file with the given
// verifier options, the artifact's digest and the identity policy.
func verifyBundle(t *testing.T, is *OIDCIssuer, ss *Sigstore, pb *protobundle.Bundle, opts ...verify.VerifierOption) (*verify.VerificationResult, error) {
	t.Helper()
	tr, err := root.NewTrustedRootFromPath(ss.TrustedRootPath())
	if err != nil {
		t.Fatalf("load trusted root: %v", err)
	}
	v, err := verify.NewVerifier(tr, opts...)
	if err != nil {
		t.Fatalf("new verifier: %v", err)
	}
	b, err := bundle.NewBundle(pb)
	if err != nil {
		return nil, fmt.Errorf("bundle: %w", err)
	}
	return v.Verify(b, verify.NewPolicy(verify.WithArtifactDigest("sha256", artifactDigest()), verify.WithCertificateIdentity(identityPolicy(t, is))))
}

// publicGood are gh's verifier options for a sigstore.dev leaf (reference §5).
func publicGood() []verify.VerifierOption {
	return []verify.VerifierOption{verify.WithSignedCertificateTimestamps(1), verify.WithTransparencyLog(1), verify.WithObserverTimestamps(1)}
}

// leafPEM is the bundle's signing certificate as PEM, as sign.Bundle hands it to Rekor.
func leafPEM(pb *protobundle.Bundle) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: pb.GetVerificationMaterial().GetCertificate().GetRawBytes()})
}
