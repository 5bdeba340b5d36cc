package registry

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/releaserhq/releaser/internal/attest"
	"github.com/releaserhq/releaser/internal/testenv"
)

// attestSetup is an issuer, the Sigstore emulators and a PyPI emulator that checks
// attestations against their trusted root.
type attestSetup struct {
	is   *testenv.OIDCIssuer
	ss   *testenv.Sigstore
	pypi *testenv.PyPI
}

func newAttestSetup(t *testing.T) attestSetup {
	t.Helper()
	is := testenv.NewOIDCIssuer(t)
	ss := testenv.NewSigstore(t, is)
	reg := testenv.NewPyPI(t, is)
	reg.AddPublisher(testenv.DefaultPublisher("hello-releaser"))
	if err := reg.SetAttestationRoot(ss.TrustedRootJSON()); err != nil {
		t.Fatal(err)
	}
	return attestSetup{is: is, ss: ss, pypi: reg}
}

// sign signs a statement keyless (Fulcio + Rekor) with attest.Sign.
func (s attestSetup) sign(t *testing.T, statement []byte) []byte {
	t.Helper()
	b, err := attest.Sign(context.Background(), statement, attest.SignOptions{
		FulcioURL: s.ss.FulcioURL(), RekorURL: s.ss.RekorURL(), Transparency: attest.TransparencyRekor,
		IDToken:     func(context.Context) (string, error) { return s.is.Mint("sigstore", nil), nil },
		TrustedRoot: s.ss.TrustedRootPath(),
		HTTPClient:  &http.Client{Timeout: 10 * time.Second},
	})
	if err != nil {
		t.Fatalf("sign: %v (emulator refusals %q)", err, s.ss.Refusals())
	}
	return b
}

// pep740 is the publish attestation for a file called name with digest sha256hex.
func (s attestSetup) pep740(t *testing.T, name, sha256hex string) []byte {
	t.Helper()
	st, err := attest.PyPIStatement(name, sha256hex)
	if err != nil {
		t.Fatal(err)
	}
	att, err := attest.PEP740(s.sign(t, st))
	if err != nil {
		t.Fatal(err)
	}
	return att
}

// TestPyPIUploadWithAttestationsAccepted: the whole path — statement, keyless
// signature, PEP 740 conversion, upload — ends with PyPI storing the attestations.
func TestPyPIUploadWithAttestationsAccepted(t *testing.T) {
	s := newAttestSetup(t)
	dir := buildSamples(t)
	up := mustNewUploader(t, KindPyPI, s.pypi.URL(), samplePkg, UploadOptions{Version: sampleVersion})
	tok := pypiToken(t, s.is, s.pypi)
	var sent [][]byte
	for _, kind := range []string{ArtifactWheel, ArtifactSdist} {
		a := artifactAt(t, filepath.Join(dir, sampleFiles[kind]), kind)
		a.Attestations = [][]byte{s.pep740(t, a.Name, a.SHA256)}
		sent = append(sent, a.Attestations[0])
		if _, err := up.Upload(context.Background(), tok, a, nil); err != nil {
			t.Fatalf("upload %s: %v", a.Name, err)
		}
	}
	files := s.pypi.Files(samplePkg)
	if len(files) != 2 {
		t.Fatalf("%d files stored", len(files))
	}
	for i, f := range files {
		if len(f.Attestations) != 1 || !bytes.Equal(f.Attestations[0], sent[i]) {
			t.Errorf("%s stored attestations %q, want %q", f.Filename, f.Attestations, sent[i])
		}
	}
}

