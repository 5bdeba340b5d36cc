package testenv

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/sigstore/sigstore-go/pkg/sign"
	"google.golang.org/protobuf/encoding/protojson"
)

// attestEnv is a PyPI emulator with the sample project's publisher, a trusted-publishing
// token, and a Sigstore emulator trusting the same issuer.
type attestEnv struct {
	*pypiEnv
	ss *Sigstore
}

func newAttestEnv(t *testing.T) *attestEnv {
	t.Helper()
	e := newPyPIEnv(t)
	return &attestEnv{pypiEnv: e, ss: NewSigstore(t, e.is)}
}

// another is a second PyPI emulator trusting the same issuer and Sigstore.
func (e *attestEnv) another(t *testing.T) *attestEnv {
	t.Helper()
	reg := NewPyPI(t, e.is)
	reg.AddPublisher(DefaultPublisher("hello-releaser"))
	return &attestEnv{pypiEnv: &pypiEnv{is: e.is, reg: reg, token: mintPyPIToken(t, e.is, reg), arts: e.arts}, ss: e.ss}
}

// publishStatement is the publish/v1 statement pypi-attestations signs.
func publishStatement(name, sha256hex string) []byte {
	return fmt.Appendf(nil, `{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":%q,"digest":{"sha256":%q}}],"predicateType":"https://docs.pypi.org/attestations/publish/v1","predicate":null}`, name, sha256hex)
}

// slsaStatement is a SLSA provenance statement for the same file.
func slsaStatement(name, sha256hex string) []byte {
	return fmt.Appendf(nil, `{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":%q,"digest":{"sha256":%q}}],"predicateType":"https://slsa.dev/provenance/v1","predicate":{"buildDefinition":{},"runDetails":{}}}`, name, sha256hex)
}

// attestation signs statement keyless through ss (Fulcio and Rekor, with sigstore-go's
// clients and a token with claims overrides) and lays the bundle out as a PEP 740
// object by hand, the way pypi-attestations' from_bundle does.
func attestation(t *testing.T, is *OIDCIssuer, ss *Sigstore, statement []byte, overrides map[string]any) map[string]any {
	t.Helper()
	kp, err := sign.NewEphemeralKeypair(nil)
	if err != nil {
		t.Fatal(err)
	}
	pb, err := sign.Bundle(&sign.DSSEData{Data: statement, PayloadType: inTotoPayloadType}, kp, sign.BundleOptions{
		CertificateProvider:        sign.NewFulcio(&sign.FulcioOptions{BaseURL: ss.FulcioURL()}),
		CertificateProviderOptions: &sign.CertificateProviderOptions{IDToken: is.Mint("sigstore", overrides)},
		TransparencyLogs:           []sign.Transparency{sign.NewRekor(&sign.RekorOptions{BaseURL: ss.RekorURL(), Version: 1})},
		Context:                    context.Background(),
	})
	if err != nil {
		t.Fatalf("sign: %v (refusals %q)", err, ss.Refusals())
	}
	entry, err := protojson.Marshal(pb.GetVerificationMaterial().GetTlogEntries()[0])
	if err != nil {
		t.Fatal(err)
	}
	var entryJSON map[string]any
	if err := json.Unmarshal(entry, &entryJSON); err != nil {
		t.Fatal(err)
	}
	env := pb.GetDsseEnvelope()
	b64 := base64.StdEncoding.EncodeToString
	return map[string]any{
		"version": 1,
		"verification_material": map[string]any{
			"certificate":          b64(pb.GetVerificationMaterial().GetCertificate().GetRawBytes()),
			"transparency_entries": []any{entryJSON},
		},
		"envelope": map[string]any{"statement": b64(env.GetPayload()), "signature": b64(env.GetSignatures()[0].GetSig())},
	}
}

func (e *attestEnv) wheelDigest(t *testing.T) string {
	t.Helper()
	return e.form(t, sampleWheel).get("sha256_digest")
}

