package attest

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sigstore/sigstore-go/pkg/sign"
)

// TestVerifyRefuses covers every bad case of the issue, each refused with
// the check that failed in plain words, and no token in any message.
func TestVerifyRefuses(t *testing.T) {
	ctx := context.Background()
	e := newSigEnv(t, 0)
	rekorBundle := e.sign(t, TransparencyRekor, wheel)
	tsaBundle := e.sign(t, TransparencyTSA, wheel)
	otherBundle := e.sign(t, TransparencyRekor, other)
	foreign := newSigEnv(t, 0)

	// Bundles signed an hour ago, by the emulators' clock, whose
	// certificates expired fifty minutes ago.
	old := newSigEnv(t, -time.Hour)
	oldRekor := old.sign(t, TransparencyRekor, wheel)
	oldTSA := old.sign(t, TransparencyTSA, wheel)
	old.is.Clock().Real()
	restamped := restamp(t, oldTSA, old.ss.TSAURL())

	forgedBuild := e.build(t)
	forgedBuild.SHA = strings.Repeat("d", 40)
	forgedOpts := e.signOptions(TransparencyRekor)
	forgedOpts.TrustedRoot = "" // skip Sign's own cross-check to get the bundle out
	forged, err := Sign(ctx, e.statement(t, forgedBuild, wheel), forgedOpts)
	if err != nil {
		t.Fatal(err)
	}
	notSLSA, err := Sign(ctx, []byte(`{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a","digest":{"sha256":"`+wheel.sha256()+`"}}],"predicateType":"https://spdx.dev/Document","predicate":{}}`), e.signOptions(TransparencyRekor))
	if err != nil {
		t.Fatal(err)
	}
	local, err := Sign(ctx, e.statement(t, e.build(t), wheel), SignOptions{Local: true})
	if err != nil {
		t.Fatal(err)
	}

	changed := artifact{wheel.name, append([]byte("x"), wheel.data...)}
	opts := func(a artifact, edit func(*VerifyOptions)) VerifyOptions {
		o := e.verifyOptions(a)
		if edit != nil {
			edit(&o)
		}
		return o
	}
	tests := []struct {
		name   string
		bundle []byte
		opts   VerifyOptions
		want   string
	}{
		{"changed artifact", rekorBundle, opts(changed, nil),
			"artifact " + wheel.name + " (sha256 " + changed.sha256() + ") is not a subject of this bundle (it covers " + wheel.name + " (sha256 " + wheel.sha256() + "))"},
		{"bundle for another digest", otherBundle, opts(wheel, nil),
			"is not a subject of this bundle (it covers " + other.name + " (sha256 " + other.sha256() + "))"},
		{"other workflow", rekorBundle, opts(wheel, func(o *VerifyOptions) { o.Policy.Workflow = "deploy.yml" }),
			"the bundle was signed by workflow https://github.com/octo-org/octo-repo/.github/workflows/release.yml@refs/tags/v1.2.3, expected https://github.com/octo-org/octo-repo/.github/workflows/deploy.yml@refs/tags/v1.2.3"},
		{"workflow name with regexp metacharacters", rekorBundle, opts(wheel, func(o *VerifyOptions) { o.Policy.Workflow = "rel.ase.yml" }),
			"expected https://github.com/octo-org/octo-repo/.github/workflows/rel.ase.yml@refs/tags/v1.2.3"},
		{"workflow name that is a prefix", rekorBundle, opts(wheel, func(o *VerifyOptions) { o.Policy.Workflow, o.Policy.Ref = "release", "" }),
			"expected https://github.com/octo-org/octo-repo/.github/workflows/release at any ref"},
		{"other ref", rekorBundle, opts(wheel, func(o *VerifyOptions) { o.Policy.Workflow, o.Policy.Ref = "", "refs/tags/v9.9.9" }),
			"the bundle was signed for ref refs/tags/v1.2.3, expected refs/tags/v9.9.9"},
		{"other repository", rekorBundle, opts(wheel, func(o *VerifyOptions) { o.Policy.Repository = "octo-org/other-repo" }),
			"the bundle was signed in repository https://github.com/octo-org/octo-repo, expected https://github.com/octo-org/other-repo"},
		{"other issuer", rekorBundle, opts(wheel, func(o *VerifyOptions) { o.Policy.Issuer = GitHubIssuer }),
			"the bundle's certificate was issued for tokens of " + e.is.URL() + ", expected " + GitHubIssuer},
		{"expired certificate, log entry removed", strip(t, oldRekor, "tlogEntries"), old.verifyOptions(wheel),
			"no timestamp proves it was used in time: the bundle has neither a transparency log entry nor a signed timestamp"},
		{"expired certificate, timestamp removed", strip(t, oldTSA, "timestampVerificationData"), old.verifyOptions(wheel),
			"no timestamp proves it was used in time: the bundle has neither a transparency log entry nor a signed timestamp"},
		{"expired certificate, timestamp from after it expired", restamped, old.verifyOptions(wheel),
			"certificate expired and no timestamp proves it was used in time: it was valid from"},
		{"fresh certificate, no timestamp", strip(t, rekorBundle, "tlogEntries"), opts(wheel, nil),
			"nothing proves when the bundle was signed"},
		{"tampered signature", tamperSignature(t, rekorBundle), opts(wheel, nil),
			"signature does not verify: the bundle was altered after it was signed"},
		{"tampered signature, TSA bundle", tamperSignature(t, tsaBundle), opts(wheel, nil),
			"signature does not verify: the bundle was altered after it was signed"},
		{"subject swapped in the payload", swapSubject(t, rekorBundle, wheel, other), opts(other, nil),
			"signature does not verify: the bundle was altered after it was signed"},
		{"truncated bundle", rekorBundle[:len(rekorBundle)/2], opts(wheel, nil),
			"not a valid Sigstore bundle (truncated or corrupted?)"},
		{"empty bundle", nil, opts(wheel, nil), "not a valid Sigstore bundle"},
		{"log not in the trusted root", rekorBundle, opts(wheel, func(o *VerifyOptions) { o.TrustedRoot = foreign.ss.TrustedRootPath() }),
			"the transparency log entry does not verify"},
		{"timestamp authority not in the trusted root", tsaBundle, opts(wheel, func(o *VerifyOptions) { o.TrustedRoot = foreign.ss.TrustedRootPath() }),
			"the bundle's timestamp does not verify against the trusted root"},
		{"forged predicate", forged, opts(wheel, nil),
			"the provenance does not match its signing certificate: it says the commit (resolvedDependencies gitCommit) is " + forgedBuild.SHA + ", the certificate says " + e.build(t).SHA},
		{"not SLSA provenance", notSLSA, opts(wheel, nil), `the bundle's predicate is "https://spdx.dev/Document", not SLSA provenance v1`},
		{"local bundle", local, opts(wheel, nil), ErrSignedLocally.Error()},
		{"artifact digest not hex", rekorBundle, opts(wheel, func(o *VerifyOptions) { o.ArtifactSHA256 = "sha256:" + wheel.sha256() }), "is not 64 hex digits"},
		{"repository not owner/name", rekorBundle, opts(wheel, func(o *VerifyOptions) { o.Policy.Repository = "octo-repo" }), `repository "octo-repo" is not owner/name`},
		{"workflow with a ref", rekorBundle, opts(wheel, func(o *VerifyOptions) { o.Policy.Workflow = "release.yml@refs/tags/v1.2.3" }), "give the file alone"},
		{"trusted root missing", rekorBundle, opts(wheel, func(o *VerifyOptions) { o.TrustedRoot = t.TempDir() + "/none.json" }), "reading the trusted root"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := Verify(ctx, tt.bundle, tt.opts)
			if v != nil {
				t.Errorf("Verify returned %+v with the error", v)
			}
			wantErr(t, err, tt.want)
			e.noSecrets(t, err.Error())
			old.noSecrets(t, err.Error())
		})
	}

	// The controls: the undamaged originals verify, the old ones too,
	// since their log entry and timestamp date them inside the
	// certificate's ten minutes.
	controls := []struct {
		name   string
		bundle []byte
		env    sigEnv
	}{{"rekor", rekorBundle, e}, {"tsa", tsaBundle, e}, {"old rekor", oldRekor, old}, {"old tsa", oldTSA, old}}
	for _, c := range controls {
		if _, err := Verify(ctx, c.bundle, c.env.verifyOptions(wheel)); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	if _, err := Verify(ctx, local, opts(wheel, nil)); !errors.Is(err, ErrSignedLocally) {
		t.Errorf("local bundle: %v, want ErrSignedLocally", err)
	}
}

