package testenv

import (
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"sync"
	"testing"
)

// OIDCIssuer emulates GitHub Actions' OIDC issuer (discovery document and JWKS) and the
// runner's ID-token endpoint, on one server. Its URL is the "iss" of every token it mints.
type OIDCIssuer struct {
	*Server
	t     testing.TB
	clock *Clock
	fresh bool

	mu       sync.Mutex
	keys     []*signingKey // published in the JWKS; the last one signs
	used     int           // keys drawn from the pool so far
	stranger *signingKey   // signs BadSignature/UnknownKID tokens; never published
	minted   []string
	reqToken string
	claims   claimSet
	served   string // the token the ID-token endpoint served last (for Replay)
	tamper   Tamper // how the ID-token endpoint damages what it serves
	idReqs   map[string]int
}

// IssuerOption configures NewOIDCIssuer.
type IssuerOption func(*OIDCIssuer)

// FreshKeys makes the issuer generate its own keys instead of drawing them from the
// process-wide pool, so no other issuer in the test binary shares them.
func FreshKeys() IssuerOption { return func(is *OIDCIssuer) { is.fresh = true } }

// NewOIDCIssuer starts an issuer with one signing key, served until the test ends.
func NewOIDCIssuer(t testing.TB, opts ...IssuerOption) *OIDCIssuer {
	t.Helper()
	is := &OIDCIssuer{
		t:        t,
		clock:    &Clock{},
		reqToken: "ghreq_" + CanaryMarker + "_" + randomAlnum(32),
		claims:   newClaimSet(),
		idReqs:   map[string]int{},
	}
	for _, o := range opts {
		o(is)
	}
	is.keys = []*signingKey{is.newKey()}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", is.serveDiscovery)
	mux.HandleFunc("GET /.well-known/jwks", is.serveJWKS)
	mux.HandleFunc("GET /idtoken", is.serveIDToken)
	is.Server = NewServer(t, mux)
	return is
}

func (is *OIDCIssuer) newKey() *signingKey {
	is.t.Helper()
	var k *signingKey
	var err error
	if is.fresh {
		k, err = generateSigningKey()
	} else {
		k, err = issuerKeys.get(is.used)
		is.used++
	}
	if err != nil {
		is.t.Fatalf("testenv: issuer key: %v", err)
	}
	return k
}

// strangerKey is a key no issuer publishes, for tokens that must fail signature checks.
// It is made on first use from the test goroutine, where a failure can stop the test.
func (is *OIDCIssuer) strangerKey() *signingKey {
	is.t.Helper()
	is.mu.Lock()
	defer is.mu.Unlock()
	if is.stranger != nil {
		return is.stranger
	}
	var k *signingKey
	var err error
	if is.fresh {
		k, err = generateSigningKey()
	} else {
		k, err = strangerKeys.get(0)
	}
	if err != nil {
		is.t.Fatalf("testenv: stranger key: %v", err)
	}
	is.stranger = k
	return k
}

// Clock is the issuer's clock (shared with registries built on this issuer).
func (is *OIDCIssuer) Clock() *Clock { return is.clock }

// Rotate publishes a new key and signs with it from now on. The old keys stay in the
// JWKS (as GitHub keeps them during a rotation) until RetireOld.
func (is *OIDCIssuer) Rotate() {
	is.mu.Lock()
	defer is.mu.Unlock()
	is.keys = append(is.keys, is.newKey())
}

// RetireOld removes every key but the current one from the JWKS.
func (is *OIDCIssuer) RetireOld() {
	is.mu.Lock()
	defer is.mu.Unlock()
	is.keys = is.keys[len(is.keys)-1:]
}

// CurrentKID is the kid of the key that signs new tokens.
func (is *OIDCIssuer) CurrentKID() string {
	is.mu.Lock()
	defer is.mu.Unlock()
	return is.keys[len(is.keys)-1].kid
}

// PublicKeys returns the published keys by kid.
func (is *OIDCIssuer) PublicKeys() map[string]*rsa.PublicKey {
	is.mu.Lock()
	defer is.mu.Unlock()
	m := make(map[string]*rsa.PublicKey, len(is.keys))
	for _, k := range is.keys {
		m[k.kid] = &k.priv.PublicKey
	}
	return m
}

// publicKey looks a kid up among the published keys, as a registry that refreshes its
// JWKS cache on an unknown kid would.
func (is *OIDCIssuer) publicKey(kid string) (*rsa.PublicKey, bool) {
	is.mu.Lock()
	defer is.mu.Unlock()
	for _, k := range is.keys {
		if k.kid == kid {
			return &k.priv.PublicKey, true
		}
	}
	return nil, false
}

// Minted lists every token minted so far (by Mint and by the ID-token endpoint).
func (is *OIDCIssuer) Minted() []string {
	is.mu.Lock()
	defer is.mu.Unlock()
	return append([]string(nil), is.minted...)
}

// Secrets is every token minted plus the ID-token request token.
func (is *OIDCIssuer) Secrets() []string {
	return append(is.Minted(), is.RequestToken())
}

// discovery is the subset of GitHub's openid-configuration document, in its field order.
type discovery struct {
	Issuer             string   `json:"issuer"`
	JWKSURI            string   `json:"jwks_uri"`
	SubjectTypes       []string `json:"subject_types_supported"`
	ResponseTypes      []string `json:"response_types_supported"`
	ClaimsSupported    []string `json:"claims_supported"`
	IDTokenSigningAlgs []string `json:"id_token_signing_alg_values_supported"`
	ScopesSupported    []string `json:"scopes_supported"`
}

// githubClaimsSupported is claims_supported as GitHub's issuer lists it.
var githubClaimsSupported = []string{
	"sub", "aud", "exp", "iat", "iss", "jti", "nbf", "ref", "sha", "repository",
	"repository_id", "repository_owner", "repository_owner_id", "enterprise",
	"enterprise_id", "run_id", "run_number", "run_attempt", "actor", "actor_id",
	"workflow", "workflow_ref", "workflow_sha", "head_ref", "base_ref", "event_name",
	"ref_type", "ref_protected", "environment", "environment_node_id", "job_workflow_ref",
	"job_workflow_sha", "repository_visibility", "runner_environment", "issuer_scope",
}

func (is *OIDCIssuer) serveDiscovery(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, discovery{
		Issuer:             is.URL(),
		JWKSURI:            is.URL() + "/.well-known/jwks",
		SubjectTypes:       []string{"public", "pairwise"},
		ResponseTypes:      []string{"id_token"},
		ClaimsSupported:    githubClaimsSupported,
		IDTokenSigningAlgs: []string{"RS256"},
		ScopesSupported:    []string{"openid"},
	})
}

func (is *OIDCIssuer) serveJWKS(w http.ResponseWriter, _ *http.Request) {
	is.mu.Lock()
	set := struct {
		Keys []jwk `json:"keys"`
	}{Keys: make([]jwk, 0, len(is.keys))}
	for _, k := range is.keys {
		set.Keys = append(set.Keys, k.jwk())
	}
	is.mu.Unlock()
	writeJSON(w, http.StatusOK, set)
}

// writeJSON writes v compactly without HTML escaping (as Node and serde_json do).
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}