// publishAttestation attests the sample wheel.
func (e *attestEnv) publishAttestation(t *testing.T) map[string]any {
	t.Helper()
	return attestation(t, e.is, e.ss, publishStatement(sampleWheel, e.wheelDigest(t)), nil)
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// uploadWheel uploads the sample wheel with the attestations field set to field.
func (e *attestEnv) uploadWheel(t *testing.T, field, token string) rawResponse {
	t.Helper()
	return e.form(t, sampleWheel).set("attestations", field).upload(t, e.reg.URL(), "/legacy/", basic(token))
}

// TestPyPIAttestationsAccepted: a publish attestation, and a publish plus a SLSA one,
// are verified and stored with the file as sent.
func TestPyPIAttestationsAccepted(t *testing.T) {
	e := newAttestEnv(t)
	digest := e.wheelDigest(t)
	publish := e.publishAttestation(t)
	slsa := attestation(t, e.is, e.ss, slsaStatement(sampleWheel, digest), nil)
	tests := []struct {
		name string
		atts []any
	}{
		{"publish", []any{publish}},
		{"publish and SLSA", []any{publish, slsa}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := e.another(t)
			if err := e.reg.SetAttestationRoot(e.ss.TrustedRootJSON()); err != nil {
				t.Fatal(err)
			}
			r := e.uploadWheel(t, mustJSON(t, tt.atts), e.token)
			if r.status != http.StatusOK {
				t.Fatalf("%d %q", r.status, r.reason)
			}
			files := e.reg.Files("hello-releaser")
			if len(files) != 1 || len(files[0].Attestations) != len(tt.atts) {
				t.Fatalf("stored %d files with %v", len(files), files)
			}
			for i, a := range tt.atts {
				if got, want := string(files[0].Attestations[i]), mustJSON(t, a); got != want {
					t.Errorf("stored attestation %d:\n%s\nwant %s", i, got, want)
				}
			}
		})
	}
}

// TestPyPIAttestationsWithoutFieldStoresNone: no field, no attestations.
func TestPyPIAttestationsWithoutFieldStoresNone(t *testing.T) {
	e := newPyPIEnv(t)
	if r := e.form(t, sampleWheel).upload(t, e.reg.URL(), "/legacy/", basic(e.token)); r.status != http.StatusOK {
		t.Fatalf("%d %q", r.status, r.reason)
	}
	if files := e.reg.Files("hello-releaser"); len(files) != 1 || files[0].Attestations != nil {
		t.Fatalf("files %+v", files)
	}
}

