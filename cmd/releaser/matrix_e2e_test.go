package main

import (
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/releaserhq/releaser/internal/testenv"
)

// matrixConcurrency is how many scenarios of a matrix run at once, each with
// its own emulators and a verdaccio from the matrix's pool (which holds one
// more for each undisturbed run, whose emulators live as long as the matrix).
// Most of a scenario is spent waiting — retry back-offs of a second,
// Retry-After, held requests — so running more than there are CPUs
// (-parallel's default) keeps them busy.
const matrixConcurrency = 6

// runConcurrently runs run(t, s) as a subtest named name(s) for every
// scenario, up to n at a time. The subtests are started from goroutines
// (testing allows t.Run from several at once) instead of being marked
// Parallel, whose limit is -parallel.
func runConcurrently[S any](t *testing.T, n int, scenarios []S, name func(S) string, run func(*testing.T, S)) {
	sem := make(chan struct{}, n)
	var wg sync.WaitGroup
	for _, s := range scenarios {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			t.Run(name(s), func(t *testing.T) { run(t, s) })
		}()
	}
	wg.Wait()
}

// baseline runs the release undisturbed and returns what it left behind: the
// end state every disturbed run must reach. It runs on the matrix's own t, not
// in a subtest, so that any one scenario can be run alone (-run
// 'TestCrashMatrix/after_build'); its emulators live as long as the matrix.
func baseline(t *testing.T, pool *testenv.VerdaccioPool, v matrixVariant) *matrixEnv {
	t.Helper()
	e := newMatrixEnv(t, pool, v)
	res := e.run()
	if res.code != 0 {
		t.Fatalf("the undisturbed run (tsa: %v): exit %d\n%s", v.tsa, res.code, brief(res))
	}
	e.assertEndState(nil, 0)
	if failed, detail := e.auditFailures(); len(failed) > 0 {
		t.Errorf("audit rules failed on the undisturbed run (tsa: %v): %v\n%s", v.tsa, failed, detail)
	}
	if t.Failed() {
		t.FailNow()
	}
	return e
}

// assertEndState checks what a finished release left behind: the same as the
// undisturbed run (want; nil checks the release for itself), every registry
// and the GitHub release given each file exactly once, and every crates.io
// token from the unrevocable'th on revoked (earlier ones were minted by a job
// that was killed before it could revoke them, or lost on their way; they
// expire on their own).
func (e *matrixEnv) assertEndState(want []string, unrevocable int) {
	t := e.t
	t.Helper()
	if got := e.uploads(); got != wantUploads {
		t.Errorf("the registries and GitHub stored %s, want %s (each file exactly once)", got, wantUploads)
	}
	switch {
	case want != nil:
		if got := e.snapshot(); !slices.Equal(got, want) {
			t.Errorf("the release differs from the undisturbed run's:\n%s", snapshotDiff(want, got))
		}
	case !e.variant.tsa: // PyPI attestations need a Rekor entry
		e.assertPublished(e.p)
	}
	issued, revoked := e.crates.Issued(), e.crates.Revoked()
	if len(issued) <= unrevocable {
		t.Errorf("crates.io issued %d tokens, none to the finishing job", len(issued))
	}
	for i, tok := range issued {
		if i >= unrevocable && !slices.Contains(revoked, tok) {
			t.Errorf("crates.io token #%d of %d (the finishing job's) was not revoked", i+1, len(issued))
		}
	}
}

// TestCrashMatrix kills the release job (SIGKILL) at every stage boundary,
// inside the stages where that leaves something half done, and at uploads,
// then runs the same job again, as a user would: it must finish, the release
// must be what an undisturbed run leaves, nothing may be stored twice, the
// finishing job's crates.io token must be revoked, and the one audit log both
// jobs appended to must verify, failing only the rules a killed job must
// fail.
func TestCrashMatrix(t *testing.T) {
	matrixStarted("crash")
	pool := testenv.NewVerdaccioPool(t, matrixConcurrency+1)
	undisturbed := baseline(t, pool, matrixVariant{})
	want := undisturbed.snapshot()
	points := crashPoints(undisturbed.is.IDTokenRequestsFor("sigstore"))
	runConcurrently(t, matrixConcurrency, points, func(c crashPoint) string { return c.name }, func(t *testing.T, c crashPoint) {
		e := newMatrixEnv(t, pool, c.variant)
		c.arm(e)
		res, killed := e.runKilled(func() bool { return c.killAt(e) })
		if !killed {
			t.Fatalf("the job ended (exit %d) before reaching the kill point\n%s", res.code, brief(res))
		}
		if pos := e.auditPosition(); pos != c.pos {
			t.Errorf("the killed job's audit log stops %s, want %s", pos, c.pos)
		}
		if !c.done(e) {
			t.Errorf("the job was not killed where the point's name says (see crashPoints)")
		}
		e.clearFaults()
		if c.between != nil {
			c.between(e)
		}
		minted := len(e.crates.Issued())
		if c.crates != (minted > 0) {
			t.Errorf("the killed job minted %d crates.io tokens", minted)
		}
		res = e.run()
		if res.code != 0 {
			t.Fatalf("the job run again after the kill: exit %d\n%s", res.code, brief(res))
		}
		// A killed job never logs its run.end, nor revokes its crates.io token.
		rules := []string{"log-complete"}
		if c.crates {
			rules = []string{"crates-revoked", "log-complete"}
		}
		wantState, wantRules, bugs := withBugs(c.bugs, want, rules)
		e.assertEndState(wantState, minted)
		if failed, detail := e.auditFailures(); !slices.Equal(failed, wantRules) {
			t.Errorf("audit rules failed: %v, want exactly %v\n%s", failed, wantRules, detail)
		}
		if len(bugs) > 0 && t.Failed() {
			t.Logf("expected with the known bugs %q: if one was fixed, drop it from this point in crashPoints", bugs)
		}
	})
}

