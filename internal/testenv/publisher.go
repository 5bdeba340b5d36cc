package testenv

import (
	"regexp"
	"strings"
	"sync"
)

// Publisher is a trusted-publisher registration, the same shape for every registry; each
// registry uses the parts its rules use (reference §3.3, §4.2, §5.2, §6.2).
type Publisher struct {
	Package     string // project/package/crate/gem name ("" = any, for PyPI where the token covers all)
	Owner, Repo string // repository owner and name
	OwnerID     string // repository_owner_id as registered ("" = not checked, npm)
	Workflow    string // workflow FILE name, e.g. "release.yml"
	Environment string // "" = any environment
}

// DefaultPublisher matches DefaultClaims (octo-org/octo-repo, owner ID "65",
// release.yml, environment "release") for pkg.
func DefaultPublisher(pkg string) Publisher {
	return Publisher{
		Package:     pkg,
		Owner:       DefaultOwner,
		Repo:        DefaultRepo,
		OwnerID:     DefaultOwnerID,
		Workflow:    DefaultWorkflow,
		Environment: DefaultEnvironment,
	}
}

// repository is "OWNER/REPO".
func (p Publisher) repository() string { return p.Owner + "/" + p.Repo }

// workflowPath is the registered workflow as it appears in a workflow ref, before "@".
func (p Publisher) workflowPath() string {
	return p.repository() + "/.github/workflows/" + p.Workflow
}

// trustState is what every registry emulator keeps about trusted publishing: the
// registrations, the JWTs it was shown and the credentials it issued.
type trustState struct {
	is       *OIDCIssuer
	audience string

	mu         sync.Mutex
	publishers []Publisher
	usedJTIs   map[string]bool
	received   []string
	issued     []string
	exchanges  int
}

func newTrustState(is *OIDCIssuer, audience string) *trustState {
	return &trustState{is: is, audience: audience, usedJTIs: map[string]bool{}}
}

// AddPublisher registers a trusted publisher.
func (s *trustState) AddPublisher(p Publisher) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.publishers = append(s.publishers, p)
}

// Audience is the aud this registry requires in the JWTs it is shown.
func (s *trustState) Audience() string { return s.audience }

// Issued lists every credential the registry minted, oldest first.
func (s *trustState) Issued() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.issued...)
}

// Secrets is Issued: the credentials that must never appear in output (SecretHolder).
func (s *trustState) Secrets() []string { return s.Issued() }

// Exchanges counts successful token exchanges.
func (s *trustState) Exchanges() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.exchanges
}

// ReceivedJTIs lists the jti of every JWT submitted for exchange, in arrival order and
// whatever the outcome, so tests can check that N attempts used N distinct tokens.
func (s *trustState) ReceivedJTIs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.received...)
}

// receive parses a submitted JWT without verifying it and records its jti.
func (s *trustState) receive(raw string) (*parsedJWT, error) {
	p, err := parseJWT(raw)
	if err != nil {
		return nil, err
	}
	if jti, ok := p.str("jti"); ok {
		s.mu.Lock()
		s.received = append(s.received, jti)
		s.mu.Unlock()
	}
	return p, nil
}

// registrations returns a copy of the registered publishers.
func (s *trustState) registrations() []Publisher {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Publisher(nil), s.publishers...)
}

// jtiUsed reports whether a successful exchange already consumed jti.
func (s *trustState) jtiUsed(jti string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.usedJTIs[jti]
}

// issue records a successful exchange: jti is consumed and cred issued. It fails if a
// concurrent exchange consumed jti first. Registries only consume a jti on success: PyPI
// stores it after minting, and crates.io inserts it in a transaction a failure rolls back.
func (s *trustState) issue(jti, cred string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if jti != "" {
		if s.usedJTIs[jti] {
			return false
		}
		s.usedJTIs[jti] = true
	}
	s.issued = append(s.issued, cred)
	s.exchanges++
	return true
}

// workflowFileRE finds the workflow file name in a workflow ref, as PyPI and crates.io
// extract it: the last path element ending .yml/.yaml, right before "@".
var workflowFileRE = regexp.MustCompile(`([^/]+\.(?:yml|yaml))@.+$`)

// workflowFile returns the workflow file name of a workflow ref
// ("OWNER/REPO/.github/workflows/FILE@REF" → "FILE").
func workflowFile(ref string) (string, bool) {
	m := workflowFileRE.FindStringSubmatch(ref)
	if m == nil {
		return "", false
	}
	return m[1], true
}

// splitRepository splits "OWNER/REPO".
func splitRepository(repo string) (owner, name string, ok bool) {
	owner, name, ok = strings.Cut(repo, "/")
	return owner, name, ok && owner != "" && name != ""
}

// ownerIDMatches applies a registration's owner ID, which "" leaves unchecked.
func ownerIDMatches(p Publisher, claim string) bool {
	return p.OwnerID == "" || p.OwnerID == claim
}
