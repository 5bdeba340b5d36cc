package attest

import (
	"encoding/json"
	"fmt"
)

// parseStatement decodes the payload far enough to know its subjects; the
// same decoding serves Verify's cross-check.
func parseStatement(payload []byte) (*statement, error) {
	var st statement
	if err := json.Unmarshal(payload, &st); err != nil {
		return nil, fmt.Errorf("the statement is not JSON: %w", err)
	}
	if st.Type != StatementType {
		return nil, fmt.Errorf("the statement's _type is %q, not %s", st.Type, StatementType)
	}
	if len(st.Subject) == 0 {
		return nil, fmt.Errorf("the statement has no subject")
	}
	return &st, nil
}

// subjects lists the statement's subjects; one with no sha256 digest gets
// an empty SHA256 (other tools may sign sha512 only).
func (st *statement) subjects() []Subject {
	out := make([]Subject, 0, len(st.Subject))
	for _, s := range st.Subject {
		out = append(out, Subject{Name: s.Name, SHA256: s.Digest["sha256"]})
	}
	return out
}

// hasDigest reports whether digest (lowercase hex) is a subject's digest
// of algorithm alg.
func (st *statement) hasDigest(alg, digest string) bool {
	for _, s := range st.Subject {
		if s.Digest[alg] == digest {
			return true
		}
	}
	return false
}

// firstDigest is the first subject's sha256, or its sha512 when it has no
// sha256 (npm's provenance subject): what Sign checks its bundle against.
func (st *statement) firstDigest() (alg, digest string, err error) {
	for _, alg := range []string{"sha256", "sha512"} {
		if d := st.Subject[0].Digest[alg]; d != "" {
			return alg, d, nil
		}
	}
	return "", "", fmt.Errorf("subject %s has neither a sha256 nor a sha512 digest", st.Subject[0].Name)
}
