package testenv

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"time"

	ct "github.com/google/certificate-transparency-go"
	cttls "github.com/google/certificate-transparency-go/tls"
	ctx509 "github.com/google/certificate-transparency-go/x509"
)

// embeddedSCT is the emulated CT log's answer to add-pre-chain for precertDER, signed
// at when, as the SCT-list extension that replaces the poison in the final certificate
// (RFC 6962 §3.2–3.3). There is no CT log server: Fulcio talks to its log in-process, and
// verifiers only need the SCT and the log's key in the trusted root.
func (p *sigstorePKI) embeddedSCT(precertDER []byte, when time.Time) (pkix.Extension, error) {
	precert, err := x509.ParseCertificate(precertDER)
	if err != nil {
		return pkix.Extension{}, fmt.Errorf("parse precertificate: %w", err)
	}
	tbs, err := ctx509.RemoveCTPoison(precert.RawTBSCertificate)
	if err != nil {
		return pkix.Extension{}, fmt.Errorf("remove CT poison: %w", err)
	}
	logID, err := keyID(&p.ctKey.PublicKey)
	if err != nil {
		return pkix.Extension{}, err
	}
	sct := ct.SignedCertificateTimestamp{
		SCTVersion: ct.V1,
		LogID:      ct.LogID{KeyID: logID},
		Timestamp:  uint64(when.UnixMilli()),
	}
	entry := ct.LogEntry{Leaf: ct.MerkleTreeLeaf{
		Version:  ct.V1,
		LeafType: ct.TimestampedEntryLeafType,
		TimestampedEntry: &ct.TimestampedEntry{
			Timestamp: sct.Timestamp,
			EntryType: ct.PrecertLogEntryType,
			PrecertEntry: &ct.PreCert{
				IssuerKeyHash:  sha256.Sum256(p.caIntermediate.RawSubjectPublicKeyInfo),
				TBSCertificate: tbs,
			},
		},
	}}
	input, err := ct.SerializeSCTSignatureInput(sct, entry)
	if err != nil {
		return pkix.Extension{}, fmt.Errorf("serialize SCT input: %w", err)
	}
	digest := sha256.Sum256(input)
	sig, err := ecdsa.SignASN1(rand.Reader, p.ctKey, digest[:])
	if err != nil {
		return pkix.Extension{}, fmt.Errorf("sign SCT: %w", err)
	}
	sct.Signature = ct.DigitallySigned{
		Algorithm: cttls.SignatureAndHashAlgorithm{Hash: cttls.SHA256, Signature: cttls.ECDSA},
		Signature: sig,
	}
	one, err := cttls.Marshal(sct)
	if err != nil {
		return pkix.Extension{}, fmt.Errorf("encode SCT: %w", err)
	}
	list, err := cttls.Marshal(ctx509.SignedCertificateTimestampList{SCTList: []ctx509.SerializedSCT{{Val: one}}})
	if err != nil {
		return pkix.Extension{}, fmt.Errorf("encode SCT list: %w", err)
	}
	// The extension value is the TLS-encoded list wrapped in an OCTET STRING.
	value, err := asn1.Marshal(list)
	if err != nil {
		return pkix.Extension{}, fmt.Errorf("encode SCT extension: %w", err)
	}
	return pkix.Extension{Id: oidSCTList, Value: value}, nil
}

// keyID is the SHA-256 of a public key's PKIX DER: the CT log ID, the Rekor log ID and the
// trusted root's logId.keyId all use it.
func keyID(pub *ecdsa.PublicKey) ([sha256.Size]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return [sha256.Size]byte{}, fmt.Errorf("encode public key: %w", err)
	}
	return sha256.Sum256(der), nil
}
