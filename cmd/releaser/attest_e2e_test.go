package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/releaserhq/releaser/internal/testenv"
)

// TestAttestE2E signs the example's artifacts keyless in a release job
// against the Sigstore emulators, then checks the bundles with releaser
// verify and with sigstore-js, an independent implementation; every bad case
// is refused with its reason.
func TestAttestE2E(t *testing.T) {
	e := newPublishEnv(t)
	e.build(e.p)
	res := runBin(t, e.p.dir, e.env(), "run", "--only", "attest")
	e.scan(e.p, res)
	if res.code != 0 {
		t.Fatalf("attest: exit %d\n%s", res.code, brief(res))
	}
	bundle := e.p.path(".releaser/attestations/hello-releaser-1.2.3.sigstore.json")
	if !e.p.exists(".releaser/attestations/hello-releaser-1.2.3.sigstore.json") || e.sig.Entries() != 4 { // the release bundle, two PEP 740 attestations, npm provenance
		t.Fatalf("no bundle, or %d Rekor entries", e.sig.Entries())
	}
	if !strings.Contains(e.p.read(".releaser/audit.jsonl"), `"type":"attest.bundle"`) {
		t.Errorf("no attest.bundle audit event")
	}
	if got := e.gh.Attestations("octo-org", "octo-repo"); len(got) != 1 {
		t.Errorf("GitHub holds %d attestations, want the bundle", len(got))
	}
	m := e.manifest(e.p)
	var arts []string
	for _, a := range m.Artifacts {
		arts = append(arts, e.p.path("dist/"+a.Path))
	}

	// releaser verify takes repository, workflow, issuer and trust root from release.toml.
	res = runBin(t, e.p.dir, nil, append([]string{"verify", "--json"}, arts...)...)
	if res.code != 0 {
		t.Fatalf("verify: exit %d\n%s", res.code, res.all())
	}
	var out []struct {
		OK       bool
		Verified struct{ SAN string }
	}
	if err := json.Unmarshal([]byte(res.stdout), &out); err != nil || len(out) != len(arts) {
		t.Fatalf("verify --json: %v\n%s", err, res.stdout)
	}
	const san = "https://github.com/octo-org/octo-repo/.github/workflows/release.yml@refs/tags/v1.2.3"
	if out[0].Verified.SAN != san {
		t.Errorf("SAN %q", out[0].Verified.SAN)
	}

	changed := filepath.Join(t.TempDir(), filepath.Base(arts[0]))
	b, _ := os.ReadFile(arts[0])
	if err := os.WriteFile(changed, append(b, 0), 0o644); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(bundle)
	tampered := filepath.Join(t.TempDir(), "tampered.sigstore.json")
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	env := doc["dsseEnvelope"].(map[string]any)
	sig := env["signatures"].([]any)[0].(map[string]any)
	s := sig["sig"].(string)
	sig["sig"] = s[:10] + map[bool]string{true: "A", false: "B"}[s[10] != 'A'] + s[11:]
	tb, _ := json.Marshal(doc)
	if err := os.WriteFile(tampered, tb, 0o644); err != nil {
		t.Fatal(err)
	}
	truncated := filepath.Join(t.TempDir(), "truncated.sigstore.json")
	if err := os.WriteFile(truncated, raw[:len(raw)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	bad := []struct {
		name string
		args []string
		want string
	}{
		{"changed artifact", []string{"--bundle", bundle, changed}, "not a subject"},
		{"other workflow", []string{"--workflow", "other.yml", arts[0]}, "other.yml"},
		{"other repository", []string{"--repo", "octo-org/other", arts[0]}, "octo-org/other"},
		{"tampered signature", []string{"--bundle", tampered, arts[0]}, "signature"},
		{"truncated bundle", []string{"--bundle", truncated, arts[0]}, "bundle"},
	}
	for _, tt := range bad {
		res := runBin(t, e.p.dir, nil, append([]string{"verify"}, tt.args...)...)
		if res.code == 0 || !strings.Contains(res.stdout, "FAILED") || !strings.Contains(strings.ToLower(res.stdout), strings.ToLower(tt.want)) {
			t.Errorf("%s: exit %d, want a refusal mentioning %q\n%s", tt.name, res.code, tt.want, res.all())
		}
	}

	// sigstore-js accepts what releaser signed and refuses the tampered bundle.
	node, dir := testenv.SigstoreJS(t)
	for _, c := range []struct {
		bundle string
		ok     bool
	}{{bundle, true}, {tampered, false}} {
		cmd := exec.Command(node, filepath.Join(dir, "verify.js"), "--trusted-root", e.sig.TrustedRootPath(), "--bundle", c.bundle,
			"--artifact", arts[0], "--cert-identity", san, "--cert-issuer", e.is.URL())
		outp, err := cmd.Output()
		if (err == nil) != c.ok {
			t.Errorf("sigstore-js on %s: err %v, want ok=%v\n%s", filepath.Base(c.bundle), err, c.ok, outp)
		}
	}
}

// TestVerifyAcceptsSigstoreJSBundles: a bundle sigstore-js makes (against
// @sigstore/mock's Fulcio and TSA) passes releaser verify; another artifact
// does not.
func TestVerifyAcceptsSigstoreJSBundles(t *testing.T) {
	node, dir := testenv.SigstoreJS(t)
	work := t.TempDir()
	art := filepath.Join(work, "widget-1.2.3.tgz")
	if err := os.WriteFile(art, []byte("the widget"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(node, filepath.Join(dir, "produce.js"), "--out", work, "--artifact", art).CombinedOutput()
	if err != nil {
		t.Fatalf("produce.js: %v\n%s", err, out)
	}
	args := []string{"verify", "--config", filepath.Join(work, "none.toml"), "--bundle", filepath.Join(work, "bundle.json"),
		"--trusted-root", filepath.Join(work, "trusted_root.json"), "--repo", "octo-org/widget", "--workflow", "release.yml"}
	if res := runBin(t, work, nil, append(args, art)...); res.code != 0 {
		t.Fatalf("verify: exit %d\n%s", res.code, res.all())
	}
	other := filepath.Join(work, "other.tgz")
	if err := os.WriteFile(other, []byte("not the widget"), 0o644); err != nil {
		t.Fatal(err)
	}
	if res := runBin(t, work, nil, append(args, other)...); res.code == 0 {
		t.Errorf("verify accepted an artifact the bundle does not cover:\n%s", res.all())
	}
}
