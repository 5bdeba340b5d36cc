package stages

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/releaserhq/releaser/internal/config"
	"github.com/releaserhq/releaser/internal/identity"
	"github.com/releaserhq/releaser/internal/registry"
)

// Exchange verifies the job's OIDC ID token against each registry's rules
// locally, then trades it for a short-lived upload token. Tokens live in
// memory only (Release.Tokens), are masked the moment they exist, and
// crates.io's are revoked when the pipeline ends, whatever the outcome.
type Exchange struct{}

func (Exchange) Name() string { return "exchange" }

func (Exchange) Check(ctx context.Context, r *Release) []Check {
	return append(exchangeChecks(ctx, r), r.workflowCheck(ctx))
}

// exchangeChecks judge, per registry, whether this job could mint a token.
func exchangeChecks(ctx context.Context, r *Release) []Check {
	cfg := r.Config
	if len(cfg.Registry) == 0 {
		return []Check{{Name: "registries", Code: CodeExchangeRegistries, Status: StatusSkipped, Detail: "no [[registry]] configured"}}
	}
	if cfg.Identity.Repository == "" || cfg.Identity.Workflow == "" {
		return []Check{{Name: "identity policy", Code: CodeExchangeIdentityPolicy, Status: StatusFailed,
			Detail: "[identity] needs repository and workflow: they are what the ID token is checked against",
			Fix:    `set repository = "owner/name" and workflow = "release.yml" under [identity]`}}
	}
	if !r.hasIDTokenSource() {
		status := StatusNeedsCI
		if r.Env.InCI() {
			status = StatusFailed
		}
		var checks []Check
		for _, reg := range cfg.Registry {
			c := Check{Name: "ID token for " + registryLabel(reg), Code: CodeExchangeIDToken, Status: status, Detail: r.wouldNeed(ctx, reg)}
			if status == StatusFailed {
				c.Detail = (&identity.NoTokenError{Provider: cfg.Identity.Provider, Missing: r.missingTokenVars(reg)}).Error()
				c.Fix = noTokenFix(cfg)
			}
			checks = append(checks, c)
		}
		return checks
	}
	verifier, err := identity.NewVerifier(ctx, cfg.Identity.Issuer, cfg.Identity.Provider, r.httpClient())
	if err != nil {
		return []Check{{Name: "ID token issuer", Code: CodeExchangeIssuer, Status: StatusFailed, Detail: err.Error(),
			Fix: "check [identity].issuer: it must serve /.well-known/openid-configuration"}}
	}
	var checks []Check
	for _, reg := range cfg.Registry {
		checks = append(checks, checkRegistryIdentity(ctx, r, verifier, reg))
	}
	return checks
}

// checkRegistryIdentity fetches an ID token for one registry and judges it
// by that registry's rules, without sending it anywhere.
func checkRegistryIdentity(ctx context.Context, r *Release, v *identity.Verifier, reg config.Registry) Check {
	c := Check{Name: "ID token for " + registryLabel(reg), Code: CodeExchangeIDToken}
	ex, err := r.exchanger(reg)
	if err != nil {
		c.Code, c.Status, c.Detail = CodeExchangeRegistryConfig, StatusFailed, err.Error()
		return c
	}
	aud, err := ex.Audience(ctx)
	if err != nil {
		c.Code, c.Status, c.Detail, c.Fix = CodeExchangeAudience, StatusFailed, "audience: "+err.Error(), exchangeFix(err)
		return c
	}
	src, err := r.sourceFor(reg, aud)
	if err != nil {
		c.Status, c.Detail, c.Fix = StatusFailed, err.Error(), noTokenFix(r.Config)
		return c
	}
	_, claims, err := r.fetchVerified(ctx, src, v, aud)
	if err != nil {
		c.Status, c.Detail, c.Fix = StatusFailed, err.Error(), tokenFix(r.Config, err)
		return c
	}
	if fs := r.policy().Evaluate(claims, target(reg, ex)); len(fs) > 0 {
		c.Code, c.Status = CodeExchangeClaims, StatusFailed
		var msgs, fixes []string
		for _, f := range fs {
			msgs = append(msgs, f.Message)
			if f.Fix != "" {
				fixes = append(fixes, f.Fix)
			}
		}
		c.Detail, c.Fix = strings.Join(msgs, "; "), strings.Join(fixes, "; ")
		return c
	}
	wf := claims.JobWorkflowRef
	if ex.WorkflowClaim() == identity.ClaimWorkflowRef {
		wf = claims.WorkflowRef
	}
	c.Status = StatusOK
	c.Detail = fmt.Sprintf("audience %s; %s from %s, environment %q, event %s", aud, ex.WorkflowClaim(), wf, claims.Environment, claims.EventName)
	return c
}

