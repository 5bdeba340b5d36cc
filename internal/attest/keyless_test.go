package attest

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/releaserhq/releaser/internal/testenv"
)

// TestKeylessSignVerify signs through the emulated Fulcio, Rekor and TSA
// with sigstore-go's real clients over HTTP, then verifies every subject
// with the gh-style policy.
func TestKeylessSignVerify(t *testing.T) {
	e := newSigEnv(t, 0)
	wantSAN := "https://github.com/octo-org/octo-repo/.github/workflows/release.yml@refs/tags/v1.2.3"
	tests := []struct {
		mode                   string
		wantEntries, wantStamp int
		material               string
	}{
		{TransparencyRekor, 1, 0, "tlogEntries"},
		{TransparencyTSA, 0, 1, "timestampVerificationData"},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			entries, stamps := e.ss.Entries(), e.ss.Timestamps()
			bundle := e.sign(t, tt.mode, wheel, sdist)
			if got := e.ss.Entries() - entries; got != tt.wantEntries {
				t.Errorf("%d Rekor entries made, want %d", got, tt.wantEntries)
			}
			if got := e.ss.Timestamps() - stamps; got != tt.wantStamp {
				t.Errorf("%d timestamps made, want %d", got, tt.wantStamp)
			}
			var m map[string]any
			if err := json.Unmarshal(bundle, &m); err != nil {
				t.Fatal(err)
			}
			vm := obj(m, "verificationMaterial")
			if m["mediaType"] != "application/vnd.dev.sigstore.bundle.v0.3+json" || vm["certificate"] == nil || vm[tt.material] == nil {
				t.Errorf("bundle is not a v0.3 keyless bundle with %s: %s", tt.material, bundle)
			}
			for _, a := range []artifact{wheel, sdist} {
				v, err := Verify(context.Background(), bundle, e.verifyOptions(a))
				if err != nil {
					t.Fatalf("verify %s: %v", a.name, err)
				}
				if v.Local || v.SAN != wantSAN || v.Issuer != e.is.URL() || v.Ref != testenv.DefaultRef ||
					v.SourceRepository != "https://github.com/octo-org/octo-repo" {
					t.Errorf("verified %+v", v)
				}
				if len(v.Timestamps) != 1 {
					t.Errorf("verified timestamps %v, want the one the %s gave", v.Timestamps, tt.mode)
				}
				if len(v.Subjects) != 2 || v.Subjects[0] != wheel.subject() || v.Subjects[1] != sdist.subject() {
					t.Errorf("subjects %+v", v.Subjects)
				}
			}
		})
	}
}

// TestVerifyPolicyForms: the looser policy forms accept the same bundle.
func TestVerifyPolicyForms(t *testing.T) {
	e := newSigEnv(t, 0)
	bundle := e.sign(t, TransparencyRekor, wheel)
	tests := []struct {
		name   string
		policy func(p *Policy)
	}{
		{"any workflow of the repository", func(p *Policy) { p.Workflow = "" }},
		{"any ref", func(p *Policy) { p.Ref = "" }},
		{"any workflow at any ref", func(p *Policy) { p.Workflow, p.Ref = "", "" }},
		{"workflow as owner/repo/path", func(p *Policy) { p.Workflow = "octo-org/octo-repo/.github/workflows/release.yml" }},
		{"server URL with a slash", func(p *Policy) { p.ServerURL = "https://github.com/" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := e.verifyOptions(wheel)
			tt.policy(&o.Policy)
			if _, err := Verify(context.Background(), bundle, o); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestReusableWorkflow: the certificate names the reusable workflow of
// another repository; the policy must name it as owner/repo/path, and the
// release ref then binds only the source repository.
func TestReusableWorkflow(t *testing.T) {
	e := newSigEnv(t, 0)
	e.is.UseReusableWorkflow("octo-org/shared/.github/workflows/build.yml@refs/heads/main")
	bundle := e.sign(t, TransparencyRekor, wheel)

	o := e.verifyOptions(wheel)
	o.Policy.Workflow = "octo-org/shared/.github/workflows/build.yml"
	v, err := Verify(context.Background(), bundle, o)
	if err != nil {
		t.Fatal(err)
	}
	if v.SAN != "https://github.com/octo-org/shared/.github/workflows/build.yml@refs/heads/main" || v.Ref != testenv.DefaultRef {
		t.Errorf("verified %+v", v)
	}

	_, err = Verify(context.Background(), bundle, e.verifyOptions(wheel))
	wantErr(t, err, "the bundle was signed by workflow https://github.com/octo-org/shared/.github/workflows/build.yml@refs/heads/main, expected https://github.com/octo-org/octo-repo/.github/workflows/release.yml@refs/tags/v1.2.3")
}
