package attest

import (
	"encoding/json"
	"fmt"

	"google.golang.org/protobuf/encoding/protojson"
)

// pep740Attestation is the attestation object of PEP 740 as
// pypi-attestations models it (reference §6.1), in its key order.
type pep740Attestation struct {
	Version              int            `json:"version"`
	VerificationMaterial pep740Material `json:"verification_material"`
	Envelope             pep740Envelope `json:"envelope"`
}

type pep740Material struct {
	Certificate         []byte            `json:"certificate"` // base64 of the DER leaf
	TransparencyEntries []json.RawMessage `json:"transparency_entries"`
}

type pep740Envelope struct {
	Statement []byte `json:"statement"` // base64 of the DSSE payload
	Signature []byte `json:"signature"` // base64 of the one DSSE signature
}

// PEP740 turns a Sigstore bundle (JSON; DSSE; keyless, with a Rekor entry)
// into a PEP 740 attestation object, as pypi-attestations'
// Attestation.from_bundle does: the leaf certificate, the transparency log
// entries in protobuf-JSON form (what PyPI reads them as; sigstore-python's
// bundles hold exactly one and PyPI reads only the first), and the DSSE
// payload and signature. The payload type is not carried: PyPI puts
// application/vnd.in-toto+json back when it verifies, so any other type is
// refused here.
//
// It refuses what PyPI would: a Local (ephemeral-key) bundle, a bundle
// with only an RFC 3161 timestamp (PyPI needs a transparency log entry), a
// statement without exactly one sha256 subject, or a predicate type PyPI
// does not take.
func PEP740(bundleJSON []byte) ([]byte, error) {
	b, err := parseBundle(bundleJSON)
	if err != nil {
		return nil, err
	}
	if _, _, isLocal, err := localKey(b); isLocal || err != nil {
		if err != nil {
			return nil, fmt.Errorf("a PEP 740 attestation needs a Fulcio certificate: %w", err)
		}
		return nil, fmt.Errorf("a PEP 740 attestation needs a Fulcio certificate: %w", ErrSignedLocally)
	}
	leaf := leafCertificate(b)
	if leaf == nil {
		return nil, fmt.Errorf("the bundle has no signing certificate; a PEP 740 attestation needs the Fulcio certificate of a keyless signature")
	}
	env := b.GetDsseEnvelope()
	if env == nil {
		return nil, fmt.Errorf("the bundle holds a plain signature, not an attestation (no DSSE envelope)")
	}
	if env.GetPayloadType() != PayloadType {
		return nil, fmt.Errorf("the bundle's payload type is %q; PEP 740 carries only in-toto statements (%s)", env.GetPayloadType(), PayloadType)
	}
	if n := len(env.GetSignatures()); n != 1 {
		return nil, fmt.Errorf("the bundle's envelope has %d signatures; a PEP 740 attestation carries exactly one", n)
	}
	if err := checkPyPIStatement(env.GetPayload()); err != nil {
		return nil, err
	}
	entries := b.GetVerificationMaterial().GetTlogEntries()
	if len(entries) == 0 {
		return nil, fmt.Errorf("the bundle has no transparency log entry (only a timestamp); PyPI verifies attestations against Rekor, so sign with transparency %q", TransparencyRekor)
	}
	att := pep740Attestation{
		Version:              1,
		VerificationMaterial: pep740Material{Certificate: leaf.Raw},
		Envelope: pep740Envelope{
			Statement: env.GetPayload(),
			Signature: env.GetSignatures()[0].GetSig(),
		},
	}
	for i, e := range entries {
		// protojson, like sigstore-python's to_dict: camelCase names,
		// int64 as decimal strings, bytes as standard base64.
		raw, err := protojson.Marshal(e)
		if err != nil {
			return nil, fmt.Errorf("encoding transparency log entry %d: %w", i, err)
		}
		att.VerificationMaterial.TransparencyEntries = append(att.VerificationMaterial.TransparencyEntries, raw)
	}
	// json.Marshal compacts the raw entries too: protojson's output has
	// deliberately unstable whitespace.
	out, err := json.Marshal(att)
	if err != nil {
		return nil, fmt.Errorf("encoding the PEP 740 attestation: %w", err)
	}
	return out, nil
}

// checkPyPIStatement applies PyPI's rules on the statement itself (reference
// §6.1): exactly one subject, with a sha256, and a predicate type PyPI knows.
func checkPyPIStatement(payload []byte) error {
	var st struct {
		Type          string        `json:"_type"`
		Subject       []subjectJSON `json:"subject"`
		PredicateType string        `json:"predicateType"`
	}
	if err := json.Unmarshal(payload, &st); err != nil {
		return fmt.Errorf("the bundle's statement is not JSON: %w", err)
	}
	if st.Type != StatementType {
		return fmt.Errorf("the bundle's statement has _type %q, not %s", st.Type, StatementType)
	}
	if len(st.Subject) != 1 {
		return fmt.Errorf("the bundle's statement has %d subjects; PyPI takes exactly one, the distribution file", len(st.Subject))
	}
	if s := st.Subject[0]; s.Name == "" || !isSHA256Hex(s.Digest["sha256"]) {
		return fmt.Errorf("the bundle's subject %q has no sha256 digest; PyPI matches the file by its sha256", s.Name)
	}
	if st.PredicateType != PredicatePyPIPublish && st.PredicateType != PredicateSLSA1 {
		return fmt.Errorf("the bundle's predicate type is %q; PyPI takes only %s and %s", st.PredicateType, PredicatePyPIPublish, PredicateSLSA1)
	}
	return nil
}
