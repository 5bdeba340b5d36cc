package testenv

import (
	"encoding/base64"
	"net/http"
	"strings"
	"sync"
	"time"
)

// pypiTokens remembers what each minted API token may do, as the caveats warehouse puts
// on a trusted-publishing macaroon: the publisher's projects and an expiry.
type pypiTokens struct {
	mu     sync.Mutex
	tokens map[string]pypiToken
}

type pypiToken struct {
	projects []string // canonical names; nil means any project (Publisher.Package "")
	expires  time.Time
	// publisher is the trusted publisher the token was minted for; nil for a classic
	// API token (APIToken), which warehouse does not let upload attestations.
	publisher *Publisher
}

func newPyPITokens() *pypiTokens { return &pypiTokens{tokens: map[string]pypiToken{}} }

func (ts *pypiTokens) record(cred string, tok pypiToken) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.tokens[cred] = tok
}

// pypiAPITokenLifetime stands in for "no expiry": a classic API token has no expiry
// caveat unless its owner adds one.
const pypiAPITokenLifetime = 100 * 365 * 24 * time.Hour

// APIToken issues a classic project-scoped API token for project, as a maintainer
// would create one in the account settings: it uploads like a trusted-publishing token
// but identifies no publisher, so attestations sent with it are refused.
func (p *PyPI) APIToken(project string) string {
	cred := "pypi-" + CanaryMarker + randomAlnum(120)
	p.tokens.record(cred, pypiToken{
		projects: []string{canonicalName(project)},
		expires:  p.is.Clock().Now().Add(pypiAPITokenLifetime),
	})
	// Registered with the issued credentials, so canary scans cover it too.
	p.trustState.mu.Lock()
	p.issued = append(p.issued, cred)
	p.trustState.mu.Unlock()
	return cred
}

func (ts *pypiTokens) lookup(cred string) (pypiToken, bool) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	t, ok := ts.tokens[cred]
	return t, ok
}

// covers reports whether the token may upload to the project with canonical name.
func (t pypiToken) covers(project string) bool {
	if t.projects == nil {
		return true
	}
	for _, p := range t.projects {
		if p == project {
			return true
		}
	}
	return false
}

// publisherProjects is the scope of a token minted for pub: warehouse scopes it to every
// project registered to that publisher, i.e. every registration here with the same
// identity. A registration with Package "" stands for "any project".
func (p *PyPI) publisherProjects(pub Publisher) []string {
	var projects []string
	for _, r := range p.registrations() {
		if r.Owner != pub.Owner || r.Repo != pub.Repo || r.OwnerID != pub.OwnerID ||
			r.Workflow != pub.Workflow || r.Environment != pub.Environment {
			continue
		}
		if r.Package == "" {
			return nil
		}
		projects = append(projects, canonicalName(r.Package))
	}
	if projects == nil {
		// Unreachable (pub itself is a registration), but an empty scope must never
		// read as "any".
		projects = []string{}
	}
	return projects
}

// knownProject reports whether a project exists at this index: it has uploads, or a
// publisher is registered for it (a trusted publisher is configured on an existing
// project).
func (p *PyPI) knownProject(canonical string) bool {
	if p.store.hasProject(canonical) {
		return true
	}
	for _, r := range p.registrations() {
		if r.Package != "" && canonicalName(r.Package) == canonical {
			return true
		}
	}
	return false
}

// pypiCredential extracts the macaroon from the Authorization header as warehouse's
// security policy does: Basic with user "__token__" (password trimmed), or the schemes
// "token" and "bearer" (any case) followed by the raw token.
func pypiCredential(r *http.Request) (string, bool) {
	auth := r.Header.Get("Authorization")
	scheme, rest, ok := strings.Cut(auth, " ")
	if !ok {
		return "", false
	}
	switch strings.ToLower(scheme) {
	case "basic":
		raw, err := base64.StdEncoding.DecodeString(rest)
		if err != nil {
			return "", false
		}
		user, pass, _ := strings.Cut(string(raw), ":")
		if user != "__token__" {
			return "", false
		}
		return strings.TrimSpace(pass), true
	case "token", "bearer":
		return rest, true
	}
	return "", false
}
