package testenv

import (
	"crypto"
	"crypto/x509"

	"github.com/sigstore/sigstore-go/pkg/root"
)

// trustedRoot builds the trusted root that verifies everything this emulator issues:
// the Fulcio CA chain, the Rekor log key, the CT log key of the embedded SCTs and the TSA
// chain (leaf included, since the TSA does not embed it in its responses), each valid
// from the PKI's start with no end. validFor.start must be set on the logs: sigstore-go
// refuses a tlog without it (reference §2.3).
//
// The Rekor baseUrl is the emulator's URL; the checkpoint is signed under its host name,
// which is what sigstore-js matches a checkpoint signature against. The CT log is never
// contacted (Fulcio logs in-process), so its baseUrl is a path no route serves.
func (p *sigstorePKI) trustedRoot(baseURL string) (*root.TrustedRoot, error) {
	rekorID, err := keyID(&p.rekorKey.PublicKey)
	if err != nil {
		return nil, err
	}
	ctID, err := keyID(&p.ctKey.PublicKey)
	if err != nil {
		return nil, err
	}
	tlog := func(url string, id []byte, pub crypto.PublicKey) *root.TransparencyLog {
		return &root.TransparencyLog{
			BaseURL:             url,
			ID:                  id,
			ValidityPeriodStart: p.notBefore,
			HashFunc:            crypto.SHA256,
			PublicKey:           pub,
			SignatureHashFunc:   crypto.SHA256,
		}
	}
	return root.NewTrustedRoot(root.TrustedRootMediaType01,
		[]root.CertificateAuthority{&root.FulcioCertificateAuthority{
			Root:                p.caRoot,
			Intermediates:       []*x509.Certificate{p.caIntermediate},
			ValidityPeriodStart: p.notBefore,
			URI:                 baseURL,
		}},
		map[string]*root.TransparencyLog{
			hexID(ctID): tlog(baseURL+"/ctlog", ctID[:], &p.ctKey.PublicKey),
		},
		[]root.TimestampingAuthority{&root.SigstoreTimestampingAuthority{
			Root:                p.tsaRoot,
			Intermediates:       []*x509.Certificate{p.tsaIntermediate},
			Leaf:                p.tsaLeaf,
			ValidityPeriodStart: p.notBefore,
			URI:                 baseURL + tsaPath,
		}},
		map[string]*root.TransparencyLog{
			hexID(rekorID): tlog(baseURL, rekorID[:], &p.rekorKey.PublicKey),
		},
	)
}