// TestPyPIAttestationsRefused: each way an attestation can be wrong, refused with
// warehouse's text and nothing stored.
func TestPyPIAttestationsRefused(t *testing.T) {
	e := newAttestEnv(t)
	digest := e.wheelDigest(t)
	good := e.publishAttestation(t)
	other := attestation(t, e.is, e.ss, publishStatement(sampleWheel, strings.Repeat("ab", 32)), nil)
	edit := func(a map[string]any, f func(a map[string]any)) map[string]any {
		var c map[string]any
		_ = json.Unmarshal([]byte(mustJSON(t, a)), &c)
		f(c)
		return c
	}
	vm := func(a map[string]any) map[string]any { return a["verification_material"].(map[string]any) }
	env := func(a map[string]any) map[string]any { return a["envelope"].(map[string]any) }
	const (
		invalid = "Invalid attestations supplied during upload: "
		failed  = invalid + "Could not verify the uploaded artifact using the included attestation: Verification failed: "
	)
	otherWorkflow := "octo-org/octo-repo/.github/workflows/other.yml@refs/tags/v1.2.3"
	buildConfig := "https://github.com/" + otherWorkflow
	tests := []struct {
		name  string
		field string
		token func() string
		want  string
	}{
		{name: "classic API token", field: mustJSON(t, []any{good}), token: func() string { return e.reg.APIToken("hello-releaser") },
			want: invalid + "Attestations are only supported when using Trusted Publishing"},
		{name: "not JSON", field: "[{",
			want: invalid + "Malformed attestations: 1 validation error for list[Attestation]?  Invalid JSON: "},
		{name: "an object, not a list", field: mustJSON(t, good),
			want: invalid + "Malformed attestations: 1 validation error for list[Attestation]?  Input should be a valid list [type=list_type, input_type=dict]"},
		{name: "version 2", field: mustJSON(t, []any{edit(good, func(a map[string]any) { a["version"] = 2 })}),
			want: invalid + "Malformed attestations: 1 validation error for list[Attestation]?0.version?  Input should be 1 [type=literal_error, input_type=int]"},
		{name: "no transparency entries", field: mustJSON(t, []any{edit(good, func(a map[string]any) { vm(a)["transparency_entries"] = []any{} })}),
			want: invalid + "Malformed attestations: 1 validation error for list[Attestation]?0.verification_material.transparency_entries?  List should have at least 1 item after validation, not 0 [type=too_short, input_type=list]"},
		{name: "signature not base64", field: mustJSON(t, []any{edit(good, func(a map[string]any) { env(a)["signature"] = "not base64!" })}),
			want: invalid + "Malformed attestations: 1 validation error for list[Attestation]?0.envelope.signature?  Base64 decoding error: 'Non-base64 digit found' [type=base64_decode, input_type=str]"},
		{name: "empty list", field: "[]",
			want: invalid + "Malformed attestations: an empty attestation set is not permitted"},
		{name: "three", field: mustJSON(t, []any{good, good, good}),
			want: invalid + "A maximum of 2 attestations per file are supported"},
		{name: "not a certificate", field: mustJSON(t, []any{edit(good, func(a map[string]any) { vm(a)["certificate"] = "AAAA" })}),
			want: invalid + "Unknown error while trying to verify included attestations: invalid X.509 certificate"},
		{name: "tampered signature", field: mustJSON(t, []any{edit(good, func(a map[string]any) {
			sig, _ := base64.StdEncoding.DecodeString(env(a)["signature"].(string))
			sig[len(sig)-1] ^= 1
			env(a)["signature"] = base64.StdEncoding.EncodeToString(sig)
		})}), want: failed + "DSSE: invalid signature"},
		{name: "statement swapped", field: mustJSON(t, []any{edit(good, func(a map[string]any) { env(a)["statement"] = env(other)["statement"] })}),
			want: failed + "DSSE: invalid signature"},
		{name: "log entry of another attestation", field: mustJSON(t, []any{edit(good, func(a map[string]any) {
			vm(a)["transparency_entries"] = vm(other)["transparency_entries"]
		})}), want: failed + "log entry payload hash does not match bundle"},
		{name: "digest of other bytes", field: mustJSON(t, []any{other}),
			want: failed + "subject does not match distribution digest"},
		{name: "another file's name", field: mustJSON(t, []any{attestation(t, e.is, e.ss, publishStatement(sampleSdist, digest), nil)}),
			want: failed + "subject does not match distribution name: hello_releaser-1.2.3.tar.gz != hello_releaser-1.2.3-py3-none-any.whl"},
		{name: "two subjects", field: mustJSON(t, []any{attestation(t, e.is, e.ss, fmt.Appendf(nil,
			`{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":%q,"digest":{"sha256":%q}},{"name":"x.tar.gz","digest":{"sha256":%q}}],"predicateType":"https://docs.pypi.org/attestations/publish/v1","predicate":null}`,
			sampleWheel, digest, digest), nil)}),
			want: failed + "too many subjects in statement (must be exactly one)"},
		{name: "unknown predicate type", field: mustJSON(t, []any{attestation(t, e.is, e.ss, bytes.Replace(publishStatement(sampleWheel, digest),
			[]byte("https://docs.pypi.org/attestations/publish/v1"), []byte("https://example.com/predicate/v1"), 1), nil)}),
			want: failed + "unknown attestation type: https://example.com/predicate/v1"},
		{name: "same predicate type twice", field: mustJSON(t, []any{good, good}),
			want: invalid + "Multiple attestations for the same file with the same predicate type (https://docs.pypi.org/attestations/publish/v1) are not supported"},
		{name: "signed by another workflow", field: mustJSON(t, []any{attestation(t, e.is, e.ss, publishStatement(sampleWheel, digest), map[string]any{"workflow_ref": otherWorkflow})}),
			want: failed + fmt.Sprintf(`Certificate's Build Config URI (<Extension(oid=<ObjectIdentifier(oid=1.3.6.1.4.1.57264.1.18, name=Unknown OID)>, critical=False, value=<UnrecognizedExtension(oid=<ObjectIdentifier(oid=1.3.6.1.4.1.57264.1.18, name=Unknown OID)>, value=b'\x0c%c%s')>)>) does not match expected Trusted Publisher (release.yml @ octo-org/octo-repo)`, len(buildConfig), buildConfig)},
		{name: "signed for another repository", field: mustJSON(t, []any{attestation(t, e.is, e.ss, publishStatement(sampleWheel, digest), map[string]any{"repository": "octo-org/fork"})}),
			want: failed + "Certificate's OIDCSourceRepositoryURI does not match (got https://github.com/octo-org/fork, expected https://github.com/octo-org/octo-repo)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token := e.token
			if tt.token != nil {
				token = tt.token()
			}
			r := e.uploadWheel(t, tt.field, token)
			r.wantReason(t, http.StatusBadRequest, tt.want)
			if n := e.reg.Uploads(); n != 0 {
				t.Fatalf("%d files stored", n)
			}
		})
	}
}

