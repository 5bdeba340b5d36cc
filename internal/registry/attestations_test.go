package registry

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// A bundle and two attestation objects as the attest stage hands them on
// (pretty-printed, as a file on disk might be).
const (
	testBundle = `{
  "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
  "verificationMaterial": {"certificate": {"rawBytes": "MIIB"}, "tlogEntries": []},
  "dsseEnvelope": {"payload": "eyJ9", "payloadType": "application/vnd.in-toto+json", "signatures": [{"sig": "MEUC"}]}
}`
	testPublishAttestation = `{"version": 1, "verification_material": {"certificate": "MIIB", "transparency_entries": [{"logIndex": "1"}]},
  "envelope": {"statement": "eyJ9", "signature": "MEUC"}}`
	testSLSAAttestation = `{"version":1,"verification_material":{"certificate":"MIIC","transparency_entries":[{"logIndex":"2"}]},"envelope":{"statement":"eyJ8","signature":"MEYC"}}`
)

func TestPyPIAttestationsField(t *testing.T) {
	tests := []struct {
		name string
		atts []string
		want string // the field's value; "" = no field
		err  string
	}{
		{name: "none"},
		{name: "one, compacted", atts: []string{testPublishAttestation},
			want: `[{"version":1,"verification_material":{"certificate":"MIIB","transparency_entries":[{"logIndex":"1"}]},"envelope":{"statement":"eyJ9","signature":"MEUC"}}]`},
		{name: "two", atts: []string{testPublishAttestation, testSLSAAttestation},
			want: `[{"version":1,"verification_material":{"certificate":"MIIB","transparency_entries":[{"logIndex":"1"}]},"envelope":{"statement":"eyJ9","signature":"MEUC"}},` + testSLSAAttestation + `]`},
		{name: "three", atts: []string{testPublishAttestation, testSLSAAttestation, testSLSAAttestation}, err: "3 attestations; PyPI takes at most 2"},
		{name: "an array", atts: []string{`[` + testSLSAAttestation + `]`}, err: "attestation 1: not a JSON object"},
		{name: "truncated", atts: []string{testPublishAttestation, testSLSAAttestation[:40]}, err: "attestation 2: not a JSON object"},
		{name: "trailing data", atts: []string{testSLSAAttestation + `{}`}, err: "attestation 1: not a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var atts [][]byte
			for _, a := range tt.atts {
				atts = append(atts, []byte(a))
			}
			got, err := pypiAttestations(atts)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %q, %v\nwant %q", got, err, tt.want)
			}
		})
	}
}

func TestNpmProvenanceAttachment(t *testing.T) {
	compact := `{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"certificate":{"rawBytes":"MIIB"},"tlogEntries":[]},"dsseEnvelope":{"payload":"eyJ9","payloadType":"application/vnd.in-toto+json","signatures":[{"sig":"MEUC"}]}}`
	tests := []struct {
		name string
		atts []string
		want *npmProvenance
		err  string
	}{
		{name: "none"},
		{name: "one bundle", atts: []string{testBundle},
			want: &npmProvenance{ContentType: "application/vnd.dev.sigstore.bundle.v0.3+json", Data: compact, Length: len(compact)}},
		{name: "two bundles", atts: []string{testBundle, testBundle}, err: "2 provenance bundles; npm takes exactly one"},
		{name: "no media type", atts: []string{`{"dsseEnvelope":{}}`}, err: "has no mediaType"},
		{name: "not JSON", atts: []string{testBundle[:30]}, err: "not a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var atts [][]byte
			for _, a := range tt.atts {
				atts = append(atts, []byte(a))
			}
			got, err := npmProvenanceAttachment(atts)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %+v, %v\nwant %+v", got, err, tt.want)
			}
		})
	}
}

// TestPyPIUploadSendsAttestations: the field goes after the digests, as
// twine sends it, and the rest of the form is unchanged.
func TestPyPIUploadSendsAttestations(t *testing.T) {
	a := sampleArtifact(t, ArtifactWheel)
	f := newFakeUploads(t, a, samplePkg)
	up := mustNewUploader(t, KindPyPI, f.srv.URL, samplePkg, testUploadOptions(nil))
	if _, err := up.Upload(context.Background(), testToken(KindPyPI), a, nil); err != nil {
		t.Fatal(err)
	}
	without, _, _, _ := parseMultipart(t, f.lastUpload())

	a.Attestations = [][]byte{[]byte(testPublishAttestation), []byte(testSLSAAttestation)}
	f = newFakeUploads(t, a, samplePkg)
	up = mustNewUploader(t, KindPyPI, f.srv.URL, samplePkg, testUploadOptions(nil))
	if _, err := up.Upload(context.Background(), testToken(KindPyPI), a, nil); err != nil {
		t.Fatal(err)
	}
	u := f.lastUpload()
	checkLength(t, u)
	with, _, _, _ := parseMultipart(t, u)
	if len(with) != len(without)+1 || !slices.Equal(with[:len(without)], without) {
		t.Fatalf("form with attestations:\n%q\nwithout:\n%q", with, without)
	}
	last := with[len(with)-1]
	if last[0] != "attestations" || without[len(without)-1][0] != "blake2_256_digest" {
		t.Fatalf("last fields %q / %q", last, without[len(without)-1])
	}
	var got []map[string]any
	if err := json.Unmarshal([]byte(last[1]), &got); err != nil {
		t.Fatalf("attestations field %q: %v", last[1], err)
	}
	var want []map[string]any
	_ = json.Unmarshal([]byte("["+testPublishAttestation+","+testSLSAAttestation+"]"), &want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("attestations field %s\nwant %v", last[1], want)
	}
}

