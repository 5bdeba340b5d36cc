package testenv

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"net/url"
	"time"

	"github.com/sigstore/sigstore/pkg/cryptoutils"
)

// fulcioCertLifetime is the validity of every certificate Fulcio issues (reference §2.3).
const fulcioCertLifetime = 10 * time.Minute

// githubURL is the base of the SAN and of the URI extensions. Fulcio's GitHub Actions
// provider hard-codes github.com for tokens of GitHub's issuer; the emulator does the same
// for its own issuer, since its tokens stand in for GitHub's.
const githubURL = "https://github.com/"

// fulcioRequiredClaims are the claims Fulcio's GitHub provider refuses a token without
// (reference §2.3, from Fulcio's principal.go).
var fulcioRequiredClaims = []string{
	"job_workflow_ref", "sha", "event_name", "repository", "workflow", "ref",
	"job_workflow_sha", "runner_environment", "repository_id", "repository_owner",
	"repository_owner_id", "workflow_ref", "workflow_sha", "run_id", "run_attempt",
}

// fulcioOID is Sigstore's arc 1.3.6.1.4.1.57264.1.<n>.
func fulcioOID(n int) asn1.ObjectIdentifier {
	return asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 57264, 1, n}
}

// githubExtensions renders the Fulcio extensions of a GitHub Actions certificate from the
// token's issuer and claims, in OID order: .1–.6 as raw bytes (the deprecated encoding),
// .8–.22 as DER UTF8Strings (reference §2.3). The visibility extension (.22) is left out
// when the token has no repository_visibility claim, which Fulcio does not require.
func githubExtensions(iss string, c map[string]string) ([]pkix.Extension, error) {
	repoURL := githubURL + c["repository"]
	raw := []struct {
		n int
		v string
	}{
		{1, iss},
		{2, c["event_name"]},
		{3, c["sha"]},
		{4, c["workflow"]},
		{5, c["repository"]},
		{6, c["ref"]},
	}
	der := []struct {
		n int
		v string
	}{
		{8, iss},
		{9, githubURL + c["job_workflow_ref"]},
		{10, c["job_workflow_sha"]},
		{11, c["runner_environment"]},
		{12, repoURL},
		{13, c["sha"]},
		{14, c["ref"]},
		{15, c["repository_id"]},
		{16, githubURL + c["repository_owner"]},
		{17, c["repository_owner_id"]},
		{18, githubURL + c["workflow_ref"]},
		{19, c["workflow_sha"]},
		{20, c["event_name"]},
		{21, repoURL + "/actions/runs/" + c["run_id"] + "/attempts/" + c["run_attempt"]},
	}
	if v, ok := c["repository_visibility"]; ok {
		der = append(der, struct {
			n int
			v string
		}{22, v})
	}
	exts := make([]pkix.Extension, 0, len(raw)+len(der))
	for _, e := range raw {
		exts = append(exts, pkix.Extension{Id: fulcioOID(e.n), Value: []byte(e.v)})
	}
	for _, e := range der {
		v, err := asn1.MarshalWithParams(e.v, "utf8")
		if err != nil {
			return nil, fmt.Errorf("encode extension .%d: %w", e.n, err)
		}
		exts = append(exts, pkix.Extension{Id: fulcioOID(e.n), Value: v})
	}
	return exts, nil
}

// oidCTPoison marks a precertificate (RFC 6962 §3.1); oidSCTList carries embedded SCTs.
var (
	oidCTPoison = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 11129, 2, 4, 3}
	oidSCTList  = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 11129, 2, 4, 2}
)

// issueLeaf issues a code-signing certificate for pub the way Fulcio's embedded-SCT flow
// does: a precertificate (same template plus the critical CT poison) is logged with the
// emulated CT log, and the final certificate carries the SCT in place of the poison, so
// the SCT verifies against the final certificate with the poison/SCT extension removed.
func (p *sigstorePKI) issueLeaf(pub crypto.PublicKey, san *url.URL, exts []pkix.Extension, now time.Time) (*x509.Certificate, error) {
	serial, err := randomSerial()
	if err != nil {
		return nil, err
	}
	skid, err := cryptoutils.SKID(pub)
	if err != nil {
		return nil, fmt.Errorf("subject key id: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		NotBefore:    now,
		NotAfter:     now.Add(fulcioCertLifetime),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning},
		SubjectKeyId: skid,
		// An empty subject makes crypto/x509 mark the SAN critical, as in Fulcio's certificates.
		URIs: []*url.URL{san},
	}
	poisonAt := len(exts)
	tmpl.ExtraExtensions = append(append([]pkix.Extension(nil), exts...),
		pkix.Extension{Id: oidCTPoison, Critical: true, Value: asn1.NullBytes})
	precert, err := x509.CreateCertificate(rand.Reader, tmpl, p.caIntermediate, pub, p.caKey)
	if err != nil {
		return nil, fmt.Errorf("create precertificate: %w", err)
	}
	sctExt, err := p.embeddedSCT(precert, now)
	if err != nil {
		return nil, err
	}
	tmpl.ExtraExtensions[poisonAt] = sctExt
	return signCertificate(tmpl, p.caIntermediate, pub, p.caKey)
}
