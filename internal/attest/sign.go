package attest

import (
	"context"
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
	if err == nil {
		_, _, err = st.firstDigest()
	}
	if err != nil {
		return nil, fmt.Errorf("refusing to sign: %w", err)
	}
	content := &sign.DSSEData{Data: statement, PayloadType: PayloadType}
	if o.Local {
		return signLocal(ctx, content, st)
	}
	return signKeyless(ctx, content, st, o)
}
