package testenv

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Crates emulates crates.io's Trusted Publishing token endpoint (reference §5.1-5.2):
// exchange, which binds the caller's workflow_ref, and revocation; and publishing with
// those tokens plus the version API (§5.3). Every request must carry a User-Agent.
type Crates struct {
	*Server
	*trustState
	rules jwtRules

	store *cratesStore

	tmu    sync.Mutex
	tokens map[string]*cratesToken
	// revoked lists issued tokens revoked via DELETE, oldest first.
	revoked []string
}

// cratesToken is what crates.io stores about an issued token.
type cratesToken struct {
	crates  []string
	expires time.Time
	revoked bool
}

const (
	cratesLeeway        = 60 * time.Second
	cratesTokenLifetime = 30 * time.Minute
	cratesTokenPath     = "/api/v1/trusted_publishing/tokens"
	cratesTokenPrefix   = "cio_tp_"
	cratesTokenRawLen   = 31
)

// NewCrates starts a crates.io emulator trusting is. Its audience is the registry URL
// without the scheme, i.e. "127.0.0.1:<port>" (crates.io's is its domain name).
func NewCrates(t testing.TB, is *OIDCIssuer) *Crates {
	t.Helper()
	c := &Crates{tokens: map[string]*cratesToken{}, store: &cratesStore{dir: t.TempDir()}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+cratesTokenPath, c.serveExchange)
	mux.HandleFunc("DELETE "+cratesTokenPath, c.serveRevoke)
	c.routePublish(mux)
	c.Server = NewServer(t, requireUserAgent(mux))
	aud := strings.TrimPrefix(c.URL(), "http://")
	c.trustState = newTrustState(is, aud)
	c.rules = jwtRules{
		issuer:   is.URL(),
		audience: aud,
		leeway:   cratesLeeway,
		required: []string{"iss", "iat", "exp", "aud", "jti"},
		checkIat: true,
	}
	return c
}

// cratesFail answers with crates.io's JSON error envelope.
func cratesFail(w http.ResponseWriter, status int, detail string) {
	type item struct {
		Detail string `json:"detail"`
	}
	writeJSON(w, status, struct {
		Errors []item `json:"errors"`
	}{[]item{{detail}}})
}

// cratesRequiredClaims are the string claims crates.io's GitHub claims struct requires.
var cratesRequiredClaims = []string{"repository_owner_id", "repository", "workflow_ref", "event_name", "run_id", "sha"}

func (c *Crates) serveExchange(w http.ResponseWriter, r *http.Request) {
	raw, ok := cratesExchangeBody(w, r)
	if !ok {
		return
	}
	tok, err := c.receive(raw)
	if err != nil || !tok.present("iss") {
		cratesFail(w, http.StatusBadRequest, "Failed to decode JWT")
		return
	}
	if iss, _ := tok.str("iss"); iss != c.rules.issuer {
		cratesFail(w, http.StatusBadRequest, "Unsupported JWT issuer: "+iss)
		return
	}
	if _, err := tok.key(c.is); errors.Is(err, errMissingKID) {
		cratesFail(w, http.StatusBadRequest, "Missing JWT key ID")
		return
	} else if err != nil {
		cratesFail(w, http.StatusBadRequest, "Invalid JWT key ID")
		return
	}
	if err := c.rules.verify(tok, c.is, c.is.Clock().Now()); err != nil {
		cratesFail(w, http.StatusBadRequest, "Failed to decode JWT")
		return
	}
	for _, claim := range cratesRequiredClaims {
		if _, ok := tok.str(claim); !ok {
			cratesFail(w, http.StatusBadRequest, "Failed to decode JWT")
			return
		}
	}
	jti, _ := tok.str("jti")
	if c.jtiUsed(jti) {
		cratesFail(w, http.StatusBadRequest, "JWT has already been used")
		return
	}
	if ev, _ := tok.str("event_name"); ev == "pull_request_target" || ev == "workflow_run" {
		// Text as quoted from crates.io's answers in public workflow notes; where in the
		// order of checks crates.io makes it is UNCONFIRMED.
		cratesFail(w, http.StatusBadRequest, "Trusted Publishing does not support the `"+ev+
			"` event trigger due to security concerns. Please use a different trigger such as `push`, `release`, or `workflow_dispatch`.")
		return
	}
	crates, detail := c.match(tok)
	if detail != "" {
		cratesFail(w, http.StatusBadRequest, detail)
		return
	}
	cred := newCratesToken()
	if !c.issue(jti, cred) {
		cratesFail(w, http.StatusBadRequest, "JWT has already been used")
		return
	}
	c.tmu.Lock()
	// crates.io stamps expiry from its own clock, not from the JWT.
	c.tokens[cred] = &cratesToken{crates: crates, expires: c.is.Clock().Now().Add(cratesTokenLifetime)}
	c.tmu.Unlock()
	writeJSON(w, http.StatusOK, map[string]string{"token": cred})
}

