package main

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/releaserhq/releaser/internal/artifact"
	"github.com/releaserhq/releaser/internal/testenv"
)

var (
	mkdistOnce sync.Once
	mkdistBin  string
	mkdistErr  error
)

// mkdist is the example project's builder, compiled once: the publish tests
// release real wheel, sdist, npm, crate and gem files.
func mkdist(t *testing.T) string {
	t.Helper()
	mkdistOnce.Do(func() {
		mkdistBin = filepath.Join(filepath.Dir(binary), "mkdist")
		out, err := exec.Command("go", "build", "-o", mkdistBin, "../../testdata/example/mkdist").CombinedOutput()
		if err != nil {
			mkdistErr = fmt.Errorf("build mkdist: %v\n%s", err, out)
		}
	})
	if mkdistErr != nil {
		t.Fatal(mkdistErr)
	}
	return mkdistBin
}

// publishEnv is the example project released to every registry emulator
// and a GitHub emulator from a GitHub Actions job.
type publishEnv struct {
	t      *testing.T
	is     *testenv.OIDCIssuer
	pypi   *testenv.PyPI
	npm    *testenv.Npm
	crates *testenv.Crates
	gems   *testenv.RubyGems
	gh     *testenv.GitHub
	sig    *testenv.Sigstore
	p      *project
	extra  string // appended to release.toml
	final  bool   // the release is expected published, not a draft
}

func newPublishEnv(t *testing.T) *publishEnv {
	t.Helper()
	return newPublishEnvWith(t, nil)
}

// newPublishEnvWith lets the caller prepare the emulators and add to
// release.toml (extra) before the project is committed.
func newPublishEnvWith(t *testing.T, extra func(e *publishEnv) string) *publishEnv {
	t.Helper()
	is := testenv.NewOIDCIssuer(t)
	is.SetRef("refs/tags/v1.2.3")
	e := &publishEnv{t: t, is: is, pypi: testenv.NewPyPI(t, is), crates: testenv.NewCrates(t, is), gems: testenv.NewRubyGems(t, is),
		gh: testenv.NewGitHub(t), sig: testenv.NewSigstore(t, is)}
	e.npm = testenv.NewNpmRegistry(t, is, testenv.StartVerdaccio(t))
	for _, r := range []interface{ AddPublisher(testenv.Publisher) }{e.pypi, e.npm, e.crates, e.gems} {
		r.AddPublisher(testenv.DefaultPublisher("hello-releaser"))
	}
	e.gh.AddRepo("octo-org", "octo-repo")
	// PyPI checks the PEP 740 attestations' chain against this Sigstore.
	if err := e.pypi.SetAttestationRoot(e.sig.TrustedRootJSON()); err != nil {
		t.Fatal(err)
	}
	if extra != nil {
		e.extra = extra(e)
	}
	e.p = e.project("2024-05-06T07:08:09Z")
	return e
}

// project copies the example's sources into a fresh repository tagged
// v1.2.3, committed at date (the build's SOURCE_DATE_EPOCH: another date
// gives other bytes for the same version).
func (e *publishEnv) project(date string) *project {
	t := e.t
	t.Helper()
	dir := t.TempDir()
	testenv.CopyTree(t, filepath.Join("..", "..", "testdata", "example"), dir, "dist", ".releaser", "mkdist")
	p := &project{dir: dir, t: t}
	p.write("release.toml", fmt.Sprintf(`[project]
name = "hello-releaser"
version_from = "VERSION"

[build]
artifacts = ["*.whl", "*.tar.gz", "*.tgz", "*.crate", "*.gem"]

[[build.command]]
argv = [%q, "-out", "dist"]

[identity]
issuer = %q
repository = "octo-org/octo-repo"
repository_owner_id = "65"
workflow = "release.yml"
environment = "release"

[[registry]]
kind = "pypi"
url = %q

[[registry]]
kind = "npm"
package = "hello-releaser"
url = %q
# verdaccio 6.8 answers "unsupported registry call" to a publish carrying a
# provenance attachment (registry.npmjs.org takes it; the registry tests
# check the attachment itself).
provenance = false

[[registry]]
kind = "crates"
url = %q

[[registry]]
kind = "rubygems"
url = %q

[github]
api_url = %q

[attest]
fulcio_url = %q
rekor_url = %q
tsa_url = %q
trusted_root = %q
%s`, mkdist(t), e.is.URL(), e.pypi.URL(), e.npm.URL(), e.crates.URL(), e.gems.URL(), e.gh.APIURL(),
		e.sig.FulcioURL(), e.sig.RekorURL(), e.sig.TSAURL(), e.sig.TrustedRootPath(), e.extra))
	p.write(".gitignore", "dist/\n.releaser/\n")
	gitRun(t, dir, "init", "-q", "-b", "main")
	gitRun(t, dir, "config", "commit.gpgsign", "false")
	gitRun(t, dir, "config", "tag.gpgsign", "false")
	gitRun(t, dir, "add", "-A")
	cmd := exec.Command("git", "commit", "-q", "-m", "release 1.2.3")
	cmd.Dir = dir
	cmd.Env = append(baseEnv(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.org", "GIT_COMMITTER_NAME=t",
		"GIT_COMMITTER_EMAIL=t@example.org", "GIT_AUTHOR_DATE="+date, "GIT_COMMITTER_DATE="+date)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git commit: %v\n%s", err, out)
	}
	gitRun(t, dir, "tag", "-a", "-m", "v1.2.3", "v1.2.3")
	return p
}

