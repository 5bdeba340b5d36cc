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
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"
)

// Fulcio's client-facing messages (fulcio pkg/server/error.go). The reason behind one is
// logged by Fulcio and never sent, so clients see only these texts.
const (
	fulcioInvalidIdentityToken = "There was an error processing the identity token"
	fulcioInvalidSignature     = "The signature supplied in the request could not be verified"
	fulcioInvalidPublicKey     = "The public key supplied in the request could not be parsed"
	fulcioInvalidCSR           = "The certificate signing request could not be parsed"
	fulcioInsecurePublicKey    = "The public key supplied in the request is insecure"
	fulcioGenericCAError       = "error communicating with CA backend"
)

// gRPC status codes Fulcio answers with, and the HTTP statuses grpc-gateway maps them to.
const (
	grpcInvalidArgument = 3
	grpcInternal        = 13
)

var grpcHTTPStatus = map[int]int{
	grpcInvalidArgument: http.StatusBadRequest,
	grpcInternal:        http.StatusInternalServerError,
}

// fulcioAudience is the audience Fulcio's OIDC verifier requires (its client ID).
const fulcioAudience = "sigstore"

// fulcioCertRequest is CreateSigningCertificateRequest in protobuf's JSON mapping. Bytes
// fields arrive as base64 strings. grpc-gateway would also accept the proto field names
// (snake_case); every known client sends camelCase, so only that is read here.
type fulcioCertRequest struct {
	Credentials *struct {
		OIDCIdentityToken string `json:"oidcIdentityToken"`
	} `json:"credentials"`
	PublicKeyRequest *struct {
		PublicKey *struct {
			Algorithm string `json:"algorithm"`
			Content   string `json:"content"`
		} `json:"publicKey"`
		ProofOfPossession string `json:"proofOfPossession"`
	} `json:"publicKeyRequest"`
	CertificateSigningRequest string `json:"certificateSigningRequest"`
}

// fulcioChain is the SigningCertificate answer: leaf, intermediate, root as PEM.
type fulcioChain struct {
	SignedCertificateEmbeddedSct struct {
		Chain struct {
			Certificates []string `json:"certificates"`
		} `json:"chain"`
	} `json:"signedCertificateEmbeddedSct"`
}

// serveSigningCert is Fulcio's POST /api/v2/signingCert: authenticate the ID token, check
// possession of the key, issue a GitHub Actions certificate with an embedded SCT, answer
// 200 with the chain (reference §2.3).
func (s *Sigstore) serveSigningCert(w http.ResponseWriter, r *http.Request) {
	var req fulcioCertRequest
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err == nil {
		err = json.Unmarshal(body, &req)
	}
	if err != nil {
		// grpc-gateway's text for an undecodable body starts with the decoder's error.
		writeFulcioError(w, grpcInvalidArgument, "proto: syntax error: "+err.Error())
		return
	}
	// The body's credentials win over the header, which the gateway copies verbatim after
	// removing one "Bearer " (fulcio cmd/app/http.go).
	token := strings.Replace(r.Header.Get("Authorization"), "Bearer ", "", 1)
	if req.Credentials != nil && req.Credentials.OIDCIdentityToken != "" {
		token = req.Credentials.OIDCIdentityToken
	}
	iss, claims, err := s.fulcioAuthenticate(token)
	if err != nil {
		s.refuse("fulcio", err)
		writeFulcioError(w, grpcInvalidArgument, fulcioInvalidIdentityToken)
		return
	}
	pub, ref := fulcioPublicKey(&req, claims["sub"])
	if ref != nil {
		s.refuse("fulcio", ref)
		writeFulcioError(w, grpcInvalidArgument, ref.message)
		return
	}
	cert, err := s.issueGitHubCert(pub, iss, claims)
	if err != nil {
		s.refuse("fulcio", err)
		writeFulcioError(w, grpcInternal, fulcioGenericCAError)
		return
	}
	var resp fulcioChain
	for _, c := range []*x509.Certificate{cert, s.pki.caIntermediate, s.pki.caRoot} {
		pemBytes, err := cryptoutils.MarshalCertificateToPEM(c)
		if err != nil {
			writeFulcioError(w, grpcInternal, "Error marshaling code signing certificate")
			return
		}
		resp.SignedCertificateEmbeddedSct.Chain.Certificates = append(resp.SignedCertificateEmbeddedSct.Chain.Certificates, string(pemBytes))
	}
	writeJSON(w, http.StatusOK, resp)
}

