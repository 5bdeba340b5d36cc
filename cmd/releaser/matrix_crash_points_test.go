package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/releaserhq/releaser/internal/testenv"
)

// crashPoint is a moment the release job is SIGKILLed at. arm queues the
// faults that hold the job there (a Slow fault on the first request after the
// moment, so the kill lands exactly there and never in the middle of a write);
// killAt says the job has reached it.
type crashPoint struct {
	name    string
	variant matrixVariant
	arm     func(e *matrixEnv)
	killAt  func(e *matrixEnv) bool
	pos     string // where the killed run's audit log must stop (auditPosition)
	// done says what must have happened, and not, when the job is killed.
	done    func(e *matrixEnv) bool
	between func(e *matrixEnv) // what happens before the job is run again
	crates  bool               // the killed job held a crates.io token it could not revoke
	bugs    []knownBug         // how releaser gets this point wrong today
}

// hold is long enough that a job held by it is always killed first. A held
// GET ends when the killed job's connection closes; a held POST (whose body
// the server has not read, so it does not notice) runs out its time before
// the emulator can shut down, so it is no longer than it must be.
const hold = 5 * time.Second

// holdAt returns an arm and a killAt that let n requests to "METHOD path" of
// the server through and hold the next one.
func holdAt(server func(e *matrixEnv) *testenv.Server, n int, path func(e *matrixEnv) string) (func(*matrixEnv), func(*matrixEnv) bool) {
	arm := func(e *matrixEnv) {
		for range n {
			server(e).Faults().Add(path(e), testenv.Slow(0))
		}
		server(e).Faults().Add(path(e), testenv.Slow(hold))
	}
	killAt := func(e *matrixEnv) bool {
		method, p, _ := strings.Cut(path(e), " ")
		return server(e).Requests(method, p) > n
	}
	return arm, killAt
}

func fixed(s string) func(*matrixEnv) string { return func(*matrixEnv) string { return s } }

func issuerServer(e *matrixEnv) *testenv.Server   { return e.is.Server }
func sigstoreServer(e *matrixEnv) *testenv.Server { return e.sig.Server }
func githubServer(e *matrixEnv) *testenv.Server   { return e.gh.Server }
func pypiServer(e *matrixEnv) *testenv.Server     { return e.pypi.Server }
func npmServer(e *matrixEnv) *testenv.Server      { return e.npm.Server }
func cratesServer(e *matrixEnv) *testenv.Server   { return e.crates.Server }
func gemsServer(e *matrixEnv) *testenv.Server     { return e.gems.Server }

const repoAPI = "/api/v3/repos/octo-org/octo-repo"