// TestSignRefusesForgedPredicate: with a trusted root, Sign checks its own
// bundle and will not hand out one whose predicate describes another run.
func TestSignRefusesForgedPredicate(t *testing.T) {
	e := newSigEnv(t, 0)
	b := e.build(t)
	b.Ref = "refs/tags/v0.0.1"
	b.WorkflowRef = "octo-org/octo-repo/.github/workflows/release.yml@refs/tags/v0.0.1"
	_, err := Sign(context.Background(), e.statement(t, b, wheel), e.signOptions(TransparencyRekor))
	wantErr(t, err, "the bundle just signed does not verify against "+e.ss.TrustedRootPath()+": the provenance does not match its signing certificate: it says the ref (workflow.ref) is refs/tags/v0.0.1, the certificate says refs/tags/v1.2.3")
}

// strip removes a member of verificationMaterial.
func strip(t *testing.T, bundle []byte, member string) []byte {
	return editBundle(t, bundle, func(m map[string]any) {
		delete(obj(m, "verificationMaterial"), member)
	})
}

func tamperSignature(t *testing.T, bundle []byte) []byte {
	return editBundle(t, bundle, func(m map[string]any) {
		sig := obj(m, "dsseEnvelope")["signatures"].([]any)[0].(map[string]any)
		raw, err := base64.StdEncoding.DecodeString(sig["sig"].(string))
		if err != nil {
			t.Fatal(err)
		}
		raw[len(raw)/2] ^= 0x01
		sig["sig"] = base64.StdEncoding.EncodeToString(raw)
	})
}

