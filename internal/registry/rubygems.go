package registry

import (
	"context"
	"net/http"
	"net/url"
	"time"
)

// rubygemsLifetime is the documented key lifetime, used only when the
// response lacks expires_at.
const rubygemsLifetime = 15 * time.Minute

// rubygems exchanges at RubyGems.org (reference §6).
type rubygems struct {
	base *url.URL
	pkg  string
	c    *client
}

func newRubyGems(base *url.URL, pkg string, c *client) *rubygems {
	return &rubygems{base: base, pkg: pkg, c: c}
}

func (g *rubygems) Kind() string          { return KindRubyGems }
func (g *rubygems) Name() string          { return DisplayName(KindRubyGems) }
func (g *rubygems) WorkflowClaim() string { return ClaimJobWorkflowRef }
func (g *rubygems) Endpoint() string {
	return endpointURL(g.base, "/api/v1/oidc/trusted_publisher/exchange_token")
}

// Audience is the registry's host ("rubygems.org"): the server requires
// aud == its configured host name. A port is kept, as for crates.io; what a
// RubyGems instance on a non-default port expects is UNCONFIRMED.
func (g *rubygems) Audience(context.Context) (string, error) {
	return g.base.Host, nil
}

// Exchange posts {"jwt":"<jwt>"}; success is 201 with rubygems_api_key.
func (g *rubygems) Exchange(ctx context.Context, idToken IDTokenFunc) (*Token, error) {
	start := time.Now()
	resp, err := g.c.do(ctx, call{
		method: http.MethodPost,
		url:    g.Endpoint(),
		pkg:    g.pkg,
		// Accept: application/json also makes RubyGems answer its 404 as
		// JSON instead of an HTML page.
		header:  http.Header{"Content-Type": {"application/json"}, "Accept": {"application/json"}},
		idToken: idToken,
		attach:  jsonField("jwt"),
	})
	if err != nil {
		return nil, err
	}
	var body struct {
		Key       string `json:"rubygems_api_key"`
		ExpiresAt string `json:"expires_at"`
	}
	if err := decodeJSON(resp.body, &body); err != nil {
		return nil, g.c.badResponse(resp.status, err.Error())
	}
	if ok, why := validTokenValue(body.Key); !ok {
		return nil, g.c.badResponse(resp.status, why)
	}
	// An unparseable expires_at falls back to the documented lifetime
	// rather than failing a token that is otherwise fine.
	expires, _ := time.Parse(time.RFC3339, body.ExpiresAt)
	return newToken(KindRubyGems, body.Key, expires, start, rubygemsLifetime), nil
}

// classifyRubyGems explains RubyGems' answers (reference §6.1): every
// identity mismatch is the same 404, so the fix lists everything to check.
func classifyRubyGems(e *ExchangeError, pkg string) {
	gem := "your gem"
	if pkg != "" {
		gem = "gem " + pkg
	}
	switch e.Status {
	case http.StatusNotFound:
		e.Fix = "RubyGems answers 404 for every identity mismatch; on rubygems.org, " + gem + " → Trusted publishers, check: " +
			"a publisher exists for this repository; its workflow file is the one named in job_workflow_ref (the workflow that defines the job); " +
			"its environment matches the job's; the repository owner (repository_owner_id) has not been recreated; " +
			"and the ID token was fresh (RubyGems allows no clock leeway) with the audience rubygems.org"
	case http.StatusBadRequest:
		e.Fix = "RubyGems could not read the ID token (malformed, or missing nbf/iat/exp/iss/jti); it must be the job's unmodified OIDC token"
	}
}
