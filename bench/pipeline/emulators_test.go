//go:build releaserbench

package pipeline

import (
	"strconv"
	"testing"

	"github.com/releaserhq/releaser/bench/release"
	"github.com/releaserhq/releaser/internal/testenv"
)

const owner, repo = "octo-org", "octo-repo"

// emulators are the services of a release job, as the publish tests set
// them up (cmd/releaser newPublishEnv): the tokens carry testenv's default
// claims (octo-org/octo-repo, release.yml, environment "release") for a
// push of the release tag.
type emulators struct {
	is     *testenv.OIDCIssuer
	pypi   *testenv.PyPI
	npm    *testenv.Npm
	crates *testenv.Crates
	gems   *testenv.RubyGems
	gh     *testenv.GitHub
	sig    *testenv.Sigstore
}

// newEmulators starts every emulator for t, npm on v (a verdaccio).
func newEmulators(t testing.TB, v *testenv.Verdaccio) *emulators {
	is := testenv.NewOIDCIssuer(t)
	is.SetRef("refs/tags/" + release.Tag)
	e := &emulators{is: is, pypi: testenv.NewPyPI(t, is), crates: testenv.NewCrates(t, is), gems: testenv.NewRubyGems(t, is),
		gh: testenv.NewGitHub(t), sig: testenv.NewSigstore(t, is)}
	e.pypi.SetUploadLimit(1 << 30)
	e.npm = testenv.NewNpmRegistry(t, is, v)
	for _, r := range []interface{ AddPublisher(testenv.Publisher) }{e.pypi, e.npm, e.crates, e.gems} {
		r.AddPublisher(testenv.DefaultPublisher(release.Name))
	}
	e.gh.AddRepo(owner, repo)
	e.gh.SetImmutableReleases(owner, repo, true)
	if err := e.pypi.SetAttestationRoot(e.sig.TrustedRootJSON()); err != nil {
		t.Fatal(err)
	}
	return e
}

// ciEnv is the release job's environment: the ID-token request variables
// and GITHUB_* of the issuer's claims, and the job's GITHUB_TOKEN.
func (e *emulators) ciEnv() map[string]string {
	env := e.is.ActionsEnv()
	env["GITHUB_TOKEN"] = e.gh.Token()
	return env
}

// preApprove protects the environments an [approval] section names as
// releaser requires (team reviewers, self-review prevented, deployments
// from release tags only; a ruleset locking the tags) and records the
// run of the issuer's claims (run_id, actor) with two distinct approvers
// of the first two, before the run starts: the approve stage counts them
// at its first poll instead of waiting.
func (e *emulators) preApprove(t testing.TB, envs []string, team string) {
	if len(envs) < 2 {
		t.Fatalf("want at least two approval environments, got %q", envs)
	}
	for _, name := range envs {
		e.gh.AddEnvironment(owner, repo, testenv.EmuEnvironment{Name: name, PreventSelfReview: true, DeploymentPolicy: "custom",
			Reviewers: []testenv.EmuReviewer{{Type: "Team", Login: team}},
			Policies:  []testenv.EmuPolicy{{Name: "v*", Type: "tag"}}})
	}
	e.gh.AddRuleset(owner, repo, testenv.EmuRuleset{Name: "release tags", Target: "tag", Enforcement: "active",
		Include: []string{"refs/tags/v*"}, Rules: []string{"update", "deletion"}, Source: "Repository"})
	claims := e.is.Claims()
	actor, _ := claims["actor"].(string)
	runID := claimInt(t, claims, "run_id")
	e.gh.AddRun(owner, repo, runID, actor, actor, 1)
	e.gh.Approve(owner, repo, runID, "alice", 1, "lgtm", envs[0])
	e.gh.Approve(owner, repo, runID, "bob", 2, "lgtm", envs[1])
}

// published is what a full run must have left at the emulators.
type published struct {
	pypi, npm, crates, gems int
	assets                  int // at least: the artifacts
}

// check fails the benchmark unless the full run published everything.
func (e *emulators) check(t testing.TB, want published) {
	got := published{e.pypi.Uploads(), e.npm.Uploads(), e.crates.Uploads(), e.gems.Uploads(), e.gh.Uploads()}
	if got.pypi != want.pypi || got.npm != want.npm || got.crates != want.crates || got.gems != want.gems || got.assets < want.assets {
		t.Errorf("emulators hold %+v, want %+v (assets: at least)", got, want)
	}
	rels := e.gh.Releases(owner, repo)
	if len(rels) != 1 || rels[0].Draft || !rels[0].Immutable {
		t.Fatalf("GitHub releases after the full run: %+v", rels)
	}
}

// claimInt is a numeric claim, which GitHub sends as a string.
func claimInt(t testing.TB, claims map[string]any, name string) int64 {
	s, _ := claims[name].(string)
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatalf("claim %s = %v is not a number", name, claims[name])
	}
	return n
}