// crashPoints are every stage boundary, the moments inside attest, approve,
// exchange and finalize where an interruption leaves something half done,
// and the uploads. sigstoreTokens is how many ID tokens the attest stage of an
// undisturbed run fetches.
func crashPoints(sigstoreTokens int) []crashPoint {
	var points []crashPoint
	point := func(name, pos string, crates bool, bugs []knownBug, done func(*matrixEnv) bool,
		server func(*matrixEnv) *testenv.Server, n int, path func(*matrixEnv) string) {
		arm, killAt := holdAt(server, n, path)
		points = append(points, crashPoint{name: name, arm: arm, killAt: killAt, pos: pos, done: done, crates: crates, bugs: bugs})
	}
	// A job killed once attest has made the release bundle keeps it when run
	// again (and logs and stores it).
	var kept []knownBug
	bundle := func(e *matrixEnv) bool {
		return e.p.exists(".releaser/attestations/hello-releaser-1.2.3.sigstore.json")
	}
	stored := func(e *matrixEnv) int { return len(e.gh.Attestations("octo-org", "octo-repo")) }
	minted := func(e *matrixEnv) int {
		return len(e.pypi.Issued()) + len(e.npm.Issued()) + len(e.crates.Issued()) + len(e.gems.Issued())
	}
	uploaded := func(e *matrixEnv) int {
		return e.pypi.Uploads() + e.npm.Uploads() + e.crates.Uploads() + e.gems.Uploads() + e.gh.Uploads()
	}
	release := func(e *matrixEnv) (draft, published bool) {
		rels := e.gh.Releases("octo-org", "octo-repo")
		return len(rels) == 1 && rels[0].Draft, len(rels) == 1 && !rels[0].Draft && rels[0].Immutable
	}

	// The attest stage's first request is the issuer's discovery document.
	point("after build", "in attest", false, nil,
		func(e *matrixEnv) bool {
			return e.p.exists("dist/releaser-manifest.json") && len(e.sig.Certificates()) == 0
		},
		issuerServer, 0, fixed("GET /.well-known/openid-configuration"))
	point("attest: certificate issued and signed, Rekor entry not made", "in attest", false, nil,
		func(e *matrixEnv) bool { return len(e.sig.Certificates()) == 1 && e.sig.Entries() == 0 && !bundle(e) },
		sigstoreServer, 0, fixed("POST /api/v1/log/entries"))
	point("attest: bundle written, not yet stored on GitHub", "in attest", false, nil,
		func(e *matrixEnv) bool { return bundle(e) && stored(e) == 0 },
		githubServer, 0, fixed("POST "+repoAPI+"/attestations"))
	// The release bundle and the first PEP 740 attestation are logged.
	point("attest: release bundle done, registry attestations half made", "in attest", false, kept,
		func(e *matrixEnv) bool { return stored(e) == 1 && e.sig.Entries() == 2 },
		sigstoreServer, 2, fixed("POST /api/v1/log/entries"))
	// The approve stage's checks read the environments first.
	point("after attest", "after attest", false, kept,
		func(e *matrixEnv) bool { return stored(e) == 1 && e.sig.Entries() == 4 },
		githubServer, 0, fixed("GET "+repoAPI+"/environments/gate-1"))
	arm, killAt := holdAt(githubServer, 2, fixed(fmt.Sprintf("GET %s/actions/runs/%d/approvals", repoAPI, runID)))
	points = append(points, crashPoint{name: "approve: waiting for the second approval", variant: matrixVariant{pending: true},
		arm: arm, killAt: killAt, pos: "in approve", bugs: kept,
		done:    func(e *matrixEnv) bool { return len(e.gh.Pending("octo-org", "octo-repo", runID)) == 1 },
		between: func(e *matrixEnv) { e.gh.Approve("octo-org", "octo-repo", runID, "bob", 2, "ok", "gate-2") }})
	// The exchange stage's checks fetch an ID token for each registry first.
	point("after approve", "after approve", false, kept,
		func(e *matrixEnv) bool {
			return e.is.IDTokenRequestsFor("sigstore") == sigstoreTokens && minted(e) == 0
		},
		issuerServer, sigstoreTokens, fixed("GET /idtoken"))
	// Registries are exchanged in release.toml's order: crates.io before RubyGems.
	point("exchange: crates.io token minted, RubyGems not yet", "in exchange", true, kept,
		func(e *matrixEnv) bool { return len(e.crates.Issued()) == 1 && len(e.gems.Issued()) == 0 },
		gemsServer, 0, fixed("POST /api/v1/oidc/trusted_publisher/exchange_token"))
	// The publish stage's first request looks for the release.
	point("after exchange: tokens minted, nothing uploaded", "in publish", true, kept,
		func(e *matrixEnv) bool { return minted(e) == 4 && uploaded(e) == 0 },
		githubServer, 0, fixed("GET "+repoAPI+"/releases"))
	// Every registry upload landed with its answer lost, the job held while
	// it asks the registry whether it landed (TestPublishKilledAtEachBoundary
	// kills the publish stage alone at the same moments, and with the upload
	// in flight).
	for _, s := range registrySites {
		s := s
		lm, lp, _ := strings.Cut(s.lookup, " ")
		points = append(points, crashPoint{name: "publish: " + s.name + " upload landed, answer lost", pos: "in publish", crates: true, bugs: kept,
			arm: func(e *matrixEnv) {
				srv := s.server(e.publishEnv)
				srv.Faults().Add(s.upload, testenv.LostResponse())
				for range s.lookups {
					srv.Faults().Add(s.lookup, testenv.Slow(0))
				}
				srv.Faults().Add(s.lookup, testenv.Slow(hold))
			},
			killAt: func(e *matrixEnv) bool { return s.server(e.publishEnv).Requests(lm, lp) > s.lookups },
			done:   func(e *matrixEnv) bool { return uploaded(e) > 0 && e.gh.Uploads() == 0 }})
	}
	// Attaching an asset starts by listing the release's assets.
	assets := func(e *matrixEnv) string { return "GET " + e.releasePath() + "/assets" }
	for _, n := range []int{1, 6} {
		name := "publish: first GitHub asset attached"
		if n > 1 {
			name = "publish: all but the last GitHub asset attached"
		}
		point(name, "in publish", true, kept, func(e *matrixEnv) bool { return e.gh.Uploads() == n }, githubServer, n, assets)
	}
	// The finalize stage's checks read the immutable-releases setting first.
	point("after publish", "after publish", true, kept,
		func(e *matrixEnv) bool { draft, _ := release(e); return draft && uploaded(e) == 12 },
		githubServer, 0, fixed("GET "+repoAPI+"/immutable-releases"))
	// Publishing reads the release, PATCHes it, and reads it back to check it.
	point("finalize: release published, immutability not yet checked", "in finalize", true, kept,
		func(e *matrixEnv) bool { _, published := release(e); return published },
		githubServer, 1, func(e *matrixEnv) string { return "GET " + e.releasePath() })
	// When the pipeline ends, the crates.io token is revoked.
	point("after finalize, crates.io token not yet revoked", "after finalize", true, kept,
		func(e *matrixEnv) bool { _, published := release(e); return published && len(e.crates.Active()) == 1 },
		cratesServer, 0, fixed("DELETE /api/v1/trusted_publishing/tokens"))
	return points
}
