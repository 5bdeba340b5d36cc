package github

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// bundleMediaTypes are the Sigstore bundle media types: v0.3's own spelling and the
// older "+json;version=" ones readers must still accept (protobuf-specs,
// sigstore_bundle.proto).
var bundleMediaTypes = map[string]bool{
	"application/vnd.dev.sigstore.bundle.v0.3+json":        true,
	"application/vnd.dev.sigstore.bundle+json;version=0.1": true,
	"application/vnd.dev.sigstore.bundle+json;version=0.2": true,
	"application/vnd.dev.sigstore.bundle+json;version=0.3": true,
}

// inTotoPayloadType is the DSSE payload type of an in-toto statement; `gh attestation
// verify` keeps only envelopes of exactly this type.
const inTotoPayloadType = "application/vnd.in-toto+json"

// wireBundle is the part of a Sigstore bundle releaser reads: enough to know which
// subjects GitHub will file it under and to recognise the same bundle again.
type wireBundle struct {
	MediaType    string `json:"mediaType"`
	DSSEEnvelope *struct {
		Payload     string `json:"payload"`
		PayloadType string `json:"payloadType"`
		Signatures  []struct {
			Sig string `json:"sig"`
		} `json:"signatures"`
	} `json:"dsseEnvelope"`
}

// attestedBundle is a bundle that passed readBundle.
type attestedBundle struct {
	payload []byte   // the DSSE payload, decoded
	sig     []byte   // the first DSSE signature, decoded
	digests []string // "alg:hex" of every subject, sha256 first
	name    string   // the first subject's name, for messages
}

// readBundle checks what GitHub's attestations API needs of a bundle before it is sent:
// a JSON object with a Sigstore bundle media type holding a DSSE envelope over an
// in-toto statement with at least one subject digest (GitHub files attestations by
// subject digest, so a bundle without one could never be found again).
func readBundle(b []byte) (*attestedBundle, error) {
	var w wireBundle
	if err := json.Unmarshal(b, &w); err != nil {
		return nil, fmt.Errorf("the bundle is not a JSON object: %w", err)
	}
	if !bundleMediaTypes[w.MediaType] {
		return nil, fmt.Errorf("the bundle's mediaType %q is not a Sigstore bundle media type (want application/vnd.dev.sigstore.bundle.v0.3+json)", clip(w.MediaType))
	}
	env := w.DSSEEnvelope
	if env == nil {
		return nil, errors.New("the bundle has no dsseEnvelope: GitHub stores in-toto attestations, which are signed as DSSE envelopes")
	}
	if env.PayloadType != inTotoPayloadType {
		return nil, fmt.Errorf("the bundle's payloadType is %q, not %s", clip(env.PayloadType), inTotoPayloadType)
	}
	if len(env.Signatures) != 1 {
		return nil, fmt.Errorf("the bundle's DSSE envelope has %d signatures; a Sigstore bundle holds exactly one", len(env.Signatures))
	}
	payload, err := decodeB64(env.Payload)
	if err != nil {
		return nil, fmt.Errorf("the bundle's DSSE payload is not base64: %w", err)
	}
	sig, err := decodeB64(env.Signatures[0].Sig)
	if err != nil || len(sig) == 0 {
		return nil, errors.New("the bundle's DSSE signature is empty or not base64")
	}
	ab := &attestedBundle{payload: payload, sig: sig}
	if err := ab.readStatement(); err != nil {
		return nil, err
	}
	return ab, nil
}

// readStatement collects the statement's subject digests.
func (ab *attestedBundle) readStatement() error {
	var st struct {
		Type    string `json:"_type"`
		Subject []struct {
			Name   string            `json:"name"`
			Digest map[string]string `json:"digest"`
		} `json:"subject"`
	}
	if err := json.Unmarshal(ab.payload, &st); err != nil {
		return fmt.Errorf("the bundle's DSSE payload is not an in-toto statement: %w", err)
	}
	if !strings.HasPrefix(st.Type, "https://in-toto.io/Statement/") {
		return fmt.Errorf("the bundle's DSSE payload has _type %q, not an in-toto statement", clip(st.Type))
	}
	var sha256s, others []string
	for _, s := range st.Subject {
		if ab.name == "" {
			ab.name = s.Name
		}
		for alg, hexDigest := range s.Digest {
			d, err := subjectDigest(alg + ":" + hexDigest)
			if err != nil {
				continue // another algorithm GitHub does not look up by (gitCommit, sha1, ...)
			}
			if alg == "sha256" {
				sha256s = append(sha256s, d)
			} else {
				others = append(others, d)
			}
		}
	}
	ab.digests = append(sha256s, others...)
	if len(ab.digests) == 0 {
		return errors.New("the bundle's statement has no sha256 or sha512 subject digest: GitHub could never list it")
	}
	return nil
}

// same reports whether other is this bundle: the same signed payload and signature,
// however GitHub re-serialised the JSON around them.
func (ab *attestedBundle) same(other []byte) bool {
	o, err := readBundle(other)
	return err == nil && bytes.Equal(o.payload, ab.payload) && bytes.Equal(o.sig, ab.sig)
}

// subjectDigest normalises "sha256:<hex>" (or sha512) to lower case and checks it.
func subjectDigest(s string) (string, error) {
	alg, h, _ := strings.Cut(strings.TrimSpace(s), ":")
	alg, h = strings.ToLower(alg), strings.ToLower(h)
	size := map[string]int{"sha256": 32, "sha512": 64}[alg]
	if size == 0 {
		return "", fmt.Errorf("%q is not a subject digest (want sha256:<64 hex digits> or sha512:<128 hex digits>)", clip(s))
	}
	if b, err := hex.DecodeString(h); err != nil || len(b) != size {
		return "", fmt.Errorf("%q is not a subject digest: %s needs %d hex digits", clip(s), alg, 2*size)
	}
	return alg + ":" + h, nil
}

// decodeB64 accepts standard or URL-safe base64, padded or not, as DSSE requires of
// verifiers.
func decodeB64(s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, errors.New("not base64")
}

// clip keeps a quoted value from a bundle short in an error.
func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}