// TestPyPIUploadWithMismatchedAttestation: an attestation for another file's name or
// other bytes is PyPI's 400, reported with its words, and nothing is stored.
func TestPyPIUploadWithMismatchedAttestation(t *testing.T) {
	s := newAttestSetup(t)
	dir := buildSamples(t)
	wheel := artifactAt(t, filepath.Join(dir, sampleFiles[ArtifactWheel]), ArtifactWheel)
	sdist := artifactAt(t, filepath.Join(dir, sampleFiles[ArtifactSdist]), ArtifactSdist)
	const failed = "Invalid attestations supplied during upload: Could not verify the uploaded artifact using the included attestation: Verification failed: "
	tests := []struct {
		name string
		att  []byte
		want string
	}{
		{"other file's name", s.pep740(t, sdist.Name, wheel.SHA256),
			failed + "subject does not match distribution name: hello_releaser-1.2.3.tar.gz != hello_releaser-1.2.3-py3-none-any.whl"},
		{"other bytes", s.pep740(t, wheel.Name, sdist.SHA256), failed + "subject does not match distribution digest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			up := mustNewUploader(t, KindPyPI, s.pypi.URL(), samplePkg, UploadOptions{Version: sampleVersion})
			a := wheel
			a.Attestations = [][]byte{tt.att}
			_, err := up.Upload(context.Background(), pypiToken(t, s.is, s.pypi), a, nil)
			var ue *UploadError
			if !errors.As(err, &ue) || ue.Status != http.StatusBadRequest || ue.Message != tt.want || ue.Retryable {
				t.Fatalf("error %#v\nwant a 400 saying %q", err, tt.want)
			}
			if !strings.HasPrefix(ue.Fix, "PyPI refused the attestation, not the file") {
				t.Errorf("fix %q does not point at the attestation", ue.Fix)
			}
			if n := s.pypi.Uploads(); n != 0 {
				t.Errorf("%d files stored", n)
			}
		})
	}
}

// TestNpmUploadWithProvenance: npm's statement signed with attest.Sign goes out as the
// .sigstore attachment, byte for byte the bundle (compacted).
func TestNpmUploadWithProvenance(t *testing.T) {
	s := newAttestSetup(t)
	a := sampleArtifact(t, ArtifactNpm)
	claims := map[string]string{}
	for k, v := range s.is.Claims() {
		claims[k] = fmt.Sprint(v)
	}
	b, err := attest.BuildFromClaims(claims, "")
	if err != nil {
		t.Fatal(err)
	}
	st, err := attest.NpmStatement(samplePkg, sampleVersion, a.SHA512, b)
	if err != nil {
		t.Fatal(err)
	}
	bundle := s.sign(t, st)
	a.Attestations = [][]byte{bundle}
	f := newFakeUploads(t, a, samplePkg)
	up := mustNewUploader(t, KindNpm, f.srv.URL, samplePkg, testUploadOptions(nil))
	if _, err := up.Upload(context.Background(), testToken(KindNpm), a, nil); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Attachments map[string]npmProvenance `json:"_attachments"`
	}
	if err := json.Unmarshal(f.lastUpload().body, &doc); err != nil {
		t.Fatal(err)
	}
	prov, ok := doc.Attachments["hello-releaser-1.2.3.sigstore"]
	if !ok || len(doc.Attachments) != 2 {
		t.Fatalf("attachments %v", doc.Attachments)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, bundle); err != nil {
		t.Fatal(err)
	}
	if prov.Data != compact.String() || prov.Length != compact.Len() || prov.ContentType != "application/vnd.dev.sigstore.bundle.v0.3+json" {
		t.Errorf("provenance attachment %+v\nwant the bundle %s", prov, compact.String())
	}
	// What the registry receives names the package by purl, with the tarball's sha512.
	var sent struct {
		DSSEEnvelope struct{ Payload []byte } `json:"dsseEnvelope"`
	}
	if err := json.Unmarshal([]byte(prov.Data), &sent); err != nil {
		t.Fatal(err)
	}
	if want := `"subject":[{"name":"pkg:npm/hello-releaser@1.2.3","digest":{"sha512":"` + a.SHA512 + `"}}]`; !strings.Contains(string(sent.DSSEEnvelope.Payload), want) {
		t.Errorf("statement %s\nlacks %s", sent.DSSEEnvelope.Payload, want)
	}
}