// TestPyPIAttestationRoot: with a trusted root, an attestation whose certificate and
// log entry come from another Sigstore is refused; without one, only the root could
// have told.
func TestPyPIAttestationRoot(t *testing.T) {
	e := newAttestEnv(t)
	stranger := NewSigstore(t, e.is)
	field := mustJSON(t, []any{attestation(t, e.is, stranger, publishStatement(sampleWheel, e.wheelDigest(t)), nil)})
	if err := e.reg.SetAttestationRoot(e.ss.TrustedRootJSON()); err != nil {
		t.Fatal(err)
	}
	r := e.uploadWheel(t, field, e.token)
	r.wantReason(t, http.StatusBadRequest, "Invalid attestations supplied during upload: Could not verify the uploaded artifact using the included attestation: Verification failed: ")
	// sigstore-go checks the log entry before the chain: the stranger's log is unknown.
	if !strings.Contains(r.reason, "transparency log") {
		t.Errorf("reason %q does not say which part of the trust root refused", r.reason)
	}

	unchecked := e.another(t)
	if r := unchecked.uploadWheel(t, field, unchecked.token); r.status != http.StatusOK {
		t.Fatalf("without a trusted root: %d %q", r.status, r.reason)
	}
	if err := e.reg.SetAttestationRoot([]byte("{")); err == nil {
		t.Error("a broken trusted root was accepted")
	}
}

// TestPyPIAttestationsOnIdenticalReupload: warehouse answers an identical file before it
// looks at attestations, so even a bad set gets the no-op 200.
func TestPyPIAttestationsOnIdenticalReupload(t *testing.T) {
	e := newAttestEnv(t)
	if r := e.uploadWheel(t, mustJSON(t, []any{e.publishAttestation(t)}), e.token); r.status != http.StatusOK {
		t.Fatalf("first upload: %d %q", r.status, r.reason)
	}
	if r := e.uploadWheel(t, "[]", e.token); r.status != http.StatusOK {
		t.Fatalf("identical re-upload: %d %q", r.status, r.reason)
	}
	if n := e.reg.Uploads(); n != 1 {
		t.Errorf("%d uploads stored", n)
	}
}

func TestUltranormalizeDist(t *testing.T) {
	tests := []struct{ in, want, problem string }{
		{"hello_releaser-1.2.3-py3-none-any.whl", "hello_releaser-1.2.3-py3-none-any.whl", ""},
		{"Hello.Releaser-1.2.3-PY3.py2-none-any.whl", "hello_releaser-1.2.3-py2.py3-none-any.whl", ""},
		{"hello_releaser-01.2.3-1-py3-none-any.whl", "hello_releaser-1.2.3-1-py3-none-any.whl", ""},
		{"Hello-Releaser-1.2.3.tar.gz", "hello_releaser-1.2.3.tar.gz", ""},
		{"hello-1.0.zip", "hello-1.0.zip", ""},
		{"hello-1.0.egg", "", "unknown distribution format: hello-1.0.egg"},
		{"hello.whl", "", "Invalid wheel filename (wrong number of parts): 'hello.whl'"},
	}
	for _, tt := range tests {
		got, problem := ultranormalizeDist(tt.in)
		if got != tt.want || problem != tt.problem {
			t.Errorf("ultranormalizeDist(%q) = %q, %q; want %q, %q", tt.in, got, problem, tt.want, tt.problem)
		}
	}
}

func TestPyBytesRepr(t *testing.T) {
	tests := []struct {
		in   []byte
		want string
	}{
		{[]byte("\x0cMhttps://x"), `b'\x0cMhttps://x'`},
		{[]byte("it's"), `b"it's"`},
		{[]byte(`'"\`), `b'\'"\\'`},
		{[]byte("\t\n\r\x7f\xff"), `b'\t\n\r\x7f\xff'`},
	}
	for _, tt := range tests {
		if got := pyBytesRepr(tt.in); got != tt.want {
			t.Errorf("pyBytesRepr(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}