// fulcioAuthenticate checks the ID token as Fulcio's go-oidc verifier and GitHub provider
// do: signature against the issuer's JWKS, issuer, audience "sigstore" (a string or an
// array containing it), expiry, nbf, then every claim the GitHub provider needs, as
// strings. It returns the issuer and the string claims.
func (s *Sigstore) fulcioAuthenticate(raw string) (string, map[string]string, error) {
	p, err := parseJWT(raw)
	if err != nil {
		return "", nil, err
	}
	pub, err := p.key(s.is)
	if err != nil {
		return "", nil, err
	}
	if err := p.verifyRS256(pub); err != nil {
		return "", nil, err
	}
	iss, _ := p.str("iss")
	if iss != s.is.URL() {
		return "", nil, errWrongIssuer
	}
	if !audienceContains(p.claims["aud"], fulcioAudience) {
		return "", nil, errWrongAud
	}
	// go-oidc checks exp without leeway; nbf is checked the same way here (go-oidc allows
	// some clock skew on nbf; GitHub back-dates nbf by minutes, so it never matters).
	if err := p.checkTimes(s.clock.Now(), 0, false); err != nil {
		return "", nil, err
	}
	claims := map[string]string{}
	for _, name := range append([]string{"sub"}, fulcioRequiredClaims...) {
		v, ok := p.str(name)
		if !ok {
			return "", nil, fmt.Errorf("%w: %s", errMissingClaim, name)
		}
		claims[name] = v
	}
	if v, ok := p.str("repository_visibility"); ok {
		claims["repository_visibility"] = v
	}
	return iss, claims, nil
}

func audienceContains(aud any, want string) bool {
	switch a := aud.(type) {
	case string:
		return a == want
	case []any:
		for _, v := range a {
			if v == want {
				return true
			}
		}
	}
	return false
}

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

// issueGitHubCert issues the certificate Fulcio's GitHub Actions provider would, valid from
// the emulator's now, and records it.
func (s *Sigstore) issueGitHubCert(pub crypto.PublicKey, iss string, claims map[string]string) (*x509.Certificate, error) {
	exts, err := githubExtensions(iss, claims)
	if err != nil {
		return nil, err
	}
	san, err := url.Parse(githubURL + claims["job_workflow_ref"])
	if err != nil {
		return nil, fmt.Errorf("SAN from job_workflow_ref: %w", err)
	}
	cert, err := s.pki.issueLeaf(pub, san, exts, s.clock.Now())
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.certs = append(s.certs, cert)
	s.mu.Unlock()
	return cert, nil
}

// writeFulcioError answers the way grpc-gateway renders a gRPC status: the mapped HTTP
// status and {"code","message","details"}.
func writeFulcioError(w http.ResponseWriter, code int, message string) {
	writeJSON(w, grpcHTTPStatus[code], struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Details []any  `json:"details"`
	}{code, message, []any{}})
}

// serveTrustBundle is Fulcio's GET /api/v2/trustBundle: the CA chain without a leaf.
func (s *Sigstore) serveTrustBundle(w http.ResponseWriter, _ *http.Request) {
	var chain []string
	for _, c := range []*x509.Certificate{s.pki.caIntermediate, s.pki.caRoot} {
		pemBytes, err := cryptoutils.MarshalCertificateToPEM(c)
		if err != nil {
			writeFulcioError(w, grpcInternal, "error marshaling certificate chain")
			return
		}
		chain = append(chain, string(pemBytes))
	}
	type certChain struct {
		Certificates []string `json:"certificates"`
	}
	writeJSON(w, http.StatusOK, struct {
		Chains []certChain `json:"chains"`
	}{[]certChain{{chain}}})
}
