package attest

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/sigstore/sigstore-go/pkg/fulcio/certificate"
	"github.com/sigstore/sigstore-go/pkg/verify"
)

// GitHubIssuer is the OIDC issuer of GitHub Actions on github.com.
const GitHubIssuer = "https://token.actions.githubusercontent.com"

// Policy is what `gh attestation verify --repo o/r [--signer-workflow]`
// checks (reference §5), exact where gh is loose: the signer workflow is
// anchored at both ends, the issuer and repository compare exactly (case
// included), and the predicate is cross-checked against the certificate.
type Policy struct {
	Issuer     string // "https://token.actions.githubusercontent.com" ("" = that)
	Repository string // owner/name: SAN prefix https://github.com/<repo>/ and source repository ext
	// Workflow is the signer workflow: a file name in the repository's
	// .github/workflows (e.g. "release.yml"), or "owner/repo/path/file.yml"
	// for a reusable workflow kept elsewhere; "" = any workflow of the
	// repository.
	Workflow  string
	Ref       string // e.g. "refs/tags/v1.2.3"; "" = any
	ServerURL string // "https://github.com" default
}

// plan is a Policy resolved into the exact values a certificate must carry.
type plan struct {
	issuer, server, repoURL, ownerURL, ref string
	// signer is the SAN without "@<ref>" ("" = any workflow of repoURL);
	// signerRef is the ref the SAN must end with ("" = any ref).
	signer, signerRef string
}

func (p Policy) plan() (plan, error) {
	owner, name, ok := strings.Cut(p.Repository, "/")
	if !ok || owner == "" || name == "" || strings.Contains(name, "/") {
		return plan{}, fmt.Errorf("policy: repository %q is not owner/name", p.Repository)
	}
	server := strings.TrimSuffix(p.ServerURL, "/")
	if server == "" {
		server = DefaultServerURL
	}
	pl := plan{
		issuer:   p.Issuer,
		server:   server,
		repoURL:  server + "/" + p.Repository,
		ownerURL: server + "/" + owner,
		ref:      p.Ref,
	}
	if pl.issuer == "" {
		pl.issuer = GitHubIssuer
	}
	if p.Workflow == "" {
		return pl, nil
	}
	if strings.Contains(p.Workflow, "@") {
		return plan{}, fmt.Errorf("policy: workflow %q names a ref; give the file alone and the ref as Ref", p.Workflow)
	}
	if !strings.Contains(p.Workflow, "/") {
		pl.signer = pl.repoURL + "/.github/workflows/" + p.Workflow
		pl.signerRef = p.Ref
		return pl, nil
	}
	parts := strings.SplitN(p.Workflow, "/", 3)
	if len(parts) < 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return plan{}, fmt.Errorf("policy: workflow %q is neither a file name nor owner/repo/path", p.Workflow)
	}
	pl.signer = server + "/" + p.Workflow
	// A reusable workflow of another repository runs at its own ref, so the
	// release ref can only be required of the source repository.
	if parts[0]+"/"+parts[1] == p.Repository {
		pl.signerRef = p.Ref
	}
	return pl, nil
}

// sanPattern is the anchored SAN regexp. Without a ref the SAN may end in
// any "@refs/…" or commit SHA, never in more path: "release.yml" must not
// match "release.yml.evil.yml" nor "release.yml@x.yml@refs/…".
func (pl plan) sanPattern() string {
	if pl.signer == "" {
		return "^" + regexp.QuoteMeta(pl.repoURL+"/")
	}
	if pl.signerRef != "" {
		return "^" + regexp.QuoteMeta(pl.signer+"@"+pl.signerRef) + "$"
	}
	return "^" + regexp.QuoteMeta(pl.signer) + "@(refs/.+|[0-9a-f]{40})$"
}

// wantSigner says in words which signer the policy accepts.
func (pl plan) wantSigner() string {
	switch {
	case pl.signer == "":
		return "a workflow of " + pl.repoURL
	case pl.signerRef != "":
		return pl.signer + "@" + pl.signerRef
	default:
		return pl.signer + " at any ref"
	}
}

func (pl plan) identity() (verify.CertificateIdentity, error) {
	san, err := verify.NewSANMatcher("", pl.sanPattern())
	if err != nil {
		return verify.CertificateIdentity{}, fmt.Errorf("policy: %w", err)
	}
	iss, err := verify.NewIssuerMatcher(pl.issuer, "")
	if err != nil {
		return verify.CertificateIdentity{}, fmt.Errorf("policy: %w", err)
	}
	id, err := verify.NewCertificateIdentity(san, iss, certificate.Extensions{
		SourceRepositoryURI:      pl.repoURL,
		SourceRepositoryOwnerURI: pl.ownerURL,
		SourceRepositoryRef:      pl.ref,
	})
	if err != nil {
		return verify.CertificateIdentity{}, fmt.Errorf("policy: %w", err)
	}
	return id, nil
}

// mismatch says in plain words why a verified certificate fails the policy,
// most fundamental difference first; "" when it does not.
func (pl plan) mismatch(c certificate.Summary) string {
	switch {
	case c.Extensions.Issuer != pl.issuer:
		return fmt.Sprintf("the bundle's certificate was issued for tokens of %s, expected %s", orNone(c.Extensions.Issuer), pl.issuer)
	case c.Extensions.SourceRepositoryURI != pl.repoURL:
		return fmt.Sprintf("the bundle was signed in repository %s, expected %s", orNone(c.Extensions.SourceRepositoryURI), pl.repoURL)
	case c.Extensions.SourceRepositoryOwnerURI != pl.ownerURL:
		return fmt.Sprintf("the bundle was signed for owner %s, expected %s", orNone(c.Extensions.SourceRepositoryOwnerURI), pl.ownerURL)
	case !regexp.MustCompile(pl.sanPattern()).MatchString(c.SubjectAlternativeName):
		return fmt.Sprintf("the bundle was signed by workflow %s, expected %s", orNone(c.SubjectAlternativeName), pl.wantSigner())
	case pl.ref != "" && c.Extensions.SourceRepositoryRef != pl.ref:
		return fmt.Sprintf("the bundle was signed for ref %s, expected %s", orNone(c.Extensions.SourceRepositoryRef), pl.ref)
	}
	return ""
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