// fetchVerified gets an ID token and verifies it locally before it is sent
// anywhere. The token is a credential for its audience until it expires, so
// it is masked the moment it exists, like the registry tokens.
func (r *Release) fetchVerified(ctx context.Context, src identity.Source, v *identity.Verifier, aud string) (string, *identity.Claims, error) {
	raw, err := src.Token(ctx, aud)
	if err != nil {
		return "", nil, err
	}
	r.secret(raw)
	claims, err := v.Verify(ctx, raw, aud)
	if err != nil {
		return "", nil, fmt.Errorf("the job's ID token for audience %q was refused before sending it: %w", aud, err)
	}
	return raw, claims, nil
}

func (Exchange) Run(ctx context.Context, r *Release) (Outcome, error) {
	cfg := r.Config
	if len(cfg.Registry) == 0 {
		return Outcome{Summary: "no registries configured"}, nil
	}
	if r.DryRun {
		var plan []string
		for _, reg := range cfg.Registry {
			ex, err := r.exchanger(reg)
			if err != nil {
				return Outcome{}, err
			}
			plan = append(plan, fmt.Sprintf("POST a fresh, locally verified ID token to %s for a short-lived %s upload token (%s binds the workflow file in %s)",
				ex.Endpoint(), registryLabel(reg), ex.Name(), ex.WorkflowClaim()))
		}
		return Outcome{Plan: plan}, nil
	}
	verifier, err := identity.NewVerifier(ctx, cfg.Identity.Issuer, cfg.Identity.Provider, r.httpClient())
	if err != nil {
		return Outcome{}, &RemoteError{Service: "ID token issuer", Err: err}
	}
	r.verifier = verifier
	var got []string
	for _, reg := range cfg.Registry {
		tok, err := r.mint(ctx, reg)
		if err != nil {
			return Outcome{}, fmt.Errorf("exchange %s: %w", registryLabel(reg), err)
		}
		got = append(got, fmt.Sprintf("%s (%s left)", registry.DisplayName(reg.Kind), tok.Remaining(r.now()).Round(1e9)))
	}
	return Outcome{Summary: "short-lived tokens for " + strings.Join(got, ", ")}, nil
}

// mint exchanges a fresh ID token for one registry's upload token. The
// registry client asks for a new ID token on every attempt; each is verified
// and judged here before it leaves the machine.
func (r *Release) mint(ctx context.Context, reg config.Registry) (*registry.Token, error) {
	ex, err := r.exchanger(reg)
	if err != nil {
		return nil, err
	}
	aud, err := ex.Audience(ctx)
	if err != nil {
		return nil, classify(ex, err)
	}
	src, err := r.sourceFor(reg, aud)
	if err != nil {
		return nil, err
	}
	var used *identity.Claims
	attempt := 0
	fresh := func(ctx context.Context) (string, error) {
		attempt++
		raw, claims, err := r.fetchVerified(ctx, src, r.verifier, aud)
		if err != nil {
			return "", err
		}
		if fs := r.policy().Evaluate(claims, target(reg, ex)); len(fs) > 0 {
			return "", fmt.Errorf("the ID token does not satisfy the identity policy for %s: %s", ex.Name(), identity.FormatFindings(fs))
		}
		// Registries refuse a jti they have seen; sending one twice would
		// also mean the token endpoint is replaying tokens.
		if r.sentJTIs[claims.JTI] {
			if r.Config.Identity.Provider == "gitlab" {
				return "", fmt.Errorf("the ID token in $%s was already used in this job, and GitLab gives one token per variable per job: re-run the job for a new one", nameOfGitLabVar(reg, aud))
			}
			return "", fmt.Errorf("the ID-token endpoint returned a token that was already sent (jti %s); registries refuse a reused token", claims.JTI)
		}
		if r.sentJTIs == nil {
			r.sentJTIs = map[string]bool{}
		}
		r.sentJTIs[claims.JTI] = true
		used = claims
		return raw, nil
	}
	tok, err := ex.Exchange(ctx, fresh)
	if err != nil {
		return nil, classify(ex, err)
	}
	// Masked before anything else can print it.
	r.secret(tok.Value)
	r.keepToken(reg, tok, ex)
	if r.tokenMinted == nil {
		r.tokenMinted = map[string]time.Time{}
	}
	r.tokenMinted[TokenKey(reg)] = r.now()
	return tok, r.Record("exchange", "token.minted", map[string]any{
		"registry": reg.Kind, "package": reg.Package, "endpoint": ex.Endpoint(), "audience": aud,
		"expires": tok.Expires.UTC(), "expiry_estimated": tok.Estimated, "attempts": attempt,
		"workflow_claim": ex.WorkflowClaim(), "claims": claimsForAudit(used),
	})
}

