package attest

import (
	"errors"
	"fmt"
	"strings"
)

// Registry-side statements (reference §6): PyPI and npm each want a
// statement of their own, with one subject named the way the registry
// names the file, so the multi-subject statement of Statement cannot be
// sent to them.
const (
	// PredicatePyPIPublish is PyPI's "publish" attestation: the file was
	// uploaded by this Trusted Publisher. It has no predicate.
	PredicatePyPIPublish = "https://docs.pypi.org/attestations/publish/v1"
	// npmBuildType and npmBuilderPrefix are what libnpmpublish's
	// provenance.js writes (reference §6.2), not GitHub's action's values.
	npmBuildType     = legacyBuildType
	npmBuilderPrefix = "https://github.com/actions/runner/"
)

// pypiStatement is the publish attestation's statement. Predicate is always
// null: pypi-attestations builds it with no predicate, and the statement
// PyPI itself shows for such a file ends in "predicate":null.
type pypiStatement struct {
	Type          string        `json:"_type"`
	Subject       []subjectJSON `json:"subject"`
	PredicateType string        `json:"predicateType"`
	Predicate     *struct{}     `json:"predicate"`
}

// PyPIStatement is the in-toto statement PEP 740 expects for one
// distribution: the file name and its sha256 as the only subject, and
// PyPI's publish/v1 predicate type with a null predicate, byte for byte
// what pypi-attestations signs (compact JSON, key order _type, subject,
// predicateType, predicate).
//
// The file name is used as given. pypi-attestations "ultranormalizes" it
// (canonical name, sorted compressed tags) before signing, and PyPI compares
// after normalizing both sides, so a name a current build backend wrote
// verifies either way.
func PyPIStatement(filename, sha256hex string) ([]byte, error) {
	if filename == "" {
		return nil, errors.New("a PyPI attestation needs the distribution's file name")
	}
	if strings.ContainsAny(filename, `/\`) {
		return nil, fmt.Errorf("PyPI attestation subject %q: a file name, not a path", filename)
	}
	lower := strings.ToLower(filename)
	if !strings.HasSuffix(lower, ".whl") && !strings.HasSuffix(lower, ".tar.gz") && !strings.HasSuffix(lower, ".zip") {
		return nil, fmt.Errorf("PyPI attestation subject %q is not a wheel or sdist file name", filename)
	}
	digest := strings.ToLower(sha256hex)
	if !isSHA256Hex(digest) {
		return nil, fmt.Errorf("PyPI attestation subject %s: sha256 %q is not 64 hex digits", filename, sha256hex)
	}
	return compactJSON(pypiStatement{
		Type:          StatementType,
		Subject:       []subjectJSON{{Name: filename, Digest: map[string]string{"sha256": digest}}},
		PredicateType: PredicatePyPIPublish,
	})
}
