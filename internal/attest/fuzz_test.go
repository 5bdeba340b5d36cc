package attest

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/releaserhq/releaser/internal/testenv"
)

// fuzzSigEnv is sigEnv for a fuzz target: the emulators live as long as f.
func fuzzSigEnv(f *testing.F) sigEnv {
	is := testenv.NewOIDCIssuer(f)
	return sigEnv{is: is, ss: testenv.NewSigstore(f, is)}
}

// fuzzSign signs through the emulators (mode "rekor" or "tsa"), or locally.
func (e sigEnv) fuzzSign(f *testing.F, mode string, statement []byte) []byte {
	o := e.signOptions(mode)
	if mode == "local" {
		o = SignOptions{Local: true}
	}
	b, err := Sign(context.Background(), statement, o)
	if err != nil {
		f.Fatalf("sign (%s): %v (emulator refusals %q)", mode, err, e.ss.Refusals())
	}
	return b
}

// signed is the DSSE payload and signature a bundle carries.
func signed(bundleJSON []byte) (payload, sig []byte, ok bool) {
	b, err := parseBundle(bundleJSON)
	if err != nil || b.GetDsseEnvelope() == nil || len(b.GetDsseEnvelope().GetSignatures()) == 0 {
		return nil, nil, false
	}
	env := b.GetDsseEnvelope()
	return env.GetPayload(), env.GetSignatures()[0].GetSig(), true
}

// FuzzParseStatement: an accepted statement has subjects, and reads the
// same after a re-encoding.
func FuzzParseStatement(f *testing.F) {
	for _, golden := range []string{"statement.golden.json", "pypi_statement.golden.json", "npm_statement.golden.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", golden))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a","digest":{"sha512":"00"}}]}`))
	f.Add([]byte(`{"_type":"https://in-toto.io/Statement/v1","subject":[]}`))
	f.Fuzz(func(t *testing.T, payload []byte) {
		st, err := parseStatement(payload)
		if err != nil {
			return
		}
		if st.Type != StatementType || len(st.Subject) == 0 || len(st.subjects()) != len(st.Subject) {
			t.Fatalf("accepted %q as %+v", payload, st)
		}
		st.firstDigest() // must not panic, whatever the digests
		again, err := json.Marshal(st)
		if err != nil {
			t.Fatal(err)
		}
		st2, err := parseStatement(again)
		if err != nil {
			t.Fatalf("re-encoded statement refused: %v", err)
		}
		a, _ := json.Marshal(st2.subjects())
		b, _ := json.Marshal(st.subjects())
		if !bytes.Equal(a, b) {
			t.Fatalf("subjects changed in a round trip: %s → %s", b, a)
		}
	})
}

// FuzzPEP740: a PEP 740 attestation comes only out of a keyless bundle with
// a transparency log entry, and carries the bundle's own statement and
// signature.
func FuzzPEP740(f *testing.F) {
	e := fuzzSigEnv(f)
	st, err := PyPIStatement(wheel.name, wheel.sha256())
	if err != nil {
		f.Fatal(err)
	}
	for _, mode := range []string{"rekor", "tsa", "local"} {
		b := e.fuzzSign(f, mode, st)
		if _, err := PEP740(b); (err == nil) != (mode == "rekor") {
			f.Fatalf("PEP740 of a %s bundle: %v", mode, err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}`))
	f.Fuzz(func(t *testing.T, bundleJSON []byte) {
		out, err := PEP740(bundleJSON)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty refusal")
			}
			return
		}
		var att pep740Attestation
		if err := json.Unmarshal(out, &att); err != nil {
			t.Fatalf("the attestation is not JSON: %v", err)
		}
		payload, sig, ok := signed(bundleJSON)
		if !ok || att.Version != 1 || len(att.VerificationMaterial.Certificate) == 0 || len(att.VerificationMaterial.TransparencyEntries) == 0 {
			t.Fatalf("attestation %s from a bundle without what it needs", out)
		}
		if !bytes.Equal(att.Envelope.Statement, payload) || !bytes.Equal(att.Envelope.Signature, sig) {
			t.Fatal("the attestation's statement or signature is not the bundle's")
		}
		if err := checkPyPIStatement(att.Envelope.Statement); err != nil {
			t.Fatalf("the attestation's statement breaks PyPI's rules: %v", err)
		}
	})
}

// FuzzVerifyBundle: against the emulators' trusted root, no bundle verifies
// but one carrying a statement and signature that were really signed, and
// for this artifact.
func FuzzVerifyBundle(f *testing.F) {
	e := fuzzSigEnv(f)
	b, err := BuildFromClaims(e.claims(), "")
	if err != nil {
		f.Fatal(err)
	}
	st, err := Statement([]Subject{wheel.subject(), sdist.subject()}, b)
	if err != nil {
		f.Fatal(err)
	}
	type sigPair struct{ payload, sig []byte }
	var genuine []sigPair
	opts := e.verifyOptions(wheel)
	for _, mode := range []string{"rekor", "tsa", "local"} {
		b := e.fuzzSign(f, mode, st)
		if _, err := Verify(context.Background(), b, opts); (err == nil) != (mode != "local") {
			f.Fatalf("Verify of the %s bundle: %v", mode, err)
		}
		f.Add(b)
		if p, s, ok := signed(b); ok {
			genuine = append(genuine, sigPair{p, s})
		}
	}
	f.Fuzz(func(t *testing.T, bundleJSON []byte) {
		v, err := Verify(context.Background(), bundleJSON, opts)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty refusal")
			}
			return
		}
		payload, sig, _ := signed(bundleJSON)
		found := false
		for _, g := range genuine {
			found = found || bytes.Equal(g.payload, payload) && bytes.Equal(g.sig, sig)
		}
		if !found || v.Local {
			t.Fatalf("a bundle nobody signed verified (local %v)", v.Local)
		}
		hasArtifact := false
		for _, s := range v.Subjects {
			hasArtifact = hasArtifact || s.SHA256 == wheel.sha256()
		}
		if !hasArtifact {
			t.Fatalf("verified without the artifact among its subjects: %+v", v.Subjects)
		}
	})
}
