package attest

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/sigstore/sigstore-go/pkg/sign"
	"github.com/sigstore/sigstore-go/pkg/verify"
	"github.com/sigstore/sigstore/pkg/signature"
)

// signPyPI signs the publish statement for a keyless through the emulators.
func (e sigEnv) signPyPI(t *testing.T, mode string, a artifact) []byte {
	t.Helper()
	st, err := PyPIStatement(a.name, a.sha256())
	if err != nil {
		t.Fatal(err)
	}
	b, err := Sign(context.Background(), st, e.signOptions(mode))
	if err != nil {
		t.Fatalf("sign: %v (emulator refusals %q)", err, e.ss.Refusals())
	}
	return b
}

// pep740Wire is the attestation object as PyPI's pydantic model reads it.
type pep740Wire struct {
	Version              int `json:"version"`
	VerificationMaterial struct {
		Certificate         string           `json:"certificate"`
		TransparencyEntries []map[string]any `json:"transparency_entries"`
	} `json:"verification_material"`
	Envelope struct {
		Statement string `json:"statement"`
		Signature string `json:"signature"`
	} `json:"envelope"`
}

// TestPEP740FromKeylessBundle converts a bundle attest.Sign made against
// the Sigstore emulators (Fulcio + Rekor) and checks the object field by
// field against the bundle, then rebuilds a bundle from it the way
// pypi-attestations' to_bundle does and verifies that against the trusted
// root: nothing PyPI needs was lost.
func TestPEP740FromKeylessBundle(t *testing.T) {
	e := newSigEnv(t, 0)
	bundleJSON := e.signPyPI(t, TransparencyRekor, wheel)
	out, err := PEP740(bundleJSON)
	if err != nil {
		t.Fatal(err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, out); err != nil || !bytes.Equal(compact.Bytes(), out) {
		t.Errorf("not compact JSON (%v): %s", err, out)
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(out, &keys); err != nil || len(keys) != 3 || keys["version"] == nil || keys["verification_material"] == nil || keys["envelope"] == nil {
		t.Fatalf("top-level keys of %s (%v)", out, err)
	}
	var att pep740Wire
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&att); err != nil {
		t.Fatalf("%s: %v", out, err)
	}

	var b map[string]any
	if err := json.Unmarshal(bundleJSON, &b); err != nil {
		t.Fatal(err)
	}
	vm, env := obj(b, "verificationMaterial"), obj(b, "dsseEnvelope")
	sig := env["signatures"].([]any)[0].(map[string]any)["sig"]
	if att.Version != 1 ||
		att.VerificationMaterial.Certificate != obj(vm, "certificate")["rawBytes"] ||
		att.Envelope.Statement != env["payload"] || att.Envelope.Signature != sig {
		t.Errorf("attestation %s\ndoes not carry the bundle's certificate, payload and signature: %s", out, bundleJSON)
	}
	if !reflect.DeepEqual(any(toAnySlice(att.VerificationMaterial.TransparencyEntries)), vm["tlogEntries"]) {
		t.Errorf("transparency_entries %v\nwant the bundle's tlogEntries %v", att.VerificationMaterial.TransparencyEntries, vm["tlogEntries"])
	}
	statement, _ := base64.StdEncoding.DecodeString(att.Envelope.Statement)
	want, _ := PyPIStatement(wheel.name, wheel.sha256())
	if !bytes.Equal(statement, want) {
		t.Errorf("statement %s, want %s", statement, want)
	}

	// The signature verifies with the certificate's key over the DSSE PAE.
	der, _ := base64.StdEncoding.DecodeString(att.VerificationMaterial.Certificate)
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	v, err := signature.LoadDefaultVerifier(cert.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	rawSig, _ := base64.StdEncoding.DecodeString(att.Envelope.Signature)
	pae := (&sign.DSSEData{Data: statement, PayloadType: PayloadType}).PreAuthEncoding()
	if err := v.VerifySignature(bytes.NewReader(rawSig), bytes.NewReader(pae)); err != nil {
		t.Errorf("signature does not verify over the PAE: %v", err)
	}

	// Rebuilt as pypi-attestations' to_bundle does, it verifies again.
	rebuilt, err := json.Marshal(map[string]any{
		"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
		"verificationMaterial": map[string]any{
			"certificate": map[string]any{"rawBytes": att.VerificationMaterial.Certificate},
			"tlogEntries": att.VerificationMaterial.TransparencyEntries,
		},
		"dsseEnvelope": map[string]any{
			"payload": att.Envelope.Statement, "payloadType": PayloadType,
			"signatures": []any{map[string]any{"sig": att.Envelope.Signature}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	pb, err := parseBundle(rebuilt)
	if err != nil {
		t.Fatal(err)
	}
	tm, err := loadTrustedRoot(context.Background(), e.ss.TrustedRootPath())
	if err != nil {
		t.Fatal(err)
	}
	digest, _ := hex.DecodeString(wheel.sha256())
	if _, err := verifyKeyless(pb, tm, verify.WithArtifactDigest("sha256", digest), verify.WithoutIdentitiesUnsafe()); err != nil {
		t.Errorf("the bundle rebuilt from the attestation does not verify: %v", err)
	}
}

func toAnySlice(ms []map[string]any) []any {
	out := make([]any, len(ms))
	for i, m := range ms {
		out[i] = m
	}
	return out
}

// TestPEP740Refuses: what PyPI could not accept is refused with the reason.
func TestPEP740Refuses(t *testing.T) {
	e := newSigEnv(t, 0)
	keyless := e.signPyPI(t, TransparencyRekor, wheel)
	local := func() []byte {
		st, _ := PyPIStatement(wheel.name, wheel.sha256())
		b, err := Sign(context.Background(), st, SignOptions{Local: true})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}()
	twoSubjects := e.sign(t, TransparencyRekor, wheel, sdist)
	npm := func() []byte {
		st, err := NpmStatement("widget", "1.2.3", hex.EncodeToString(bytes.Repeat([]byte{7}, 64)), e.build(t))
		if err != nil {
			t.Fatal(err)
		}
		b, err := Sign(context.Background(), st, e.signOptions(TransparencyRekor))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}()
	tests := []struct {
		name   string
		bundle []byte
		want   string
	}{
		{"signed locally", local, "needs a Fulcio certificate"},
		{"timestamp only", e.signPyPI(t, TransparencyTSA, wheel), "no transparency log entry (only a timestamp)"},
		{"several subjects", twoSubjects, "has 2 subjects; PyPI takes exactly one"},
		{"sha512 subject", npm, `subject "pkg:npm/widget@1.2.3" has no sha256 digest`},
		{"truncated", keyless[:len(keyless)/2], "not a valid Sigstore bundle"},
		{"other payload type", editBundle(t, keyless, func(m map[string]any) {
			obj(m, "dsseEnvelope")["payloadType"] = "text/plain"
		}), `payload type is "text/plain"`},
		{"two signatures", editBundle(t, keyless, func(m map[string]any) {
			env := obj(m, "dsseEnvelope")
			sigs := env["signatures"].([]any)
			env["signatures"] = append(sigs, sigs[0])
		}), "has 2 signatures"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := PEP740(tt.bundle)
			wantErr(t, err, tt.want)
		})
	}
	t.Run("local is ErrSignedLocally", func(t *testing.T) {
		if _, err := PEP740(local); !errors.Is(err, ErrSignedLocally) {
			t.Errorf("error %v is not ErrSignedLocally", err)
		}
	})
}
