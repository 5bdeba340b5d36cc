package attest

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/sign"
	"github.com/sigstore/sigstore-go/pkg/verify"
	"google.golang.org/protobuf/encoding/protojson"
)

// serviceRetries is how often Fulcio, Rekor and the TSA are retried after a
// 5xx/429 (sigstore-go waits 1 s, then 2 s). A Rekor retry after an entry
// landed gets 409 and sigstore-go fetches the existing entry.
const serviceRetries = 2

func signKeyless(ctx context.Context, content *sign.DSSEData, st *statement, o SignOptions) ([]byte, error) {
	mode, err := o.check()
	if err != nil {
		return nil, err
	}
	// The trusted root is read before the token is fetched: a wrong path
	// should not cost an ID token and a Rekor entry.
	var tm root.TrustedMaterial
	if o.TrustedRoot != "" {
		if tm, err = loadTrustedRoot(ctx, o.TrustedRoot); err != nil {
			return nil, err
		}
	}
	token, err := o.IDToken(ctx)
	if err != nil {
		return nil, fmt.Errorf("getting the sigstore ID token: %w", err)
	}
	if token == "" {
		return nil, errors.New("getting the sigstore ID token: it is empty")
	}
	kp, err := sign.NewEphemeralKeypair(nil)
	if err != nil {
		return nil, fmt.Errorf("making the ephemeral key: %w", err)
	}
	svc := newServices(o)
	opts := sign.BundleOptions{
		Context:                    ctx,
		CertificateProvider:        svc.fulcio(o.FulcioURL),
		CertificateProviderOptions: &sign.CertificateProviderOptions{IDToken: token},
	}
	switch mode {
	case TransparencyRekor:
		tl, err := svc.rekor(o.RekorURL)
		if err != nil {
			return nil, err
		}
		opts.TransparencyLogs = []sign.Transparency{tl}
	case TransparencyTSA:
		opts.TimestampAuthorities = []*sign.TimestampAuthority{svc.tsa(o.TSAURL)}
	}
	pb, err := sign.Bundle(content, kp, opts)
	if err != nil {
		return nil, redacted(svc.attribute(err, mode, o.TSAURL), token)
	}
	out, err := protojson.Marshal(pb)
	if err != nil {
		return nil, fmt.Errorf("encoding the bundle: %w", err)
	}
	if tm != nil {
		if err := selfCheck(out, tm, st); err != nil {
			return nil, fmt.Errorf("the bundle just signed does not verify against %s: %w", o.TrustedRoot, err)
		}
	}
	return out, nil
}

// check validates the options and returns the transparency mode.
func (o SignOptions) check() (string, error) {
	if o.FulcioURL == "" {
		return "", errors.New("keyless signing needs a Fulcio URL")
	}
	if o.IDToken == nil {
		return "", errors.New("keyless signing needs a way to get an ID token of audience sigstore")
	}
	mode, service, u := "", "", ""
	switch o.Transparency {
	case "", TransparencyRekor:
		mode, service, u = TransparencyRekor, "Rekor", o.RekorURL
	case TransparencyTSA:
		mode, service, u = TransparencyTSA, "timestamp authority", o.TSAURL
	default:
		return "", fmt.Errorf("transparency %q is neither %q nor %q", o.Transparency, TransparencyRekor, TransparencyTSA)
	}
	if u == "" {
		return "", fmt.Errorf("transparency %q needs a %s URL", mode, service)
	}
	for _, s := range []struct{ name, url string }{{"Fulcio", o.FulcioURL}, {service, u}} {
		if _, err := parseServiceURL(s.name, s.url); err != nil {
			return "", err
		}
	}
	return mode, nil
}

// selfCheck is sign.Bundle's own TrustedRoot check, done here so that its
// refusals read like Verify's, plus the predicate↔certificate cross-check.
// The identity is not checked against a policy: it is the token's, which
// the caller verified, and the cross-check ties the predicate to it.
func selfCheck(out []byte, tm root.TrustedMaterial, st *statement) error {
	b, err := parseBundle(out)
	if err != nil {
		return err
	}
	alg, digest, err := st.firstDigest()
	if err != nil {
		return err
	}
	raw, err := hex.DecodeString(digest)
	if err != nil {
		return fmt.Errorf("subject %s: %s digest %q is not hex", st.Subject[0].Name, alg, digest)
	}
	res, err := verifyKeyless(b, tm, verify.WithArtifactDigest(alg, raw), verify.WithoutIdentitiesUnsafe())
	if err != nil {
		return explain(err, b, tm, st, plan{}, alg, digest, st.Subject[0].Name)
	}
	// Only GitHub's SLSA predicate has fields the certificate can confirm;
	// other statements (a PyPI publish attestation, say) claim nothing more.
	if st.PredicateType != PredicateSLSA1 {
		return nil
	}
	return crossCheck(st, res.Signature.Certificate.Extensions)
}
