package registry

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// cratesLifetime is documented (expires_at = now + 30 min) but not in the
// response, so the expiry is always an estimate.
const cratesLifetime = 30 * time.Minute

// crates exchanges at crates.io (reference §5).
type crates struct {
	base *url.URL
	pkg  string
	c    *client
}

func newCrates(base *url.URL, pkg string, c *client) *crates {
	return &crates{base: base, pkg: pkg, c: c}
}

func (k *crates) Kind() string          { return KindCrates }
func (k *crates) Name() string          { return DisplayName(KindCrates) }
func (k *crates) WorkflowClaim() string { return ClaimWorkflowRef }
func (k *crates) Endpoint() string      { return endpointURL(k.base, "/api/v1/trusted_publishing/tokens") }

// Audience is the registry URL without its scheme: the host, port kept
// ("crates.io", "127.0.0.1:8080"), as crates-io-auth-action computes it.
func (k *crates) Audience(context.Context) (string, error) {
	return k.base.Host, nil
}

// Exchange posts {"jwt":"<jwt>"}.
func (k *crates) Exchange(ctx context.Context, idToken IDTokenFunc) (*Token, error) {
	start := time.Now()
	resp, err := k.c.do(ctx, call{
		method:  http.MethodPost,
		url:     k.Endpoint(),
		pkg:     k.pkg,
		header:  http.Header{"Content-Type": {"application/json"}, "Accept": {"application/json"}},
		idToken: idToken,
		attach:  jsonField("jwt"),
	})
	if err != nil {
		return nil, err
	}
	var body struct {
		Token string `json:"token"`
	}
	if err := decodeJSON(resp.body, &body); err != nil {
		return nil, k.c.badResponse(resp.status, err.Error())
	}
	if ok, why := validTokenValue(body.Token); !ok {
		return nil, k.c.badResponse(resp.status, why)
	}
	return newToken(KindCrates, body.Token, time.Time{}, start, cratesLifetime), nil
}

// Revoke deletes the token at crates.io (204). Deleting is idempotent, so
// it is retried like the exchange.
func (k *crates) Revoke(ctx context.Context, t *Token) error {
	if t == nil || t.Value == "" {
		return errors.New("crates.io: revoke: no token")
	}
	if t.Registry != KindCrates {
		return errors.New("crates.io: revoke: the token was not minted by crates.io")
	}
	if ok, why := validTokenValue(t.Value); !ok {
		return errors.New("crates.io: revoke: " + why)
	}
	_, err := k.c.do(ctx, call{
		method: http.MethodDelete,
		url:    k.Endpoint(),
		pkg:    k.pkg,
		header: http.Header{
			"Authorization": {"Bearer " + t.Value},
			"Accept":        {"application/json"},
		},
		secret: t.Value,
	})
	return err
}

// classifyCrates maps crates.io's error details (reference §5.1) to fixes.
func classifyCrates(e *ExchangeError, pkg string) {
	settings := "on crates.io, your crate → Settings → Trusted Publishing"
	if pkg != "" {
		settings = "on crates.io, crate " + pkg + " → Settings → Trusted Publishing"
	}
	m := e.Message
	switch {
	case strings.Contains(m, "JWT has already been used"):
		e.Retryable = true
		e.Fix = "each ID token can be used once; releaser retries with a fresh one — if it keeps happening, make sure nothing else exchanges the same token"
	case strings.Contains(m, "pull_request_target") || strings.Contains(m, "workflow_run"):
		e.Fix = "release from a push, release or workflow_dispatch workflow; crates.io refuses pull_request_target and workflow_run triggers"
	case strings.Contains(m, "No Trusted Publishing config found"):
		e.Fix = settings + ": add a GitHub configuration for this repository, the workflow file named in workflow_ref " +
			"(the top-level workflow, not a reusable one it calls) and, if you use one, the environment"
	case strings.Contains(m, "workflow filename"):
		e.Fix = settings + ": the workflow filename must be the file named in workflow_ref (the top-level workflow that was triggered, not a reusable one it calls)"
	case strings.Contains(m, "environment"):
		e.Fix = settings + ": the environment must match the job's `environment:` (or leave it empty in the configuration to accept any)"
	case strings.Contains(m, "owner ID"):
		e.Fix = settings + ": the repository owner's ID no longer matches (the account or organisation was recreated or renamed); remove and re-add the configuration"
	case strings.Contains(m, "JWT issuer") || strings.Contains(m, "decode JWT") || strings.Contains(m, "JWT key ID"):
		e.Fix = "crates.io rejected the ID token itself: request it with the audience " +
			"crates.io expects (the registry host), check the runner's clock, and use GitHub's or GitLab's standard issuer"
	case e.Status == http.StatusForbidden && strings.Contains(m, "User-Agent"):
		e.Fix = "crates.io requires a User-Agent header on every request; releaser sends one, so a proxy between this job and crates.io is removing it"
	case e.Status == http.StatusUnauthorized:
		e.Fix = "crates.io did not accept the token sent; it may have expired or already been revoked"
	}
}
