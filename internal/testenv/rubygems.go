package testenv

import (
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// RubyGems emulates RubyGems.org's trusted-publisher token exchange (reference §6.1-6.2),
// which binds job_workflow_ref and answers every identity failure with a bare 404.
type RubyGems struct {
	*Server
	*trustState
	rules jwtRules
	// keys are the API keys minted here; store holds pushed gems.
	keys  *rubygemsKeys
	store *rubygemsStore
}

const (
	rubygemsExchangePath  = "/api/v1/oidc/trusted_publisher/exchange_token"
	rubygemsTokenLifetime = 15 * time.Minute
)

// NewRubyGems starts a RubyGems emulator trusting is. Its audience is the registry URL's
// host with port, "127.0.0.1:<port>" (RubyGems.org's is its host, "rubygems.org").
func NewRubyGems(t testing.TB, is *OIDCIssuer) *RubyGems {
	t.Helper()
	g := &RubyGems{keys: &rubygemsKeys{keys: map[string]rubygemsKey{}}, store: &rubygemsStore{dir: t.TempDir()}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+rubygemsExchangePath, g.serveExchange)
	g.routePush(mux)
	g.Server = NewServer(t, mux)
	aud := strings.TrimPrefix(g.URL(), "http://")
	g.trustState = newTrustState(is, aud)
	g.rules = jwtRules{
		issuer:   is.URL(),
		audience: aud,
		leeway:   0, // nbf <= now < exp, no leeway
		required: []string{"iss", "iat", "exp", "nbf", "aud"},
	}
	return g
}

func rubygemsBadRequest(w http.ResponseWriter, msg string) {
	writeJSON(w, http.StatusBadRequest, map[string]string{"error": msg})
}

func rubygemsNotFound(w http.ResponseWriter) {
	writeJSON(w, http.StatusNotFound, map[string]string{"error": "Not Found"})
}

// rubygemsSuccess is the 201 body. "gem" is left out: a trusted publisher's key names no
// gem, and RubyGems compacts the nil away.
type rubygemsSuccess struct {
	Key       string   `json:"rubygems_api_key"`
	Name      string   `json:"name"`
	Scopes    []string `json:"scopes"`
	ExpiresAt string   `json:"expires_at"`
}

func (g *RubyGems) serveExchange(w http.ResponseWriter, r *http.Request) {
	raw, ok := rubygemsJWTParam(r)
	if !ok {
		rubygemsBadRequest(w, "param is missing or the value is empty or invalid: jwt")
		return
	}
	tok, err := g.receive(raw)
	if err != nil {
		if strings.Count(raw, ".") != 2 {
			rubygemsBadRequest(w, "Invalid JWT Format. JWT should include 2 or 3 dots.")
		} else {
			rubygemsBadRequest(w, "invalid base64 or JSON in JWT")
		}
		return
	}
	if msg := rubygemsFormat(tok); msg != "" {
		rubygemsBadRequest(w, msg)
		return
	}
	now := g.is.Clock().Now()
	// Unknown issuer, time, kid, signature, algorithm and audience failures are all 404
	// at RubyGems (it checks aud later, in the access policy, but answers the same).
	if err := g.rules.verify(tok, g.is, now); err != nil {
		rubygemsNotFound(w)
		return
	}
	pub, msg := g.lookup(tok)
	if msg != "" {
		rubygemsBadRequest(w, msg)
		return
	}
	if pub == nil || !g.allowed(*pub, tok) {
		rubygemsNotFound(w)
		return
	}
	cred := "rubygems_" + RubyGemsCanaryPrefix + randomHex(48-len(RubyGemsCanaryPrefix))
	// No jti replay check was found on this path (reference §6.1, UNCONFIRMED), so the
	// jti is not consumed.
	g.issue("", cred)
	g.keys.record(cred, rubygemsKey{publisher: *pub, expires: now.Add(rubygemsTokenLifetime)})
	iat, _ := tok.integer("iat")
	writeJSON(w, http.StatusCreated, rubygemsSuccess{
		Key:       cred,
		Name:      rubygemsPublisherName(*pub) + " " + time.Unix(iat, 0).UTC().Format(time.RFC3339),
		Scopes:    []string{"push_rubygem"},
		ExpiresAt: now.Add(rubygemsTokenLifetime).UTC().Format("2006-01-02T15:04:05.000Z07:00"),
	})
}

// rubygemsJWTParam reads the jwt parameter from a JSON or form body, as Rails params do.
func rubygemsJWTParam(r *http.Request) (string, bool) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return "", false
	}
	if mt == "application/json" {
		var req struct {
			JWT any `json:"jwt"`
		}
		if json.Unmarshal(body, &req) != nil {
			return "", false
		}
		s, ok := req.JWT.(string)
		return s, ok && s != ""
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return "", false
	}
	s := form.Get("jwt")
	return s, s != ""
}