// TestNpmUploadSendsProvenance decodes what the handler received: the
// second attachment is the bundle, as a JSON string with its media type
// and length, and the tarball attachment is untouched.
func TestNpmUploadSendsProvenance(t *testing.T) {
	dir := t.TempDir()
	path := writeNpmTarball(t, dir, "octo-demo-1.2.3.tgz", `{"name":"@octo/demo","version":"1.2.3","description":"demo"}`)
	a := artifactAt(t, path, ArtifactNpm)
	a.Attestations = [][]byte{[]byte(testBundle)}
	f := newFakeUploads(t, a, "@octo/demo")
	up := mustNewUploader(t, KindNpm, f.srv.URL, "@octo/demo", testUploadOptions(nil))
	if _, err := up.Upload(context.Background(), testToken(KindNpm), a, nil); err != nil {
		t.Fatal(err)
	}
	u := f.lastUpload()
	checkLength(t, u)
	var doc struct {
		Attachments map[string]struct {
			ContentType string `json:"content_type"`
			Data        string `json:"data"`
			Length      int    `json:"length"`
		} `json:"_attachments"`
	}
	if err := json.Unmarshal(u.body, &doc); err != nil {
		t.Fatal(err)
	}
	var names []string
	for k := range doc.Attachments {
		names = append(names, k)
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"@octo/demo-1.2.3.sigstore", "@octo/demo-1.2.3.tgz"}) {
		t.Fatalf("attachments %q", names)
	}
	prov := doc.Attachments["@octo/demo-1.2.3.sigstore"]
	var got, want any
	if err := json.Unmarshal([]byte(prov.Data), &got); err != nil {
		t.Fatalf("provenance data %q is not JSON: %v", prov.Data, err)
	}
	_ = json.Unmarshal([]byte(testBundle), &want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("provenance data %s\nis not the bundle %s", prov.Data, testBundle)
	}
	if prov.ContentType != "application/vnd.dev.sigstore.bundle.v0.3+json" || prov.Length != len(prov.Data) {
		t.Errorf("content_type %q, length %d for %d bytes of data", prov.ContentType, prov.Length, len(prov.Data))
	}
	if tgz := doc.Attachments["@octo/demo-1.2.3.tgz"]; tgz.ContentType != "application/octet-stream" || tgz.Length != int(a.Size) {
		t.Errorf("tarball attachment %q, length %d", tgz.ContentType, tgz.Length)
	}
}

// TestUploadRefusesBadAttestations: nothing is sent when the attestation
// cannot go, and the error says it is the attestation.
func TestUploadRefusesBadAttestations(t *testing.T) {
	tests := []struct {
		kind string
		atts []string
		want string
	}{
		{ArtifactWheel, []string{"not json"}, "attestation 1: not a JSON object"},
		{ArtifactSdist, []string{testSLSAAttestation, testSLSAAttestation, testSLSAAttestation}, "PyPI takes at most 2"},
		{ArtifactNpm, []string{testBundle, testBundle}, "npm takes exactly one"},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			a := sampleArtifact(t, tt.kind)
			for _, s := range tt.atts {
				a.Attestations = append(a.Attestations, []byte(s))
			}
			f := newFakeUploads(t, a, samplePkg)
			up := mustNewUploader(t, registryOf[tt.kind], f.srv.URL, samplePkg, testUploadOptions(nil))
			_, err := up.Upload(context.Background(), testToken(registryOf[tt.kind]), a, nil)
			var ue *UploadError
			if !errors.As(err, &ue) || ue.Status != 0 || !strings.Contains(ue.Message, "attestation cannot be sent: ") || !strings.Contains(ue.Message, tt.want) {
				t.Fatalf("error %v, want a local UploadError about %q", err, tt.want)
			}
			if n, _, _ := f.counts(); n != 0 {
				t.Errorf("%d uploads sent", n)
			}
		})
	}
}

func TestAttestationRefusalFix(t *testing.T) {
	tests := []struct {
		kind, msg, want string
	}{
		{KindPyPI, "Invalid attestations supplied during upload: A maximum of 2 attestations per file are supported", "PyPI refused the attestation, not the file"},
		{KindTestPyPI, "Invalid attestations supplied during upload: Malformed attestations: …", "PyPI refused the attestation, not the file"},
		{KindNpm, `Error verifying sigstore provenance bundle: Unsupported GitHub Actions runner environment: "self-hosted"`, "npm refused the provenance bundle, not the tarball"},
		{KindPyPI, "File already exists ('a.whl', with blake2_256 hash 'cd')", ""},
		{KindNpm, "You cannot publish over the previously published versions: 1.2.3.", ""},
		{KindCrates, "Invalid attestations supplied during upload", ""},
	}
	for _, tt := range tests {
		if got := attestationRefusalFix(tt.kind, tt.msg); !strings.HasPrefix(got, tt.want) || (tt.want == "") != (got == "") {
			t.Errorf("attestationRefusalFix(%s, %q) = %q, want %q…", tt.kind, tt.msg, got, tt.want)
		}
	}
}
