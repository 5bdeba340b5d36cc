package main

import (
	"fmt"
	"time"

	"github.com/releaserhq/releaser/internal/testenv"
)

// faultSite is one request of the release that a fault is injected into: the
// first request to path at that emulator gets it.
type faultSite struct {
	name   string
	server func(e *matrixEnv) *testenv.Server
	path   func(e *matrixEnv) string // "METHOD path"
	tsa    bool                      // made only when signing with a timestamp authority
	// lost is how many crates.io tokens a lost answer at this site leaves
	// minted but never seen by releaser, so never revoked (they expire).
	lost int
	// noTransportRetry: a request that got no answer is not retried, so the
	// job stops with exit 3 and is run again. sigstore-go retries Fulcio and
	// the TSA on 5xx and 429 only (attest.serviceRetries).
	noTransportRetry bool
}

// faultSites are the requests of every emulator a release depends on: the ID
// tokens, Sigstore, each registry's exchange and upload, crates.io's
// revocation, and the GitHub API from attestations to publishing.
func faultSites() []faultSite {
	site := func(name string, server func(*matrixEnv) *testenv.Server, path string) faultSite {
		return faultSite{name: name, server: server, path: fixed(path)}
	}
	sites := []faultSite{
		site("OIDC ID-token endpoint", issuerServer, "GET /idtoken"),
		{name: "Fulcio", server: sigstoreServer, path: fixed("POST /api/v2/signingCert"), noTransportRetry: true},
		site("Rekor", sigstoreServer, "POST /api/v1/log/entries"),
		{name: "timestamp authority", server: sigstoreServer, path: fixed("POST /api/v1/timestamp"), tsa: true, noTransportRetry: true},
		site("GitHub attestations", githubServer, "POST "+repoAPI+"/attestations"),
		site("GitHub approvals", githubServer, fmt.Sprintf("GET %s/actions/runs/%d/approvals", repoAPI, runID)),
		site("PyPI exchange", pypiServer, "POST /_/oidc/mint-token"),
		site("npm exchange", npmServer, "POST /-/npm/v1/oidc/token/exchange/package/hello-releaser"),
		{name: "crates.io exchange", server: cratesServer, path: fixed("POST /api/v1/trusted_publishing/tokens"), lost: 1},
		site("RubyGems exchange", gemsServer, "POST /api/v1/oidc/trusted_publisher/exchange_token"),
		site("GitHub release creation", githubServer, "POST "+repoAPI+"/releases"),
		{name: "GitHub asset upload", server: githubServer, path: func(e *matrixEnv) string { return "POST " + e.uploadPath() }},
		{name: "GitHub release publication", server: githubServer, path: func(e *matrixEnv) string { return "PATCH " + e.releasePath() }},
		site("crates.io token revocation", cratesServer, "DELETE /api/v1/trusted_publishing/tokens"),
	}
	for _, s := range registrySites {
		s := s
		sites = append(sites, faultSite{name: s.name + " upload", server: func(e *matrixEnv) *testenv.Server { return s.server(e.publishEnv) }, path: fixed(s.upload)})
	}
	return sites
}

// faultKinds are the failures every site gets in turn. A slow answer is not
// among them: it changes nothing but time, so one scenario slows every site
// at once.
var faultKinds = []struct {
	name     string
	fault    testenv.Fault
	noAnswer bool // the client gets no HTTP answer at all
	landed   bool // the request landed and its answer was lost
}{
	{"503", testenv.Status(503, "Service Unavailable"), false, false},
	{"429 with Retry-After", testenv.TooManyRequests("1"), false, false},
	{"connection reset", testenv.Reset(), true, false},
	{"answer lost after the request landed", testenv.LostResponse(), true, true},
}

const slowAnswer = 300 * time.Millisecond
