package registry

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Attestations travel with the upload they describe (reference §3.4, §4.3):
// PyPI takes PEP 740 objects in the form field "attestations", npm one
// Sigstore bundle as the attachment "<name>-<version>.sigstore". Both are
// checked here before anything is sent, so a broken attestation is a local
// error rather than a registry's refusal of the whole upload.

// pypiMaxAttestations is warehouse's limit: one per supported predicate type.
const pypiMaxAttestations = 2

// pypiAttestations is the value of the "attestations" form field: a JSON
// array of the PEP 740 objects, compact. "" when there are none, and the
// field is then left out (warehouse refuses an empty array).
func pypiAttestations(atts [][]byte) (string, error) {
	if len(atts) == 0 {
		return "", nil
	}
	if len(atts) > pypiMaxAttestations {
		return "", fmt.Errorf("%d attestations; PyPI takes at most %d per file (one publish, one SLSA provenance)", len(atts), pypiMaxAttestations)
	}
	var buf bytes.Buffer
	buf.WriteByte('[')
	for i, a := range atts {
		if err := jsonObject(a); err != nil {
			return "", fmt.Errorf("attestation %d: %w", i+1, err)
		}
		if i > 0 {
			buf.WriteByte(',')
		}
		if err := json.Compact(&buf, a); err != nil {
			return "", fmt.Errorf("attestation %d: %w", i+1, err)
		}
	}
	buf.WriteByte(']')
	return buf.String(), nil
}

// npmProvenance is the publish document's provenance attachment, as
// libnpmpublish writes it: the bundle's media type, the bundle JSON as a
// string, and that string's length.
type npmProvenance struct {
	ContentType string `json:"content_type"`
	Data        string `json:"data"`
	Length      int    `json:"length"`
}

// npmProvenanceAttachment builds the attachment from the artifact's one
// bundle; nil when there is none.
func npmProvenanceAttachment(atts [][]byte) (*npmProvenance, error) {
	switch len(atts) {
	case 0:
		return nil, nil
	case 1:
	default:
		return nil, fmt.Errorf("%d provenance bundles; npm takes exactly one per version", len(atts))
	}
	if err := jsonObject(atts[0]); err != nil {
		return nil, fmt.Errorf("the provenance bundle: %w", err)
	}
	var head struct {
		MediaType string `json:"mediaType"`
	}
	if err := json.Unmarshal(atts[0], &head); err != nil || head.MediaType == "" {
		return nil, errors.New("the provenance bundle has no mediaType; it is not a Sigstore bundle")
	}
	// Compact, as JSON.stringify would have written it; the registry reads
	// the string back as JSON, so the length must be of these very bytes.
	var buf bytes.Buffer
	if err := json.Compact(&buf, atts[0]); err != nil {
		return nil, fmt.Errorf("the provenance bundle: %w", err)
	}
	return &npmProvenance{ContentType: head.MediaType, Data: buf.String(), Length: buf.Len()}, nil
}

// jsonObject accepts one JSON object and nothing after it.
func jsonObject(b []byte) error {
	trimmed := bytes.TrimSpace(b)
	if len(trimmed) == 0 || trimmed[0] != '{' || !json.Valid(trimmed) {
		return errors.New("not a JSON object")
	}
	return nil
}

// attestationError is an attestation the uploader cannot send.
func (u *uploadCore) attestationError(a Artifact, err error) *UploadError {
	return &UploadError{
		Registry: u.name,
		Artifact: a.Name,
		Message:  "the artifact's attestation cannot be sent: " + sanitizeMessage(err.Error()),
		Fix:      "the attest stage made an attestation " + u.name + " cannot take; this is a bug in releaser, please report it",
	}
}

// attestationRefusalFix explains a registry refusing the attestation rather than the
// file ("" when the refusal is about something else): the file itself may be fine, and
// rebuilding will not help.
func attestationRefusalFix(kind, msg string) string {
	switch {
	case (kind == KindPyPI || kind == KindTestPyPI) && strings.Contains(msg, "Invalid attestations supplied during upload"):
		return "PyPI refused the attestation, not the file: its certificate must come from the workflow registered as the trusted publisher " +
			"(the top-level workflow, not a reusable one) in that repository, and its statement must name this file and its sha256"
	case kind == KindNpm && strings.Contains(msg, "provenance"):
		return "npm refused the provenance bundle, not the tarball: it must be signed on a GitHub-hosted runner through the public Sigstore " +
			"and name this package version and its sha512"
	}
	return ""
}
