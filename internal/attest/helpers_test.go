package attest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/releaserhq/releaser/internal/testenv"
)

// artifact is a release file and its subject.
type artifact struct {
	name string
	data []byte
}

func (a artifact) sha256() string {
	sum := sha256.Sum256(a.data)
	return hex.EncodeToString(sum[:])
}

func (a artifact) subject() Subject { return Subject{Name: a.name, SHA256: a.sha256()} }

var (
	wheel = artifact{"octo_repo-1.2.3-py3-none-any.whl", []byte("wheel bytes\n")}
	sdist = artifact{"octo_repo-1.2.3.tar.gz", []byte("sdist bytes\n")}
	other = artifact{"octo_repo-9.9.9.tar.gz", []byte("another release\n")}
)

// sigEnv is an OIDC issuer and the Sigstore emulators trusting it.
type sigEnv struct {
	is *testenv.OIDCIssuer
	ss *testenv.Sigstore
}

// newSigEnv starts the emulators; shift moves their shared clock first, so
// the CA is already valid at the shifted time.
func newSigEnv(t *testing.T, shift time.Duration) sigEnv {
	t.Helper()
	is := testenv.NewOIDCIssuer(t)
	is.Clock().Advance(shift)
	return sigEnv{is: is, ss: testenv.NewSigstore(t, is)}
}

// claims are the next token's claims as strings, as identity hands them on.
func (e sigEnv) claims() map[string]string {
	out := map[string]string{}
	for k, v := range e.is.Claims() {
		out[k] = fmt.Sprint(v)
	}
	return out
}

func (e sigEnv) build(t *testing.T) Build {
	t.Helper()
	b, err := BuildFromClaims(e.claims(), "")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (e sigEnv) statement(t *testing.T, b Build, arts ...artifact) []byte {
	t.Helper()
	var subs []Subject
	for _, a := range arts {
		subs = append(subs, a.subject())
	}
	st, err := Statement(subs, b)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// signOptions signs keyless through the emulators, minting a fresh
// sigstore-audience token per call.
func (e sigEnv) signOptions(mode string) SignOptions {
	return SignOptions{
		FulcioURL: e.ss.FulcioURL(), RekorURL: e.ss.RekorURL(), TSAURL: e.ss.TSAURL(),
		Transparency: mode,
		IDToken: func(context.Context) (string, error) {
			return e.is.Mint("sigstore", nil), nil
		},
		TrustedRoot: e.ss.TrustedRootPath(),
		HTTPClient:  &http.Client{Timeout: 10 * time.Second},
	}
}

func (e sigEnv) sign(t *testing.T, mode string, arts ...artifact) []byte {
	t.Helper()
	b, err := Sign(context.Background(), e.statement(t, e.build(t), arts...), e.signOptions(mode))
	if err != nil {
		t.Fatalf("sign: %v (emulator refusals %q)", err, e.ss.Refusals())
	}
	return b
}

// policy is the policy the default claims satisfy: octo-org/octo-repo's
// release.yml at refs/tags/v1.2.3, tokens of the emulated issuer.
func (e sigEnv) policy() Policy {
	return Policy{
		Issuer:     e.is.URL(),
		Repository: testenv.DefaultOwner + "/" + testenv.DefaultRepo,
		Workflow:   testenv.DefaultWorkflow,
		Ref:        testenv.DefaultRef,
	}
}

func (e sigEnv) verifyOptions(a artifact) VerifyOptions {
	return VerifyOptions{TrustedRoot: e.ss.TrustedRootPath(), Policy: e.policy(), ArtifactSHA256: a.sha256(), ArtifactName: a.name}
}

// noSecrets fails when text holds any token the issuer minted.
func (e sigEnv) noSecrets(t *testing.T, text string) {
	t.Helper()
	for _, tok := range e.is.Minted() {
		if strings.Contains(text, tok) {
			t.Fatalf("a minted ID token appears in %q", text)
		}
	}
}

// editBundle decodes a bundle into generic JSON, lets edit change it and
// encodes it again, the way someone altering the file would.
func editBundle(t *testing.T, bundle []byte, edit func(m map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(bundle, &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func obj(m map[string]any, path ...string) map[string]any {
	for _, p := range path {
		m = m[p].(map[string]any)
	}
	return m
}

func wantErr(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one containing %q", want)
	}
	if !strings.Contains(err.Error(), want) {
		t.Fatalf("error %q\ndoes not contain %q", err, want)
	}
}