func (e *publishEnv) env() []string {
	env := []string{"GITHUB_TOKEN=" + e.gh.Token()}
	for k, v := range e.is.ActionsEnv() {
		env = append(env, k+"="+v)
	}
	return env
}

func (e *publishEnv) holders() []testenv.SecretHolder {
	return []testenv.SecretHolder{e.is, e.pypi, e.npm, e.crates, e.gems, e.gh}
}

// build runs the build job; publish the publishing job (attest, exchange,
// publish; approvals are not configured).
func (e *publishEnv) build(p *project) {
	e.t.Helper()
	res := runBin(e.t, p.dir, nil, "run", "--to", "build", "--tag", "v1.2.3")
	if res.code != 0 {
		e.t.Fatalf("build: exit %d\n%s", res.code, brief(res))
	}
}

func (e *publishEnv) publish(p *project) result {
	e.t.Helper()
	res := runBin(e.t, p.dir, e.env(), "run", "--from", "attest", "--to", "publish")
	e.scan(p, res)
	return res
}

// scan looks for every secret the emulators handed out in every output and
// every file of the project.
func (e *publishEnv) scan(p *project, res result) {
	e.t.Helper()
	testenv.AssertNoSecrets(e.t, "stdout", []byte(withoutLines(res.stdout, "::add-mask::")), e.holders()...)
	testenv.AssertNoSecrets(e.t, "stderr", []byte(res.stderr), e.holders()...)
	_ = filepath.WalkDir(p.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err == nil {
			rel, _ := filepath.Rel(p.dir, path)
			testenv.AssertNoSecrets(e.t, rel, b, e.holders()...)
		}
		return nil
	})
}

// uploads is how many files each emulator has accepted.
func (e *publishEnv) uploads() string {
	return fmt.Sprintf("pypi=%d npm=%d crates=%d rubygems=%d github=%d", e.pypi.Uploads(), e.npm.Uploads(), e.crates.Uploads(), e.gems.Uploads(), e.gh.Uploads())
}

func (e *publishEnv) manifest(p *project) *artifact.Manifest {
	e.t.Helper()
	m, err := artifact.ReadFile(p.path("dist/releaser-manifest.json"))
	if err != nil {
		e.t.Fatal(err)
	}
	return m
}

// assertPublished checks every registry and the draft release hold exactly
// the built files, once.
func (e *publishEnv) assertPublished(p *project) {
	t := e.t
	t.Helper()
	m := e.manifest(p)
	digest := map[string]string{}
	for _, a := range m.Artifacts {
		digest[a.Name] = a.Digests.SHA256
	}
	files := e.pypi.Files("hello-releaser")
	if len(files) != 2 {
		t.Errorf("PyPI holds %d files, want the wheel and the sdist", len(files))
	}
	for _, f := range files {
		if digest[f.Filename] != f.SHA256 {
			t.Errorf("PyPI %s sha256 %s, built %s", f.Filename, f.SHA256, digest[f.Filename])
		}
		if f.Form.Get("summary") == "" || f.Form.Get("name") != "hello-releaser" {
			t.Errorf("PyPI %s metadata form: %v", f.Filename, f.Form)
		}
		if len(f.Attestations) != 1 {
			t.Errorf("PyPI %s was uploaded with %d PEP 740 attestations, want 1", f.Filename, len(f.Attestations))
		}
	}
	crates := e.crates.Crates()
	if len(crates) != 1 || crates[0].Checksum != digest["hello-releaser-1.2.3.crate"] {
		t.Errorf("crates.io holds %+v", crates)
	}
	gems := e.gems.Gems()
	if len(gems) != 1 || gems[0].SHA256 != digest["hello-releaser-1.2.3.gem"] {
		t.Errorf("RubyGems holds %+v", gems)
	}
	pk, err := e.npm.Packument("hello-releaser")
	if err != nil {
		t.Fatalf("npm packument: %v", err)
	}
	versions, _ := pk["versions"].(map[string]any)
	v, _ := versions["1.2.3"].(map[string]any)
	dist, _ := v["dist"].(map[string]any)
	if dist["integrity"] == nil {
		t.Errorf("npm has no 1.2.3 with an integrity: %v", pk)
	}
	rels := e.gh.Releases("octo-org", "octo-repo")
	if len(rels) != 1 || rels[0].Draft == e.final {
		t.Fatalf("GitHub releases: %+v", rels)
	}
	for name := range digest {
		if b := e.gh.AssetBytes("octo-org", "octo-repo", "v1.2.3", name); b == nil {
			t.Errorf("release has no asset %s", name)
		}
	}
	if b := e.gh.AssetBytes("octo-org", "octo-repo", "v1.2.3", "hello-releaser-1.2.3.sigstore.json"); b == nil {
		t.Errorf("release has no provenance bundle")
	}
	sums := string(e.gh.AssetBytes("octo-org", "octo-repo", "v1.2.3", "SHA256SUMS"))
	for name, d := range digest {
		if !strings.Contains(sums, d+"  "+name+"\n") {
			t.Errorf("SHA256SUMS lacks %s:\n%s", name, sums)
		}
	}
}