// secret masks s in the CI log and redacts it from the audit log.
func (r *Release) secret(s string) {
	r.UI.Mask(s)
	if r.Log != nil {
		r.Log.AddSecret(s)
	}
}

// UploadToken returns a registry's token for an upload, minting a new one
// when less than tokenMargin of its life is left: an upload that starts with
// a token about to expire fails half-way.
func (r *Release) UploadToken(ctx context.Context, reg config.Registry) (*registry.Token, error) {
	key := TokenKey(reg)
	if tok := r.Tokens[key]; tok != nil && tok.Remaining(r.now()) > r.margin(key, tok) {
		return tok, nil
	}
	if r.verifier == nil {
		v, err := identity.NewVerifier(ctx, r.Config.Identity.Issuer, r.Config.Identity.Provider, r.httpClient())
		if err != nil {
			return nil, &RemoteError{Service: "ID token issuer", Err: err}
		}
		r.verifier = v
	}
	return r.mint(ctx, reg)
}

// margin is how much life a token must have left to start an upload with:
// tokenMargin, or a third of the token's whole life for short-lived ones
// (npm's, assumed to live 5 minutes, would otherwise never be good enough).
func (r *Release) margin(key string, tok *registry.Token) time.Duration {
	minted, ok := r.tokenMinted[key]
	if !ok {
		return tokenMargin
	}
	return min(tokenMargin, tok.Expires.Sub(minted)/3)
}

// classify maps a registry failure onto the exit-code contract: the service
// being down is a remote failure (3); a refusal the user fixes in the
// registry's settings, or a token refused locally, is a precondition (1).
func classify(ex registry.Exchanger, err error) error {
	var ee *registry.ExchangeError
	if !errors.As(err, &ee) {
		return err
	}
	msg := ee.Error()
	if ee.Fix != "" {
		msg += " — fix: " + ee.Fix
	}
	if ee.Status == 0 || ee.Status >= 500 || ee.Status == 429 {
		return &RemoteError{Service: ex.Name(), Err: errors.New(msg)}
	}
	return errors.New(msg)
}

// claimsForAudit keeps what an auditor needs to know about where a token
// came from; the JWT itself is never recorded.
func claimsForAudit(c *identity.Claims) map[string]string {
	if c == nil {
		return nil
	}
	return map[string]string{
		"iss": c.Issuer, "jti": c.JTI, "sub": c.Subject, "repository": c.Repository, "repository_id": c.RepositoryID,
		"repository_owner_id": c.RepositoryOwnerID, "workflow_ref": c.WorkflowRef, "job_workflow_ref": c.JobWorkflowRef,
		"environment": c.Environment, "ref": c.Ref, "sha": c.SHA, "event_name": c.EventName,
		"runner_environment": c.RunnerEnvironment, "run_id": c.RunID, "run_attempt": c.RunAttempt, "actor": c.Actor,
	}
}