// faultRow is one scenario of the fault matrix.
type faultRow struct {
	name  string
	tsa   bool
	arm   func(e *matrixEnv)
	fired func(e *matrixEnv) bool
	lost  int  // crates.io tokens minted whose answer never reached releaser
	exit3 bool // the first job stops with exit 3 instead of retrying
}

func faultRows() []faultRow {
	var rows []faultRow
	for _, s := range faultSites() {
		for _, k := range faultKinds {
			row := faultRow{name: s.name + ": " + k.name, tsa: s.tsa,
				arm:   func(e *matrixEnv) { s.server(e).Faults().Add(s.path(e), k.fault) },
				fired: func(e *matrixEnv) bool { return s.server(e).Faults().Pending() == 0 }}
			if k.landed {
				row.lost = s.lost
			}
			row.exit3 = k.noAnswer && s.noTransportRetry
			rows = append(rows, row)
		}
	}
	for _, tsa := range []bool{false, true} {
		name := "every site: slow answer"
		if tsa {
			name = "timestamp authority: slow answer"
		}
		var slowed []faultSite
		for _, s := range faultSites() {
			if s.tsa == tsa {
				slowed = append(slowed, s)
			}
		}
		rows = append(rows, faultRow{name: name, tsa: tsa,
			arm: func(e *matrixEnv) {
				for _, s := range slowed {
					s.server(e).Faults().Add(s.path(e), testenv.Slow(slowAnswer))
				}
			},
			fired: func(e *matrixEnv) bool { return e.pendingFaults() == 0 }})
	}
	// GitHub's own ways an asset upload fails, leaving a "starter" asset.
	for _, f := range []struct {
		name string
		f    testenv.UploadFailure
	}{{"502 with a starter asset left", testenv.UploadBadGateway}, {"dropped mid-body", testenv.UploadDropped}} {
		rows = append(rows, faultRow{name: "GitHub asset upload: " + f.name,
			arm: func(e *matrixEnv) { e.gh.FailNextUpload(f.f) },
			// Seven assets, and the failed one sent again.
			fired: func(e *matrixEnv) bool { return e.gh.Requests("POST", e.uploadPath()) > 7 }})
	}
	return rows
}

// TestFaultMatrix injects every kind of fault into every request that
// matters, at every emulator: the job either gets through by retrying, or —
// where the table says it does not retry — stops with exit 3 (a remote
// service failed) and a second run finishes.
// Either way the release ends as an undisturbed run's, with nothing stored
// twice, every crates.io token releaser received revoked, and an audit log
// every rule passes.
func TestFaultMatrix(t *testing.T) {
	matrixStarted("fault")
	pool := testenv.NewVerdaccioPool(t, matrixConcurrency+2)
	want := map[bool][]string{false: baseline(t, pool, matrixVariant{}).snapshot(), true: baseline(t, pool, matrixVariant{tsa: true}).snapshot()}
	// With a timestamp instead of a Rekor entry, only PyPI's attestations
	// are missing (they need one).
	noPEP740 := strings.Split(strings.ReplaceAll(strings.Join(want[false], "\n"), "attestations=1", "attestations=0"), "\n")
	if !slices.Equal(want[true], noPEP740) {
		t.Errorf("the two undisturbed runs differ in more than PyPI's attestations:\n%s", snapshotDiff(noPEP740, want[true]))
	}
	runConcurrently(t, matrixConcurrency, faultRows(), func(r faultRow) string { return r.name }, func(t *testing.T, r faultRow) {
		e := newMatrixEnv(t, pool, matrixVariant{tsa: r.tsa})
		r.arm(e)
		res := e.run()
		var rules []string
		if want := map[bool]int{false: 0, true: 3}[r.exit3]; res.code != want {
			t.Errorf("the first job: exit %d, want %d\n%s", res.code, want, brief(res))
		}
		switch res.code {
		case 0:
		case 3:
			if res = e.run(); res.code != 0 {
				t.Fatalf("the job run again: exit %d\n%s", res.code, brief(res))
			}
		default:
			t.FailNow()
		}
		if !r.fired(e) {
			t.Errorf("the fault never fired")
		}
		e.assertEndState(want[r.tsa], r.lost)
		if failed, detail := e.auditFailures(); !slices.Equal(failed, rules) {
			t.Errorf("audit rules failed: %v, want %v\n%s", failed, rules, detail)
		}
	})
}
