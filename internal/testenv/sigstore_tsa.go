package testenv

import (
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"strings"
	"time"

	"github.com/digitorus/timestamp"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
)

// Texts of sigstore's timestamp-authority (pkg/api/error.go).
const (
	tsaFailed             = "Error generating timestamp response"
	tsaWeakHash           = "Weak hash algorithm in timestamp request"
	tsaInconsistentDigest = "Message digest has incorrect length for specified algorithm"
	tsaUnacceptedExt      = "unaccepted extension: requested extensions are not supported by the TSA"
	tsaUnacceptedPolicy   = "unaccepted policy: requested TSA policy is not supported by the TSA"
)

// tsaPolicy is the policy OID sigstore's TSA stamps by default (GitHub's too, reference §2.2).
var tsaPolicy = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 57264, 2}

// tsaRefusal is a refused timestamp request: status and message go to the client.
type tsaRefusal struct {
	status  int
	message string
	cause   error
}

func (e *tsaRefusal) Error() string { return e.message + ": " + e.cause.Error() }

// serveTimestamp is sigstore's timestamp-authority POST /api/v1/timestamp: a DER
// TimeStampReq (application/timestamp-query) or the JSON form (application/json), answered
// 200 with a DER TimeStampResp signed by the TSA leaf (reference §2.3). The server's
// 201 option (--use-http-201) is off by default and stays off here.
func (s *Sigstore) serveTimestamp(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		writeTSAError(w, http.StatusBadRequest, tsaFailed)
		return
	}
	ct := r.Header.Get("Content-Type")
	if strings.Count(ct, "application/") != 1 {
		s.refuse("tsa", fmt.Errorf("content type %q", ct))
		writeTSAError(w, http.StatusUnsupportedMediaType, tsaFailed)
		return
	}
	req, ref := parseTimestampRequest(body, strings.SplitN(ct, "application/", 2)[1])
	if ref != nil {
		s.refuse("tsa", ref)
		writeTSAError(w, ref.status, ref.message)
		return
	}
	resp, err := s.stamp(req)
	if err != nil {
		s.refuse("tsa", err)
		writeTSAError(w, http.StatusInternalServerError, tsaFailed)
		return
	}
	w.Header().Set("Content-Type", "application/timestamp-reply")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(resp)
}

// tsaJSONRequest is the timestamp-authority's JSON request form.
type tsaJSONRequest struct {
	ArtifactHash  string   `json:"artifactHash"`
	Certificates  bool     `json:"certificates"`
	HashAlgorithm string   `json:"hashAlgorithm"`
	Nonce         *big.Int `json:"nonce"`
	TSAPolicyOID  string   `json:"tsaPolicyOID"`
}

func parseTimestampRequest(body []byte, contentType string) (*timestamp.Request, *tsaRefusal) {
	bad := func(msg string, err error) *tsaRefusal {
		return &tsaRefusal{status: http.StatusBadRequest, message: msg, cause: err}
	}
	var req *timestamp.Request
	switch contentType {
	case "timestamp-query":
		parsed, err := timestamp.ParseRequest(body)
		if err != nil {
			return nil, bad(tsaFailed, err)
		}
		req = parsed
	case "json":
		var j tsaJSONRequest
		if err := json.Unmarshal(body, &j); err != nil {
			return nil, bad(tsaFailed, err)
		}
		alg, ok := map[string]crypto.Hash{"sha1": crypto.SHA1, "sha256": crypto.SHA256, "sha384": crypto.SHA384, "sha512": crypto.SHA512}[strings.ToLower(j.HashAlgorithm)]
		if !ok {
			return nil, bad(tsaFailed, fmt.Errorf("unsupported hash algorithm: %s", j.HashAlgorithm))
		}
		digest, err := base64.StdEncoding.DecodeString(j.ArtifactHash)
		if err != nil {
			return nil, bad(tsaFailed, err)
		}
		req = &timestamp.Request{HashAlgorithm: alg, HashedMessage: digest, Certificates: j.Certificates, Nonce: j.Nonce}
		if j.TSAPolicyOID != "" {
			return nil, bad(tsaUnacceptedPolicy, errors.New("the emulator accepts only its default policy"))
		}
	default:
		return nil, bad(tsaFailed, errors.New("unsupported content type"))
	}
	switch req.HashAlgorithm {
	case crypto.SHA1:
		return nil, bad(tsaWeakHash, errors.New("sha1"))
	case crypto.SHA256, crypto.SHA384, crypto.SHA512:
	default:
		return nil, bad(tsaFailed, fmt.Errorf("unsupported hash algorithm %v", req.HashAlgorithm))
	}
	if len(req.HashedMessage) != req.HashAlgorithm.Size() {
		return nil, bad(tsaInconsistentDigest, fmt.Errorf("%d bytes for %v", len(req.HashedMessage), req.HashAlgorithm))
	}
	if len(req.TSAPolicyOID) > 0 && !req.TSAPolicyOID.Equal(tsaPolicy) {
		return nil, bad(tsaUnacceptedPolicy, fmt.Errorf("policy %v", req.TSAPolicyOID))
	}
	if len(req.Extensions) > 0 {
		return nil, bad(tsaUnacceptedExt, errors.New("request has extensions"))
	}
	return req, nil
}

// stamp signs a TimeStampResp for req at the emulator's now, as the timestamp-authority
// does: SHA-256 over the TSTInfo, 1 s accuracy, the leaf embedded only on request.
func (s *Sigstore) stamp(req *timestamp.Request) ([]byte, error) {
	ts := timestamp.Timestamp{
		HashAlgorithm:     req.HashAlgorithm,
		HashedMessage:     req.HashedMessage,
		Time:              s.clock.Now().UTC(),
		Nonce:             req.Nonce,
		Policy:            tsaPolicy,
		Accuracy:          time.Second,
		AddTSACertificate: req.Certificates,
	}
	resp, err := ts.CreateResponseWithOpts(s.pki.tsaLeaf, s.pki.tsaKey, crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("create timestamp response: %w", err)
	}
	s.mu.Lock()
	s.stamps++
	s.mu.Unlock()
	return resp, nil
}

// serveTSACertChain is GET /api/v1/timestamp/certchain: leaf, intermediate, root as PEM.
func (s *Sigstore) serveTSACertChain(w http.ResponseWriter, _ *http.Request) {
	pemBytes, err := cryptoutils.MarshalCertificatesToPEM([]*x509.Certificate{s.pki.tsaLeaf, s.pki.tsaIntermediate, s.pki.tsaRoot})
	if err != nil {
		writeTSAError(w, http.StatusInternalServerError, tsaFailed)
		return
	}
	w.Header().Set("Content-Type", "application/pem-certificate-chain")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(pemBytes)
}

// writeTSAError answers with the timestamp-authority's error model {"code","message"}.
func writeTSAError(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	}{status, message})
}