// cratesExchangeBody reads {"jwt": "..."} the way axum's Json extractor does: JSON
// content type required (415), body must decode (422). Whether crates.io rewraps these
// rejections in its JSON envelope is UNCONFIRMED; axum's plain-text answers are used.
func cratesExchangeBody(w http.ResponseWriter, r *http.Request) (string, bool) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/json" && !strings.HasSuffix(mt, "+json") {
		http.Error(w, "Expected request with `Content-Type: application/json`", http.StatusUnsupportedMediaType)
		return "", false
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, "Failed to buffer the request body", http.StatusBadRequest)
		return "", false
	}
	var req struct {
		JWT *string `json:"jwt"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		http.Error(w, "Failed to parse the request body as JSON", http.StatusBadRequest)
		return "", false
	}
	if req.JWT == nil {
		http.Error(w, "Failed to deserialize the JSON body into the target type: missing field `jwt`", http.StatusUnprocessableEntity)
		return "", false
	}
	return *req.JWT, true
}

// match applies crates.io's GitHub config filters in its order and returns the crates the
// token will cover, or the detail of the first filter that left nothing.
func (c *Crates) match(tok *parsedJWT) ([]string, string) {
	repo, _ := tok.str("repository")
	owner, name, ok := splitRepository(repo)
	if !ok {
		return nil, "Unexpected `repository` value"
	}
	wf, _ := tok.str("workflow_ref")
	file, ok := workflowFile(wf)
	if !ok {
		return nil, "Unexpected `workflow_ref` value"
	}
	idClaim, _ := tok.str("repository_owner_id")
	ownerID, err := strconv.ParseInt(idClaim, 10, 32)
	if err != nil {
		return nil, "Unexpected `repository_owner_id` value"
	}
	var configs []Publisher
	for _, p := range c.registrations() {
		if strings.EqualFold(p.Owner, owner) && strings.EqualFold(p.Repo, name) {
			configs = append(configs, p)
		}
	}
	if len(configs) == 0 {
		return nil, "No Trusted Publishing config found for repository `" + repo + "`."
	}
	prefix := "The Trusted Publishing config for repository `" + repo + "`"
	configs, dropped := filterConfigs(configs, func(p Publisher) bool {
		id, err := strconv.ParseInt(p.OwnerID, 10, 32)
		return p.OwnerID == "" || (err == nil && id == ownerID)
	}, func(p Publisher) string { return p.OwnerID })
	if len(configs) == 0 {
		return nil, prefix + " does not match the repository owner ID (" + strconv.FormatInt(ownerID, 10) +
			") in the JWT. Expected owner IDs: " + strings.Join(dropped, ", ") +
			". Please recreate the Trusted Publishing config to update the repository owner ID."
	}
	configs, dropped = filterConfigs(configs, func(p Publisher) bool { return p.Workflow == file },
		func(p Publisher) string { return "`" + p.Workflow + "`" })
	if len(configs) == 0 {
		return nil, prefix + " does not match the workflow filename `" + file +
			"` in the JWT. Expected workflow filenames: " + strings.Join(dropped, ", ")
	}
	env, hasEnv := tok.str("environment")
	configs, dropped = filterConfigs(configs, func(p Publisher) bool {
		return p.Environment == "" || (hasEnv && strings.EqualFold(p.Environment, env))
	}, func(p Publisher) string { return "`" + p.Environment + "`" })
	if len(configs) == 0 {
		if hasEnv {
			return nil, prefix + " does not match the environment `" + env +
				"` in the JWT. Expected environments: " + strings.Join(dropped, ", ")
		}
		return nil, prefix + " requires an environment, but the JWT does not specify one. Expected environments: " +
			strings.Join(dropped, ", ")
	}
	crates := make([]string, len(configs))
	for i, p := range configs {
		crates[i] = p.Package
	}
	return crates, ""
}

// filterConfigs keeps the configs keep accepts and describes the ones it drops.
func filterConfigs(configs []Publisher, keep func(Publisher) bool, describe func(Publisher) string) ([]Publisher, []string) {
	var kept []Publisher
	var dropped []string
	for _, p := range configs {
		if keep(p) {
			kept = append(kept, p)
		} else {
			dropped = append(dropped, describe(p))
		}
	}
	return kept, dropped
}
