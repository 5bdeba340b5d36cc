package testenv

import (
	"crypto"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/sigstore/sigstore/pkg/cryptoutils"
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