// swapSubject rewrites the signed statement so it claims to cover to
// instead of from: what someone passing off another file would do.
func swapSubject(t *testing.T, bundle []byte, from, to artifact) []byte {
	return editBundle(t, bundle, func(m map[string]any) {
		env := obj(m, "dsseEnvelope")
		payload, err := base64.StdEncoding.DecodeString(env["payload"].(string))
		if err != nil {
			t.Fatal(err)
		}
		swapped := strings.ReplaceAll(string(payload), from.sha256(), to.sha256())
		env["payload"] = base64.StdEncoding.EncodeToString([]byte(swapped))
	})
}

// restamp replaces the bundle's RFC 3161 timestamp with one the TSA makes
// now, over the same signature: genuine, but later than the certificate.
func restamp(t *testing.T, bundle []byte, tsaURL string) []byte {
	return editBundle(t, bundle, func(m map[string]any) {
		sig := obj(m, "dsseEnvelope")["signatures"].([]any)[0].(map[string]any)
		raw, err := base64.StdEncoding.DecodeString(sig["sig"].(string))
		if err != nil {
			t.Fatal(err)
		}
		ts, err := sign.NewTimestampAuthority(&sign.TimestampAuthorityOptions{URL: tsaURL}).GetTimestamp(context.Background(), raw)
		if err != nil {
			t.Fatal(err)
		}
		stamps := obj(m, "verificationMaterial", "timestampVerificationData")["rfc3161Timestamps"].([]any)
		stamps[0].(map[string]any)["signedTimestamp"] = base64.StdEncoding.EncodeToString(ts)
	})
}