func TestPublishE2E(t *testing.T) {
	e := newPublishEnv(t)
	e.build(e.p)
	res := e.publish(e.p)
	if res.code != 0 {
		t.Fatalf("publish: exit %d\n%s", res.code, brief(res))
	}
	t.Logf("first run:\n%s", brief(res))
	e.assertPublished(e.p)
	first := e.uploads()
	if first != "pypi=2 npm=1 crates=1 rubygems=1 github=7" {
		t.Errorf("uploads after the first run: %s", first)
	}

	// A re-run publishes nothing new and says so.
	res = e.publish(e.p)
	if res.code != 0 {
		t.Fatalf("re-run: exit %d\n%s", res.code, brief(res))
	}
	if got := e.uploads(); got != first {
		t.Errorf("re-run uploaded again: %s, first run %s", got, first)
	}
	for _, s := range []string{"already published", "already there"} {
		if !strings.Contains(res.stdout, s) {
			t.Errorf("re-run does not say %q:\n%s", s, brief(res))
		}
	}
	t.Logf("re-run:\n%s", brief(res))
	e.assertPublished(e.p)
}

// TestPublishRefusesTamperedArtifact: a file changed after the build is
// refused before any upload anywhere.
func TestPublishRefusesTamperedArtifact(t *testing.T) {
	e := newPublishEnv(t)
	e.build(e.p)
	gem := e.p.path("dist/hello-releaser-1.2.3.gem")
	b, err := os.ReadFile(gem)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0xff
	if err := os.WriteFile(gem, b, 0o644); err != nil {
		t.Fatal(err)
	}
	res := e.publish(e.p)
	if res.code == 0 || !strings.Contains(res.all(), "hello-releaser-1.2.3.gem") {
		t.Fatalf("tampered artifact: exit %d\n%s", res.code, brief(res))
	}
	if got := e.uploads(); got != "pypi=0 npm=0 crates=0 rubygems=0 github=0" {
		t.Errorf("uploads after a refused publish: %s", got)
	}
}

// TestPublishStopsOnDifferentFile: a registry that already has a different
// file for this version stops the run before anything is sent anywhere.
func TestPublishStopsOnDifferentFile(t *testing.T) {
	e := newPublishEnv(t)
	// Another build of 1.2.3 (another commit time → other bytes) published first.
	other := e.project("2025-01-02T03:04:05Z")
	e.build(other)
	if res := e.publish(other); res.code != 0 {
		t.Fatalf("first publish: exit %d\n%s", res.code, brief(res))
	}
	before := e.uploads()
	e.build(e.p)
	res := e.publish(e.p)
	if res.code != 1 {
		t.Fatalf("publishing different bytes: exit %d\n%s", res.code, brief(res))
	}
	if !strings.Contains(res.all(), "nothing was uploaded anywhere") || !strings.Contains(res.all(), "release a new version") {
		t.Errorf("no clear refusal:\n%s", brief(res))
	}
	if got := e.uploads(); got != before {
		t.Errorf("uploads changed: %s → %s", before, got)
	}
}

var _ = time.Second

// TestPublishStopsOnDifferentGitHubAsset: a draft release that already holds
// another file under an artifact's name stops the run before any registry
// upload.
func TestPublishStopsOnDifferentGitHubAsset(t *testing.T) {
	e := newPublishEnv(t)
	id := e.gh.AddRelease("octo-org", "octo-repo", "v1.2.3", true)
	e.gh.AddAsset("octo-org", "octo-repo", id, "hello-releaser-1.2.3.gem", []byte("not the gem we built"), false)
	e.build(e.p)
	res := e.publish(e.p)
	if res.code != 1 || !strings.Contains(res.all(), "GitHub release v1.2.3 has hello-releaser-1.2.3.gem with sha256:") ||
		!strings.Contains(res.all(), "nothing was uploaded anywhere") {
		t.Fatalf("exit %d\n%s", res.code, brief(res))
	}
	if got := e.uploads(); got != "pypi=0 npm=0 crates=0 rubygems=0 github=0" {
		t.Errorf("uploads: %s", got)
	}
}
