package attest

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func localBundle(t *testing.T, arts ...artifact) []byte {
	t.Helper()
	var subs []Subject
	for _, a := range arts {
		subs = append(subs, a.subject())
	}
	st, err := Statement(subs, Build{
		ServerURL: DefaultServerURL, Repository: "octo-org/octo-repo", RepositoryID: "74", RepositoryOwnerID: "65",
		WorkflowRef: "octo-org/octo-repo/.github/workflows/release.yml@refs/tags/v1.2.3", JobWorkflowRef: "octo-org/octo-repo/.github/workflows/release.yml@refs/tags/v1.2.3",
		SHA: strings.Repeat("0", 40), Ref: "refs/tags/v1.2.3", EventName: "push", RunID: "1", RunAttempt: "1", RunnerEnvironment: "github-hosted",
	})
	if err != nil {
		t.Fatal(err)
	}
	// The keyless fields are set on purpose: Local must ignore them and
	// touch no network.
	b, err := Sign(context.Background(), st, SignOptions{Local: true, FulcioURL: "http://127.0.0.1:1", RekorURL: "http://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestLocalRoundTrip: a dry-run bundle has a key hint that says what it is,
// no certificate and no log entry, and verifies only with AllowLocal.
func TestLocalRoundTrip(t *testing.T) {
	b := localBundle(t, wheel, sdist)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	vm := obj(m, "verificationMaterial")
	hint, _ := obj(vm, "publicKey")["hint"].(string)
	if !strings.HasPrefix(hint, "releaser-local-ephemeral-key-NOT-VERIFIABLE:") || len(vm) != 1 {
		t.Errorf("verification material %v, want only a public key hint saying it is not verifiable", vm)
	}
	if m["mediaType"] != "application/vnd.dev.sigstore.bundle.v0.3+json" {
		t.Errorf("media type %v", m["mediaType"])
	}

	for _, a := range []artifact{wheel, sdist} {
		v, err := Verify(context.Background(), b, VerifyOptions{AllowLocal: true, ArtifactSHA256: a.sha256()})
		if err != nil {
			t.Fatalf("%s: %v", a.name, err)
		}
		if !v.Local || len(v.Subjects) != 2 || v.Subjects[1] != sdist.subject() || v.SAN != "" || len(v.Timestamps) != 0 {
			t.Errorf("verified %+v", v)
		}
	}
	_, err := Verify(context.Background(), b, VerifyOptions{ArtifactSHA256: wheel.sha256(), Policy: Policy{Repository: "octo-org/octo-repo"}})
	if !errors.Is(err, ErrSignedLocally) {
		t.Errorf("without AllowLocal: %v, want ErrSignedLocally", err)
	}
}

func TestLocalRefuses(t *testing.T) {
	b := localBundle(t, wheel)
	allow := func(a artifact) VerifyOptions { return VerifyOptions{AllowLocal: true, ArtifactSHA256: a.sha256()} }
	otherKey := editBundle(t, localBundle(t, wheel), func(m map[string]any) {
		obj(m, "dsseEnvelope")["signatures"] = obj(mustJSON(t, b), "dsseEnvelope")["signatures"]
	})
	tests := []struct {
		name   string
		bundle []byte
		opts   VerifyOptions
		want   string
	}{
		{"other artifact", b, allow(other), "artifact sha256 " + other.sha256() + " is not a subject of this bundle (it covers " + wheel.name},
		{"tampered signature", tamperSignature(t, b), allow(wheel), "signature does not verify: the dry-run bundle was altered"},
		{"subject swapped", swapSubject(t, b, wheel, other), allow(other), "signature does not verify: the dry-run bundle was altered"},
		{"signature of another dry run", otherKey, allow(wheel), "signature does not verify: the dry-run bundle was altered"},
		{"damaged hint", setHint(t, b, "releaser-local-ephemeral-key-NOT-VERIFIABLE:%%%"), allow(wheel), "the dry-run bundle's key hint is damaged"},
		{"hint of a key that is not a key", setHint(t, b, "releaser-local-ephemeral-key-NOT-VERIFIABLE:"+base64.StdEncoding.EncodeToString([]byte("no key"))), allow(wheel), "the dry-run bundle's key hint is damaged"},
		{"someone else's key", setHint(t, b, "c29tZSBrZXk="), allow(wheel), `signed with a key (hint "c29tZSBrZXk="), not a certificate, and is not a releaser dry-run bundle`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Verify(context.Background(), tt.bundle, tt.opts)
			wantErr(t, err, tt.want)
		})
	}
}

func mustJSON(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func setHint(t *testing.T, b []byte, hint string) []byte {
	return editBundle(t, b, func(m map[string]any) {
		obj(m, "verificationMaterial", "publicKey")["hint"] = hint
	})
}
