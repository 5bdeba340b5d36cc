package testenv

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math/big"
	"time"

	"github.com/sigstore/sigstore/pkg/cryptoutils"
)

// sigstorePKI is every key and CA certificate one Sigstore emulator uses. It is made once
// in NewSigstore and never changes, so handlers read it without locking.
type sigstorePKI struct {
	// notBefore starts the validity of every CA, the TSA leaf and every trusted-root entry.
	notBefore time.Time

	// Fulcio: root -> intermediate -> leaves issued per request.
	caRoot, caIntermediate *x509.Certificate
	caKey                  *ecdsa.PrivateKey // the intermediate's key

	// TSA: root -> intermediate -> the one timestamping leaf.
	tsaRoot, tsaIntermediate, tsaLeaf *x509.Certificate
	tsaKey                            *ecdsa.PrivateKey // the leaf's key

	rekorKey *ecdsa.PrivateKey // signs SETs and checkpoints
	ctKey    *ecdsa.PrivateKey // signs the SCTs embedded in Fulcio certificates
}

// caLifetime is how long the emulated CAs and the TSA leaf stay valid: long enough that a
// test moving the clock forward by days never leaves their validity.
const caLifetime = 10 * 365 * 24 * time.Hour

// caBackdate is how far before the emulator's start the CAs (and the trusted root's
// validFor.start) begin, so a clock set a little into the past still signs validly.
const caBackdate = 24 * time.Hour

// Names follow the public-good instance (O=sigstore.dev, CN=sigstore / sigstore-intermediate),
// because verifiers such as gh choose their policy by the leaf issuer's organization.
var (
	fulcioRootName         = pkix.Name{Organization: []string{"sigstore.dev"}, CommonName: "sigstore"}
	fulcioIntermediateName = pkix.Name{Organization: []string{"sigstore.dev"}, CommonName: "sigstore-intermediate"}
	tsaRootName            = pkix.Name{Organization: []string{"sigstore.dev"}, CommonName: "sigstore-tsa-selfsigned"}
	tsaIntermediateName    = pkix.Name{Organization: []string{"sigstore.dev"}, CommonName: "sigstore-tsa-intermediate"}
	tsaLeafName            = pkix.Name{Organization: []string{"sigstore.dev"}, CommonName: "sigstore-tsa"}
)

// oidExtKeyUsage is id-ce-extKeyUsage; the TSA leaf carries it by hand to mark it critical,
// as RFC 3161 §2.3 requires and the timestamp verifiers check.
var oidExtKeyUsage = asn1.ObjectIdentifier{2, 5, 29, 37}

// oidTimeStamping is id-kp-timeStamping.
var oidTimeStamping = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 8}

func newSigstorePKI(now time.Time) (*sigstorePKI, error) {
	p := &sigstorePKI{notBefore: now.Add(-caBackdate).Truncate(time.Second)}
	notAfter := now.Add(caLifetime)
	var err error
	keys := []**ecdsa.PrivateKey{&p.rekorKey, &p.ctKey}
	for _, k := range keys {
		if *k, err = newP256(); err != nil {
			return nil, err
		}
	}

	rootKey, err := newP256()
	if err != nil {
		return nil, err
	}
	if p.caRoot, err = createCA(fulcioRootName, nil, rootKey, rootKey, p.notBefore, notAfter, nil); err != nil {
		return nil, fmt.Errorf("fulcio root: %w", err)
	}
	if p.caKey, err = newP256(); err != nil {
		return nil, err
	}
	codeSigning := []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning}
	if p.caIntermediate, err = createCA(fulcioIntermediateName, p.caRoot, rootKey, p.caKey, p.notBefore, notAfter, codeSigning); err != nil {
		return nil, fmt.Errorf("fulcio intermediate: %w", err)
	}

	tsaRootKey, err := newP256()
	if err != nil {
		return nil, err
	}
	if p.tsaRoot, err = createCA(tsaRootName, nil, tsaRootKey, tsaRootKey, p.notBefore, notAfter, nil); err != nil {
		return nil, fmt.Errorf("tsa root: %w", err)
	}
	tsaInterKey, err := newP256()
	if err != nil {
		return nil, err
	}
	timeStamping := []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping}
	if p.tsaIntermediate, err = createCA(tsaIntermediateName, p.tsaRoot, tsaRootKey, tsaInterKey, p.notBefore, notAfter, timeStamping); err != nil {
		return nil, fmt.Errorf("tsa intermediate: %w", err)
	}
	if p.tsaKey, err = newP256(); err != nil {
		return nil, err
	}
	if p.tsaLeaf, err = createTSALeaf(p.tsaIntermediate, tsaInterKey, p.tsaKey, p.notBefore, notAfter); err != nil {
		return nil, fmt.Errorf("tsa leaf: %w", err)
	}
	return p, nil
}

func newP256() (*ecdsa.PrivateKey, error) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate P-256 key: %w", err)
	}
	return k, nil
}

// createCA makes a CA certificate for key, self-signed when parent is nil.
func createCA(name pkix.Name, parent *x509.Certificate, parentKey, key *ecdsa.PrivateKey, notBefore, notAfter time.Time, eku []x509.ExtKeyUsage) (*x509.Certificate, error) {
	serial, err := randomSerial()
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               name,
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		ExtKeyUsage:           eku,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        parent != nil,
	}
	if parent == nil {
		parent = tmpl
	}
	return signCertificate(tmpl, parent, &key.PublicKey, parentKey)
}

// createTSALeaf makes the timestamping leaf: digitalSignature, and the EKU timeStamping
// marked critical.
func createTSALeaf(parent *x509.Certificate, parentKey, key *ecdsa.PrivateKey, notBefore, notAfter time.Time) (*x509.Certificate, error) {
	eku, err := asn1.Marshal([]asn1.ObjectIdentifier{oidTimeStamping})
	if err != nil {
		return nil, fmt.Errorf("encode EKU: %w", err)
	}
	serial, err := randomSerial()
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:    serial,
		Subject:         tsaLeafName,
		NotBefore:       notBefore,
		NotAfter:        notAfter,
		KeyUsage:        x509.KeyUsageDigitalSignature,
		ExtraExtensions: []pkix.Extension{{Id: oidExtKeyUsage, Critical: true, Value: eku}},
	}
	return signCertificate(tmpl, parent, &key.PublicKey, parentKey)
}

func signCertificate(tmpl, parent *x509.Certificate, pub any, parentKey *ecdsa.PrivateKey) (*x509.Certificate, error) {
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, parentKey)
	if err != nil {
		return nil, fmt.Errorf("create certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("parse created certificate: %w", err)
	}
	return cert, nil
}

// randomSerial is a positive 159-bit serial, the size Fulcio uses (RFC 5280 caps it at 20 bytes).
func randomSerial() (*big.Int, error) {
	s, err := cryptoutils.GenerateSerialNumber()
	if err != nil {
		return nil, fmt.Errorf("serial number: %w", err)
	}
	return s, nil
}