// rubygemsFormat is RubyGems' validate_jwt_format: integer times, string iss and jti.
func rubygemsFormat(tok *parsedJWT) string {
	for _, c := range []string{"nbf", "iat", "exp"} {
		if _, ok := tok.integer(c); !ok {
			return "Missing/invalid " + c
		}
	}
	for _, c := range []string{"iss", "jti"} {
		if _, ok := tok.str(c); !ok {
			return "Missing/invalid " + c
		}
	}
	return ""
}

// lookup finds the publisher for the token's repository, owner ID and the workflow file
// named by job_workflow_ref, preferring one registered for the token's environment. A
// reusable workflow from another repository leaves the whole called path as "file name",
// which matches nothing. msg reports a claim the lookup needs but cannot read.
func (g *RubyGems) lookup(tok *parsedJWT) (pub *Publisher, msg string) {
	for _, c := range []string{"repository", "job_workflow_ref", "repository_owner_id"} {
		if _, ok := tok.str(c); !ok {
			// Ruby's Hash#fetch raises here; the status RubyGems answers is UNCONFIRMED.
			return nil, "Missing/invalid " + c
		}
	}
	repo, _ := tok.str("repository")
	jwf, _ := tok.str("job_workflow_ref")
	ownerID, _ := tok.str("repository_owner_id")
	owner, name, _ := strings.Cut(repo, "/")
	file := strings.TrimPrefix(jwf, repo+"/.github/workflows/")
	if i := strings.LastIndexByte(file, '@'); i >= 0 {
		file = file[:i]
	}
	env, hasEnv := tok.str("environment")
	var fallback *Publisher
	for _, p := range g.registrations() {
		if p.Owner != owner || p.Repo != name || p.Workflow != file || !ownerIDMatches(p, ownerID) {
			continue
		}
		if hasEnv && p.Environment == env {
			return &p, ""
		}
		if p.Environment == "" && fallback == nil {
			fallback = &p
		}
	}
	return fallback, ""
}

// allowed is the publisher's access policy: string_equals on repository, environment
// (when registered), repository_owner_id, aud and job_workflow_ref at the run's ref or sha.
func (g *RubyGems) allowed(p Publisher, tok *parsedJWT) bool {
	repo, _ := tok.str("repository")
	ownerID, _ := tok.str("repository_owner_id")
	aud, _ := tok.str("aud")
	env, _ := tok.str("environment")
	if repo != p.repository() || !ownerIDMatches(p, ownerID) || aud != g.audience ||
		(p.Environment != "" && env != p.Environment) {
		return false
	}
	jwf, _ := tok.str("job_workflow_ref")
	for _, c := range []string{"ref", "sha"} {
		if at, _ := tok.str(c); at != "" && jwf == p.workflowPath()+"@"+at {
			return true
		}
	}
	return false
}

// rubygemsPublisherName is RubyGems' name for a GitHub Actions trusted publisher.
func rubygemsPublisherName(p Publisher) string {
	name := "GitHub Actions " + p.repository() + " @ .github/workflows/" + p.Workflow
	if p.Environment != "" {
		name += " (" + p.Environment + ")"
	}
	return name
}
