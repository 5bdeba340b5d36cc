package testenv

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sigstore/sigstore-go/pkg/fulcio/certificate"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
)

// fulcioTokenError is Fulcio's answer to any identity token it does not accept.
const fulcioTokenError = `{"code":3,"message":"There was an error processing the identity token","details":[]}`

// TestFulcioRefusesTokens: every token Fulcio's verifier would reject is refused with
// Fulcio's one client message, through sigstore-go's client; the token is never echoed.
func TestFulcioRefusesTokens(t *testing.T) {
	tests := []struct {
		name   string
		mint   func(is *OIDCIssuer) string
		reason string // in Refusals
	}{
		{"wrong audience", func(is *OIDCIssuer) string { return is.MintTampered("sigstore", WrongAudience) }, "aud"},
		{"registry audience", func(is *OIDCIssuer) string { return is.Mint("pypi", nil) }, "aud"},
		{"expired", func(is *OIDCIssuer) string { return is.MintTampered("sigstore", Expired) }, "expired"},
		{"not yet valid", func(is *OIDCIssuer) string { return is.MintTampered("sigstore", NotYetValid) }, "not valid yet"},
		{"bad signature", func(is *OIDCIssuer) string { return is.MintTampered("sigstore", BadSignature) }, "signature"},
		{"unknown kid", func(is *OIDCIssuer) string { return is.MintTampered("sigstore", UnknownKID) }, "kid"},
		{"alg none", func(is *OIDCIssuer) string { return is.MintTampered("sigstore", AlgNone) }, "alg"},
		{"HS256", func(is *OIDCIssuer) string { return is.MintTampered("sigstore", AlgHS256) }, "alg"},
		{"other issuer", func(*OIDCIssuer) string { return newIssuer(t).Mint("sigstore", nil) }, "iss"},
		{"no job_workflow_ref", func(is *OIDCIssuer) string {
			return is.Mint("sigstore", map[string]any{"job_workflow_ref": nil})
		}, "job_workflow_ref"},
		{"numeric run_id", func(is *OIDCIssuer) string { return is.Mint("sigstore", map[string]any{"run_id": 42}) }, "run_id"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			is, ss := newSigstoreEnv(t)
			token := tc.mint(is)
			_, err := signDSSE(ss, token, signing{rekor: true})
			if err == nil {
				t.Fatal("signed with a refused token")
			}
			if want := "Fulcio returned 400: " + fulcioTokenError; !strings.Contains(err.Error(), want) {
				t.Errorf("error %q, want it to contain %q", redact([]byte(err.Error())), want)
			}
			AssertNoSecrets(t, "client error", []byte(err.Error()), is)
			refusals := strings.Join(ss.Refusals(), "\n")
			if !strings.Contains(refusals, tc.reason) {
				t.Errorf("refusals %q do not mention %q", refusals, tc.reason)
			}
			AssertNoSecrets(t, "refusals", []byte(refusals), is)
			if n := len(ss.Certificates()); n != 0 || ss.Entries() != 0 {
				t.Errorf("%d certificates, %d entries after a refusal", n, ss.Entries())
			}
		})
	}
}

// fulcioKey is a P-256 key and its signingCert request, proof of possession over sub.
type fulcioKey struct {
	priv *ecdsa.PrivateKey
	req  map[string]any
}

