package testenv

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"fmt"
	"math/big"
	"strings"
	"sync"
	"time"
)

// signingKey is one RSA key of an issuer with the certificate and ids GitHub publishes
// for its keys (x5c, x5t, kid).
type signingKey struct {
	priv *rsa.PrivateKey
	kid  string
	der  []byte // self-signed certificate for the key, published as x5c
	x5t  string // base64url SHA-1 of der
}

// jwk is a JSON Web Key as served in the issuer's JWKS.
type jwk struct {
	Kty string   `json:"kty"`
	Alg string   `json:"alg"`
	Use string   `json:"use"`
	Kid string   `json:"kid"`
	N   string   `json:"n"`
	E   string   `json:"e"`
	X5c []string `json:"x5c"`
	X5t string   `json:"x5t"`
}

func (k *signingKey) jwk() jwk {
	return jwk{
		Kty: "RSA", Alg: "RS256", Use: "sig", Kid: k.kid,
		N:   b64(k.priv.N.Bytes()),
		E:   b64(big.NewInt(int64(k.priv.E)).Bytes()),
		X5c: []string{base64.StdEncoding.EncodeToString(k.der)},
		X5t: k.x5t,
	}
}

// newSigningKey wraps priv with a self-signed certificate. The kid is the upper-case hex
// SHA-1 thumbprint of the certificate, as GitHub's issuer used, so kid and x5t name the
// same certificate.
func newSigningKey(priv *rsa.PrivateKey) (*signingKey, error) {
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "releaser testenv OIDC issuer"},
		NotBefore:    time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		return nil, fmt.Errorf("self-sign certificate for signing key: %w", err)
	}
	sum := sha1.Sum(der)
	return &signingKey{
		priv: priv,
		kid:  strings.ToUpper(fmt.Sprintf("%x", sum[:])),
		der:  der,
		x5t:  b64(sum[:]),
	}, nil
}

func generateSigningKey() (*signingKey, error) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("generate RSA key: %w", err)
	}
	return newSigningKey(priv)
}

// keyPool hands out RSA keys generated once per test binary: a 2048-bit key costs
// 100-300 ms under -race, and every test that starts an issuer needs one.
type keyPool struct {
	mu   sync.Mutex
	keys []*signingKey
}

var (
	issuerKeys   keyPool // the i-th key of every issuer
	strangerKeys keyPool // keys no issuer publishes (BadSignature, UnknownKID)
)

func (p *keyPool) get(i int) (*signingKey, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for len(p.keys) <= i {
		k, err := generateSigningKey()
		if err != nil {
			return nil, err
		}
		p.keys = append(p.keys, k)
	}
	return p.keys[i], nil
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
