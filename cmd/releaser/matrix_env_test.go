package main

import (
	"bytes"
	"fmt"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/releaserhq/releaser/internal/testenv"
)

// matrixEnv is one whole release of the example project — build, attest,
// two approvals, exchange, publish to every registry, the immutable GitHub
// release — run by one job (`releaser run`) against a fresh set of emulators,
// so a scenario can disturb any stage and compare the end state with an
// undisturbed run's.
type matrixEnv struct {
	*publishEnv
	variant   matrixVariant
	home, tmp string // HOME and TMPDIR of the binary, so the sweep can read them
	ghOutput  string // GITHUB_OUTPUT
	ghSummary string // GITHUB_STEP_SUMMARY
	releaseID int64  // the id the emulator will give the release the run creates
	runs      []result
}

// matrixVariant is what a scenario's environment differs in.
type matrixVariant struct {
	tsa     bool // sign with a timestamp instead of a Rekor entry
	pending bool // bob has not approved yet: the approve stage waits for him
}

const matrixApprovals = `
[approval]
required = 2
environments = ["gate-1", "gate-2", "release"]
reviewers = ["@octo-org/release-team"]
poll_interval = "50ms"
timeout = "60s"
`

// newMatrixEnv starts the emulators (npm's verdaccio borrowed from pool) and
// the example project, as newPublishEnvWith does.
func newMatrixEnv(t *testing.T, pool *testenv.VerdaccioPool, v matrixVariant) *matrixEnv {
	t.Helper()
	is := testenv.NewOIDCIssuer(t)
	is.SetRef("refs/tags/v1.2.3")
	// The job's ID tokens and its environment agree on the run (the audit
	// checks that tokens were minted for the run that logged them).
	is.Set("run_id", fmt.Sprint(runID))
	is.Set("actor", "carol")
	pe := &publishEnv{t: t, is: is, pypi: testenv.NewPyPI(t, is), crates: testenv.NewCrates(t, is), gems: testenv.NewRubyGems(t, is),
		gh: testenv.NewGitHub(t), sig: testenv.NewSigstore(t, is), final: true}
	pe.npm = testenv.NewNpmRegistry(t, is, pool.Get(t, "hello-releaser"))
	for _, r := range []interface{ AddPublisher(testenv.Publisher) }{pe.pypi, pe.npm, pe.crates, pe.gems} {
		r.AddPublisher(testenv.DefaultPublisher("hello-releaser"))
	}
	if err := pe.pypi.SetAttestationRoot(pe.sig.TrustedRootJSON()); err != nil {
		t.Fatal(err)
	}
	gh := pe.gh
	gh.AddRepo("octo-org", "octo-repo")
	for _, env := range []string{"gate-1", "gate-2", "release"} {
		gh.AddEnvironment("octo-org", "octo-repo", goodEmuEnv(env))
	}
	gh.AddRuleset("octo-org", "octo-repo", testenv.EmuRuleset{Name: "release tags", Target: "tag", Enforcement: "active",
		Include: []string{"refs/tags/v*"}, Rules: []string{"update", "deletion"}, Source: "Repository"})
	gh.AddRun("octo-org", "octo-repo", runID, "carol", "carol", 1)
	gh.Approve("octo-org", "octo-repo", runID, "alice", 1, "ok", "gate-1")
	if v.pending {
		gh.SetPending("octo-org", "octo-repo", runID, "gate-2")
	} else {
		gh.Approve("octo-org", "octo-repo", runID, "bob", 2, "ok", "gate-2")
	}
	gh.SetImmutableReleases("octo-org", "octo-repo", true)
	// The extra text is appended inside [attest].
	if v.tsa {
		pe.extra = "transparency = \"tsa\"\n"
	}
	pe.extra += matrixApprovals
	pe.p = pe.project("2024-05-06T07:08:09Z")
	gh.AddTag("octo-org", "octo-repo", "v1.2.3", gitRun(t, pe.p.dir, "rev-parse", "HEAD"), true)
	e := &matrixEnv{publishEnv: pe, variant: v, home: t.TempDir(), tmp: t.TempDir()}
	dir := t.TempDir()
	e.ghOutput, e.ghSummary = filepath.Join(dir, "output"), filepath.Join(dir, "summary")
	e.releaseID = e.nextGitHubID()
	e.sweepAtEnd()
	return e
}

// nextGitHubID is the id the GitHub emulator gives the next object it
// creates (it counts one sequence across repositories), found by creating
// a release in a scratch repository. Faults on the release's own paths are
// queued with it before the run creates the release; every fault is checked
// to have fired, so a wrong guess fails the test instead of passing it.
func (e *matrixEnv) nextGitHubID() int64 {
	e.gh.AddRepo("octo-org", "id-probe")
	return e.gh.AddRelease("octo-org", "id-probe", "v0.0.0", true) + 1
}

func (e *matrixEnv) releasePath() string {
	return fmt.Sprintf("/api/v3/repos/octo-org/octo-repo/releases/%d", e.releaseID)
}

func (e *matrixEnv) uploadPath() string {
	return fmt.Sprintf("/api/uploads/repos/octo-org/octo-repo/releases/%d/assets", e.releaseID)
}

func (e *matrixEnv) env() []string {
	return append(e.publishEnv.env(), "HOME="+e.home, "TMPDIR="+e.tmp,
		"GITHUB_OUTPUT="+e.ghOutput, "GITHUB_STEP_SUMMARY="+e.ghSummary)
}

// run is the release job: every stage, as the workflow runs it on a tag.
func (e *matrixEnv) run() result {
	e.t.Helper()
	res := runBin(e.t, e.p.dir, e.env(), "run")
	e.runs = append(e.runs, res)
	return res
}

// runKilled starts the release job and SIGKILLs it as soon as killAt holds
// (checked every few milliseconds). It reports whether the kill happened
// before the job ended by itself.
func (e *matrixEnv) runKilled(killAt func() bool) (result, bool) {
	e.t.Helper()
	cmd := exec.Command(binary, "run")
	cmd.Dir = e.p.dir
	cmd.Env = append(baseEnv(), e.env()...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	killed := false
	var err error
wait:
	for {
		select {
		case err = <-done:
			break wait
		case <-time.After(2 * time.Millisecond):
			if killAt() {
				_ = cmd.Process.Signal(syscall.SIGKILL)
				err = <-done
				killed = true
				break wait
			}
		}
	}
	res := result{stdout: stdout.String(), stderr: stderr.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		res.code = ee.ExitCode()
	}
	e.runs = append(e.runs, res)
	return res, killed
}

// clearFaults drops every fault still queued at every emulator.
func (e *matrixEnv) clearFaults() {
	for _, s := range e.servers() {
		s.Faults().Clear()
	}
}

// servers are every emulator's server.
func (e *matrixEnv) servers() []*testenv.Server {
	return []*testenv.Server{e.is.Server, e.pypi.Server, e.npm.Server, e.crates.Server, e.gems.Server, e.gh.Server, e.sig.Server}
}

// pendingFaults counts faults queued at any emulator that never fired.
func (e *matrixEnv) pendingFaults() int {
	n := 0
	for _, s := range e.servers() {
		n += s.Faults().Pending()
	}
	return n
}

func (e *matrixEnv) auditLog() string { return e.p.path(".releaser/audit.jsonl") }
