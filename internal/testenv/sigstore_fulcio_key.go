package testenv

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"
)

// fulcioRefusal is a refused request: message is what Fulcio tells the client, cause why.
type fulcioRefusal struct {
	message string
	cause   error
}

func (e *fulcioRefusal) Error() string { return e.message + ": " + e.cause.Error() }

func refusal(message string, cause error) *fulcioRefusal {
	return &fulcioRefusal{message: message, cause: cause}
}

// fulcioPublicKey extracts the key to certify and checks the proof of possession: a CSR's
// own signature, or a signature over the principal's name (the token's sub for GitHub,
// reference §2.3).
func fulcioPublicKey(req *fulcioCertRequest, subject string) (crypto.PublicKey, *fulcioRefusal) {
	if req.CertificateSigningRequest != "" {
		csrPEM, err := decodeProtoBytes(req.CertificateSigningRequest)
		if err != nil {
			return nil, refusal(fulcioInvalidCSR, err)
		}
		csr, err := cryptoutils.ParseCSR(csrPEM)
		if err != nil {
			return nil, refusal(fulcioInvalidCSR, err)
		}
		if err := validatePubKey(csr.PublicKey); err != nil {
			return nil, refusal(fulcioInsecurePublicKey, err)
		}
		if err := csr.CheckSignature(); err != nil {
			return nil, refusal(fulcioInvalidSignature, err)
		}
		return csr.PublicKey, nil
	}
	var content, proof string
	if pk := req.PublicKeyRequest; pk != nil {
		if pk.PublicKey != nil {
			content = pk.PublicKey.Content
		}
		proof = pk.ProofOfPossession
	}
	pub, err := parsePublicKey(content)
	if err != nil {
		return nil, refusal(fulcioInvalidPublicKey, err)
	}
	if err := validatePubKey(pub); err != nil {
		return nil, refusal(fulcioInsecurePublicKey, err)
	}
	sig, err := decodeProtoBytes(proof)
	if err != nil {
		return nil, refusal(fulcioInvalidSignature, fmt.Errorf("decode proof of possession: %w", err))
	}
	v, err := signature.LoadVerifier(pub, crypto.SHA256)
	if err != nil {
		return nil, refusal(fulcioInvalidSignature, err)
	}
	if err := v.VerifySignature(bytes.NewReader(sig), strings.NewReader(subject)); err != nil {
		return nil, refusal(fulcioInvalidSignature, fmt.Errorf("proof of possession over sub: %w", err))
	}
	return pub, nil
}

// validatePubKey refuses the keys Fulcio calls insecure: ECDSA off the NIST curves
// P-256/P-384/P-521, RSA outside 2048–4096 bits, and any other type but Ed25519.
func validatePubKey(pub crypto.PublicKey) error {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256(), elliptic.P384(), elliptic.P521():
			return nil
		}
		return fmt.Errorf("unsupported ECDSA curve %s", k.Curve.Params().Name)
	case *rsa.PublicKey:
		if n := k.N.BitLen(); n < 2048 || n > 4096 {
			return fmt.Errorf("RSA key of %d bits", n)
		}
		return nil
	case ed25519.PublicKey:
		return nil
	}
	return fmt.Errorf("unsupported key type %T", pub)
}

// parsePublicKey reads a PEM public key, or a DER one, as Fulcio's challenges package does.
func parsePublicKey(content string) (crypto.PublicKey, error) {
	if content == "" {
		return nil, errors.New("empty public key")
	}
	if pub, err := cryptoutils.UnmarshalPEMToPublicKey([]byte(content)); err == nil {
		return pub, nil
	}
	return x509.ParsePKIXPublicKey([]byte(content))
}

// decodeProtoBytes decodes a bytes field of protobuf's JSON mapping, which accepts standard
// and URL-safe base64, padded or not.
func decodeProtoBytes(s string) ([]byte, error) {
	enc := base64.StdEncoding
	if strings.ContainsAny(s, "-_") {
		enc = base64.URLEncoding
	}
	if len(s)%4 != 0 {
		enc = enc.WithPadding(base64.NoPadding)
	}
	return enc.DecodeString(s)
}
