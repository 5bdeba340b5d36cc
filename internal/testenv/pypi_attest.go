package testenv

import (
	"fmt"
	"net/url"

	"github.com/sigstore/sigstore-go/pkg/root"
)

// PEP 740 attestations on upload (reference §3.4, §6.1): warehouse's
// attestations/services.py decides, pypi-attestations verifies, and forklift answers
// 400 "Invalid attestations supplied during upload: <why>".

// pypiAttestationTypes is how many attestations a file may carry: one per supported
// predicate type.
const pypiAttestationTypes = 2

// SetAttestationRoot makes the emulator verify each attestation's certificate chain,
// SCT and transparency log proofs against a Sigstore trusted root (trusted_root.json,
// e.g. Sigstore.TrustedRootJSON), as PyPI does against the public-good root. Without
// one it checks everything else: the signature with the certificate's key, the
// publisher policy, the log entry's agreement with the envelope and the statement.
func (p *PyPI) SetAttestationRoot(trustedRootJSON []byte) error {
	tr, err := root.NewTrustedRootFromJSON(trustedRootJSON)
	if err != nil {
		return fmt.Errorf("testenv: attestation trusted root: %w", err)
	}
	p.store.mu.Lock()
	defer p.store.mu.Unlock()
	p.store.attestRoot = tr
	return nil
}

// checkAttestations runs when the form has an "attestations" field, after every check
// of the file itself and before it is stored, as in forklift. It returns the objects to
// store, or the 400 message.
func (p *PyPI) checkAttestations(tok pypiToken, form url.Values, filename, sha256 string) ([][]byte, string) {
	objs, msg := p.parseAttestations(tok, last(form, "attestations"), filename, sha256)
	if msg != "" {
		return nil, "Invalid attestations supplied during upload: " + msg
	}
	return objs, ""
}

// parseAttestations is IntegrityService.parse_attestations.
func (p *PyPI) parseAttestations(tok pypiToken, field, filename, sha256 string) ([][]byte, string) {
	if tok.publisher == nil {
		return nil, "Attestations are only supported when using Trusted Publishing"
	}
	objs, err := parsePEP740(field)
	if err != nil {
		return nil, "Malformed attestations: " + err.Error()
	}
	if len(objs) == 0 {
		return nil, "Malformed attestations: an empty attestation set is not permitted"
	}
	if len(objs) > pypiAttestationTypes {
		return nil, fmt.Sprintf("A maximum of %d attestations per file are supported", pypiAttestationTypes)
	}
	p.store.mu.Lock()
	trust := p.store.attestRoot
	p.store.mu.Unlock()
	check := pep740Check{issuer: p.rules.issuer, publisher: *tok.publisher, trust: trust, filename: filename, sha256: sha256}
	seen := map[string]bool{}
	out := make([][]byte, 0, len(objs))
	for _, obj := range objs {
		predicateType, fail := check.verify(obj)
		if fail != nil {
			if fail.unknown {
				return nil, "Unknown error while trying to verify included attestations: " + fail.msg
			}
			return nil, "Could not verify the uploaded artifact using the included attestation: Verification failed: " + fail.msg
		}
		if seen[predicateType] {
			return nil, "Multiple attestations for the same file with the same predicate type (" + predicateType + ") are not supported"
		}
		seen[predicateType] = true
		out = append(out, obj.raw)
	}
	return out, ""
}