func newFulcioKey(t *testing.T, sub string) fulcioKey {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pubPEM, err := cryptoutils.MarshalPublicKeyToPEM(&priv.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(sub))
	proof, err := ecdsa.SignASN1(rand.Reader, priv, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return fulcioKey{priv: priv, req: map[string]any{"publicKeyRequest": map[string]any{
		"publicKey":         map[string]any{"algorithm": "ECDSA", "content": string(pubPEM)},
		"proofOfPossession": base64.StdEncoding.EncodeToString(proof),
	}}}
}

// defaultSub is the sub of a token with DefaultClaims.
const defaultSub = "repo:" + DefaultOwner + "/" + DefaultRepo + ":environment:" + DefaultEnvironment

// TestFulcioSigningCertRequests drives the endpoint by hand: where the token may come
// from, and how the key and its proof of possession are checked.
func TestFulcioSigningCertRequests(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	weakPEM, err := cryptoutils.MarshalPublicKeyToPEM(&rsaKey.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		// edit changes the request body; header is the Authorization value ("" none).
		edit   func(t *testing.T, is *OIDCIssuer, body map[string]any) (header string)
		status int
		want   string // the error body; "" for a 200
	}{
		{"bearer header", func(_ *testing.T, is *OIDCIssuer, _ map[string]any) string {
			return "Bearer " + is.Mint("sigstore", nil)
		}, 200, ""},
		{"token in the body", func(_ *testing.T, is *OIDCIssuer, body map[string]any) string {
			body["credentials"] = map[string]any{"oidcIdentityToken": is.Mint("sigstore", nil)}
			return ""
		}, 200, ""},
		{"body wins over header", func(_ *testing.T, is *OIDCIssuer, body map[string]any) string {
			body["credentials"] = map[string]any{"oidcIdentityToken": is.Mint("sigstore", nil)}
			return "Bearer " + is.MintTampered("sigstore", WrongAudience)
		}, 200, ""},
		{"audience array", func(_ *testing.T, is *OIDCIssuer, _ map[string]any) string {
			return "Bearer " + is.Mint("sigstore", map[string]any{"aud": []any{"other", "sigstore"}})
		}, 200, ""},
		{"no token", func(*testing.T, *OIDCIssuer, map[string]any) string { return "" },
			400, fulcioTokenError},
		{"proof over another subject", func(t *testing.T, is *OIDCIssuer, body map[string]any) string {
			body["publicKeyRequest"] = newFulcioKey(t, "repo:octo-org/other:ref:refs/heads/main").req["publicKeyRequest"]
			return "Bearer " + is.Mint("sigstore", nil)
		}, 400, `{"code":3,"message":"The signature supplied in the request could not be verified","details":[]}`},
		{"unparsable key", func(_ *testing.T, is *OIDCIssuer, body map[string]any) string {
			body["publicKeyRequest"].(map[string]any)["publicKey"] = map[string]any{"algorithm": "ECDSA", "content": "not a key"}
			return "Bearer " + is.Mint("sigstore", nil)
		}, 400, `{"code":3,"message":"The public key supplied in the request could not be parsed","details":[]}`},
		{"weak key", func(_ *testing.T, is *OIDCIssuer, body map[string]any) string {
			body["publicKeyRequest"].(map[string]any)["publicKey"] = map[string]any{"algorithm": "RSA", "content": string(weakPEM)}
			return "Bearer " + is.Mint("sigstore", nil)
		}, 400, `{"code":3,"message":"The public key supplied in the request is insecure","details":[]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			is, ss := newSigstoreEnv(t)
			body := newFulcioKey(t, defaultSub).req
			auth := tc.edit(t, is, body)
			r := postJSON(t, ss.FulcioURL()+"/api/v2/signingCert", body, map[string]string{"Authorization": auth})
			if tc.want != "" {
				r.wantJSON(t, tc.status, tc.want)
				return
			}
			if r.status != http.StatusOK {
				t.Fatalf("status %d, body %s (refusals %q)", r.status, r.text(), ss.Refusals())
			}
			chain := decodeFulcioChain(t, r.body)
			if len(chain) != 3 {
				t.Fatalf("%d certificates in the chain, want leaf, intermediate, root", len(chain))
			}
		})
	}
}

// TestFulcioCSR: a PEM certificate signing request is its own proof of possession.
func TestFulcioCSR(t *testing.T) {
	is, ss := newSigstoreEnv(t)
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{}, priv)
	if err != nil {
		t.Fatal(err)
	}
	csrPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
	r := postJSON(t, ss.FulcioURL()+"/api/v2/signingCert",
		map[string]any{"certificateSigningRequest": base64.StdEncoding.EncodeToString(csrPEM)},
		map[string]string{"Authorization": "Bearer " + is.Mint("sigstore", nil)})
	if r.status != http.StatusOK {
		t.Fatalf("status %d, body %s", r.status, r.text())
	}
	leaf := decodeFulcioChain(t, r.body)[0]
	if !leaf.PublicKey.(*ecdsa.PublicKey).Equal(&priv.PublicKey) {
		t.Error("the certificate is not for the CSR's key")
	}
}

func decodeFulcioChain(t *testing.T, body []byte) []*x509.Certificate {
	t.Helper()
	var resp struct {
		SignedCertificateEmbeddedSct struct {
			Chain struct{ Certificates []string } `json:"chain"`
		} `json:"signedCertificateEmbeddedSct"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		t.Fatalf("answer %s: %v", body, err)
	}
	var certs []*x509.Certificate
	for _, p := range resp.SignedCertificateEmbeddedSct.Chain.Certificates {
		cs, err := cryptoutils.UnmarshalCertificatesFromPEM([]byte(p))
		if err != nil || len(cs) != 1 {
			t.Fatalf("certificate %q: %v", p, err)
		}
		certs = append(certs, cs[0])
	}
	return certs
}

// TestFulcioCertificate checks the certificate against reference §2.3: 10 minutes from
// now, digitalSignature + codeSigning, a critical URI SAN for the signer workflow, the
// Fulcio extensions (raw .1–.6, DER .8–.22, parsed here by sigstore-go), an embedded
// SCT, and a chain to the root.
func TestFulcioCertificate(t *testing.T) {
	is, ss := newSigstoreEnv(t)
	k := newFulcioKey(t, defaultSub)
	r := postJSON(t, ss.FulcioURL()+"/api/v2/signingCert", k.req, map[string]string{"Authorization": "Bearer " + is.Mint("sigstore", nil)})
	if r.status != http.StatusOK {
		t.Fatalf("status %d, body %s", r.status, r.text())
	}
	chain := decodeFulcioChain(t, r.body)
	leaf := chain[0]

	if !leaf.NotBefore.Equal(frozen) || !leaf.NotAfter.Equal(frozen.Add(10*time.Minute)) {
		t.Errorf("validity %s – %s, want 10 minutes from %s", leaf.NotBefore, leaf.NotAfter, frozen)
	}
	if leaf.KeyUsage != x509.KeyUsageDigitalSignature || len(leaf.ExtKeyUsage) != 1 || leaf.ExtKeyUsage[0] != x509.ExtKeyUsageCodeSigning {
		t.Errorf("key usage %v, EKU %v", leaf.KeyUsage, leaf.ExtKeyUsage)
	}
	if leaf.IsCA || len(leaf.Subject.Names) != 0 {
		t.Errorf("IsCA %v, subject %q", leaf.IsCA, leaf.Subject)
	}
	wantSAN := "https://github.com/" + DefaultClaims()["job_workflow_ref"].(string)
	if len(leaf.URIs) != 1 || leaf.URIs[0].String() != wantSAN || len(leaf.EmailAddresses)+len(leaf.DNSNames) != 0 {
		t.Errorf("SAN %v, want only URI %s", leaf.URIs, wantSAN)
	}
	if !extension(leaf, asn1.ObjectIdentifier{2, 5, 29, 17}).Critical {
		t.Error("SAN not critical")
	}
	if !leaf.PublicKey.(*ecdsa.PublicKey).Equal(&k.priv.PublicKey) {
		t.Error("certificate is for another key")
	}
	if sct := extension(leaf, oidSCTList); len(sct.Value) == 0 || extension(leaf, oidCTPoison).Id != nil {
		t.Error("no embedded SCT, or the CT poison left in")
	}
	if got := string(extension(leaf, fulcioOID(1)).Value); got != is.URL() {
		t.Errorf("deprecated issuer .1 is %q raw, want %q", got, is.URL())
	}
	ext, err := certificate.ParseExtensions(leaf.Extensions)
	if err != nil {
		t.Fatalf("parse Fulcio extensions: %v", err)
	}
	if ext != wantExtensions(is) {
		t.Errorf("extensions\n got %+v\nwant %+v", ext, wantExtensions(is))
	}

	roots, inters := x509.NewCertPool(), x509.NewCertPool()
	roots.AddCert(chain[2])
	inters.AddCert(chain[1])
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inters, CurrentTime: frozen.Add(time.Minute),
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning}}); err != nil {
		t.Errorf("chain: %v", err)
	}
	if chain[1].Subject.CommonName != "sigstore-intermediate" || chain[1].Subject.Organization[0] != "sigstore.dev" {
		t.Errorf("intermediate %q, want public good's names", chain[1].Subject)
	}
}

// TestFulcioVisibilityOptional: Fulcio does not require repository_visibility; without
// it the .22 extension is simply absent.
func TestFulcioVisibilityOptional(t *testing.T) {
	is, ss := newSigstoreEnv(t)
	is.Delete("repository_visibility")
	mustSign(t, is, ss, signing{})
	certs := ss.Certificates()
	if len(certs) != 1 {
		t.Fatalf("%d certificates", len(certs))
	}
	if extension(certs[0], fulcioOID(22)).Id != nil {
		t.Error(".22 present without a repository_visibility claim")
	}
	if extension(certs[0], fulcioOID(21)).Id == nil {
		t.Error("other extensions missing")
	}
}

func extension(c *x509.Certificate, id asn1.ObjectIdentifier) pkix.Extension {
	for _, e := range c.Extensions {
		if e.Id.Equal(id) {
			return e
		}
	}
	return pkix.Extension{}
}
