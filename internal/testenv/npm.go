package testenv

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Npm emulates npm's OIDC token exchange (reference §4.1-4.2), which binds the caller's
// workflow_ref, the repository and the environment, case-sensitively, and serves only
// cloud-hosted runners.
type Npm struct {
	*Server
	*trustState
	rules jwtRules
	// registry is the verdaccio behind NewNpmRegistry (nil for NewNpm).
	registry *npmRegistry
}

// npm's answers (reference §4.1).
const (
	npmNotFound     = "OIDC token exchange error - package not found"
	npmUnauthorized = "OIDC token exchange error - unauthorized"
)

// NewNpm starts an npm emulator trusting is. Its audience is "npm:" plus the registry's
// host name without the port ("npm:127.0.0.1"), as the npm CLI derives it.
func NewNpm(t testing.TB, is *OIDCIssuer) *Npm {
	t.Helper()
	return newNpm(t, is, nil)
}

func newNpm(t testing.TB, is *OIDCIssuer, registry *npmRegistry) *Npm {
	t.Helper()
	n := &Npm{registry: registry}
	mux := http.NewServeMux()
	// {name} is one escaped path segment: "@scope%2fpkg" arrives as "@scope/pkg", while an
	// unescaped "@scope/pkg" does not match (npm-package-arg always escapes the slash).
	mux.HandleFunc("POST /-/npm/v1/oidc/token/exchange/package/{name}", n.serveExchange)
	if registry != nil {
		mux.Handle("/", registry.proxy)
	}
	n.Server = NewServer(t, mux)
	u, err := url.Parse(n.URL())
	if err != nil {
		t.Fatalf("testenv: npm URL: %v", err)
	}
	aud := "npm:" + u.Hostname()
	n.trustState = newTrustState(is, aud)
	n.rules = jwtRules{
		issuer:   is.URL(),
		audience: aud,
		// npm's leeway is UNCONFIRMED; none is the strict choice.
		leeway:   0,
		required: []string{"iss", "iat", "exp", "aud"},
		checkIat: true,
	}
	return n
}

func (n *Npm) serveExchange(w http.ResponseWriter, r *http.Request) {
	scheme, raw, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") || raw == "" {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"message": npmUnauthorized})
		return
	}
	tok, err := n.receive(raw)
	if err != nil {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"message": npmUnauthorized})
		return
	}
	if err := n.rules.verify(tok, n.is, n.is.Clock().Now()); err != nil {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"message": npmUnauthorized})
		return
	}
	// Whether npm refuses a reused jti is UNCONFIRMED; the emulator treats tokens as
	// single-use like PyPI and crates.io, the stricter choice.
	jti, _ := tok.str("jti")
	if jti != "" && n.jtiUsed(jti) {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"message": npmUnauthorized})
		return
	}
	if !n.matches(r.PathValue("name"), tok) {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": npmNotFound})
		return
	}
	cred := "npm_" + CanaryMarker + randomAlnum(30)
	if n.registry != nil {
		// In front of verdaccio the token is one verdaccio accepts: a fresh user's.
		var err error
		if cred, err = n.registry.newUserToken(r.Context()); err != nil {
			writeJSON(w, http.StatusInternalServerError, map[string]string{"message": "OIDC token exchange error - " + err.Error()})
			return
		}
	}
	if !n.issue(jti, cred) {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"message": npmUnauthorized})
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"token": cred})
}

// matches reports whether pkg has a trusted publisher the token satisfies. npm keeps one
// publisher per package and compares every field case-sensitively (reference §4.2).
// Everything that does not match answers "package not found", including self-hosted
// runners: npm serves cloud runners only, and how it refuses others is UNCONFIRMED.
func (n *Npm) matches(pkg string, tok *parsedJWT) bool {
	if rEnv, _ := tok.str("runner_environment"); rEnv != "github-hosted" {
		return false
	}
	repo, _ := tok.str("repository")
	ownerID, _ := tok.str("repository_owner_id")
	// The caller's workflow: with workflow_call nesting npm validates the calling
	// workflow's file (reference §4.2, an inference), i.e. workflow_ref.
	wf, _ := tok.str("workflow_ref")
	env, _ := tok.str("environment")
	for _, p := range n.registrations() {
		if p.Package != pkg {
			continue
		}
		return repo == p.repository() &&
			ownerIDMatches(p, ownerID) &&
			strings.HasPrefix(wf, p.workflowPath()+"@") &&
			(p.Environment == "" || env == p.Environment)
	}
	return false
}
