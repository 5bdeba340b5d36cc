package attest

import (
	"context"
	"crypto"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/sign"
	"github.com/sigstore/sigstore-go/pkg/verify"
	"github.com/sigstore/sigstore/pkg/signature"
	"google.golang.org/protobuf/encoding/protojson"
)

// localHintPrefix starts the public key hint of a Local bundle. A bundle has
// no field that says "unsigned", and the hint is the one place a key-signed
// bundle names its key, so it carries the warning and, after it, the whole
// ephemeral public key (base64 PKIX): with the key in the bundle, Verify can
// still show the bytes are unaltered, which is all a dry run's self-check
// needs, while anyone reading it sees what it is not.
const localHintPrefix = "releaser-local-ephemeral-key-NOT-VERIFIABLE:"

// ErrSignedLocally is returned by Verify for a Local bundle unless
// VerifyOptions.AllowLocal.
var ErrSignedLocally = errors.New("the bundle was signed locally with an ephemeral key (a dry run), not verifiable against any trust root")

// localKeypair is sigstore-go's ephemeral key with releaser's hint.
type localKeypair struct {
	*sign.EphemeralKeypair
	hint []byte
}

func (k localKeypair) GetHint() []byte { return k.hint }

func signLocal(ctx context.Context, content *sign.DSSEData, st *statement) ([]byte, error) {
	kp, err := sign.NewEphemeralKeypair(nil)
	if err != nil {
		return nil, fmt.Errorf("making the ephemeral key: %w", err)
	}
	der, err := x509.MarshalPKIXPublicKey(kp.GetPublicKey())
	if err != nil {
		return nil, fmt.Errorf("encoding the ephemeral key: %w", err)
	}
	hint := localHintPrefix + base64.StdEncoding.EncodeToString(der)
	pb, err := sign.Bundle(content, localKeypair{kp, []byte(hint)}, sign.BundleOptions{Context: ctx})
	if err != nil {
		return nil, fmt.Errorf("signing locally: %w", err)
	}
	out, err := protojson.Marshal(pb)
	if err != nil {
		return nil, fmt.Errorf("encoding the bundle: %w", err)
	}
	b, err := parseBundle(out)
	if err != nil {
		return nil, err
	}
	alg, digest, _ := st.firstDigest() // Sign checked there is one
	if _, err := verifyLocal(b, alg, digest, st); err != nil {
		return nil, fmt.Errorf("the bundle just signed does not verify: %w", err)
	}
	return out, nil
}

// localKey returns the public key of a Local bundle, or ok=false for a
// bundle that is not one.
func localKey(b *bundle.Bundle) (pub crypto.PublicKey, hint string, ok bool, err error) {
	pk := b.GetVerificationMaterial().GetPublicKey()
	if pk == nil {
		return nil, "", false, nil
	}
	hint = pk.GetHint()
	enc, found := strings.CutPrefix(hint, localHintPrefix)
	if !found {
		return nil, hint, false, fmt.Errorf("the bundle is signed with a key (hint %q), not a certificate, and is not a releaser dry-run bundle either: there is nothing to verify it against", hint)
	}
	der, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		return nil, hint, true, fmt.Errorf("the dry-run bundle's key hint is damaged: %w", err)
	}
	pub, err = x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, hint, true, fmt.Errorf("the dry-run bundle's key hint is damaged: %w", err)
	}
	return pub, hint, true, nil
}

// verifyLocal checks a Local bundle's signature with the key it carries and
// that digest (hex, of algorithm alg) is a subject. It proves integrity, not
// origin.
func verifyLocal(b *bundle.Bundle, alg, digest string, st *statement) (*Verified, error) {
	pub, hint, _, err := localKey(b)
	if err != nil {
		return nil, err
	}
	sv, err := signature.LoadDefaultVerifier(pub)
	if err != nil {
		return nil, fmt.Errorf("loading the dry-run bundle's key: %w", err)
	}
	tm := root.NewTrustedPublicKeyMaterialFromMapping(map[string]*root.ExpiringKey{
		hint: root.NewExpiringKey(sv, time0, time0),
	})
	v, err := verify.NewVerifier(tm, verify.WithNoObserverTimestamps())
	if err != nil {
		return nil, fmt.Errorf("setting up verification: %w", err)
	}
	raw, err := hex.DecodeString(digest)
	if err != nil {
		return nil, fmt.Errorf("artifact %s %q is not hex", alg, digest)
	}
	if _, err := v.Verify(b, verify.NewPolicy(verify.WithArtifactDigest(alg, raw), verify.WithKey())); err != nil {
		return nil, explainLocal(err, b, pub, alg, digest, st)
	}
	return &Verified{Subjects: st.subjects(), Local: true}, nil
}
