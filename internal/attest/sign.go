package attest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/sigstore/sigstore-go/pkg/sign"
)

// Transparency choices for keyless signing (reference §2.2): public
// repositories log in Rekor, private ones get an RFC 3161 timestamp instead.
const (
	TransparencyRekor = "rekor"
	TransparencyTSA   = "tsa"
)

// SignOptions says how Sign signs.
type SignOptions struct {
	// Keyless (CI): Fulcio with an ID token of audience "sigstore", then Rekor (Transparency
	// "rekor", the default when empty) or a TSA ("tsa").
	FulcioURL, RekorURL, TSAURL string
	Transparency                string
	IDToken                     func(ctx context.Context) (string, error)
	TrustedRoot                 string // path; the bundle is verified against it right after signing ("" = skip)
	HTTPClient                  *http.Client
	// Local: an ephemeral key, no network, no certificate: NOT verifiable against any trust root.
	Local bool
}

// Sign wraps statement in a DSSE envelope signed into a Sigstore bundle v0.3
// (JSON).
//
// Keyless, the certificate names the workflow the ID token was issued to
// and the bundle is verified against o.TrustedRoot before it is returned,
// including the predicate agreeing with the certificate, so a statement
// built from another run's claims never leaves the machine.
//
// Local, the bundle carries only a public key hint (see localHintPrefix) and
// says so: Verify refuses it unless VerifyOptions.AllowLocal.
func Sign(ctx context.Context, statement []byte, o SignOptions) ([]byte, error) {
	st, err := parseStatement(statement)
	if err != nil {
		return nil, fmt.Errorf("refusing to sign: %w", err)
	}
	content := &sign.DSSEData{Data: statement, PayloadType: PayloadType}
	if o.Local {
		return signLocal(ctx, content, st)
	}
	return signKeyless(ctx, content, st, o)
}

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
