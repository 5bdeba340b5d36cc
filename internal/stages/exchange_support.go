package stages

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/releaserhq/releaser/internal/config"
	"github.com/releaserhq/releaser/internal/identity"
	"github.com/releaserhq/releaser/internal/registry"
)

// tokenMargin is how much life a registry token must have left to start an
// upload with; with less, a new one is minted first. PyPI and RubyGems
// tokens live 15 minutes; twine re-mints below 5.
const tokenMargin = 5 * time.Minute

func registryLabel(reg config.Registry) string {
	return fmt.Sprintf("%s (%s)", registry.DisplayName(reg.Kind), reg.Package)
}

func target(reg config.Registry, ex registry.Exchanger) identity.Target {
	return identity.Target{Kind: reg.Kind, Name: ex.Name(), WorkflowClaim: ex.WorkflowClaim(), Workflow: reg.Workflow}
}

func (r *Release) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

func (r *Release) policy() identity.Policy {
	id := r.Config.Identity
	return identity.Policy{
		Provider: id.Provider, Repository: id.Repository, RepositoryOwnerID: id.RepositoryOwnerID,
		RepositoryID: id.RepositoryID, Workflow: id.Workflow, Environment: id.Environment,
		AllowedEvents: id.AllowedEvents, RefPattern: id.RefPattern, AllowSelfHosted: id.AllowSelfHosted,
	}
}

func (r *Release) httpClient() *http.Client {
	if r.HTTPClient != nil {
		return r.HTTPClient
	}
	return &http.Client{Timeout: 30 * time.Second}
}

func (r *Release) exchanger(reg config.Registry) (registry.Exchanger, error) {
	return registry.New(reg.Kind, reg.URL, reg.Package, r.registryOptions(reg))
}

func (r *Release) userAgent() string {
	if r.UserAgent != "" {
		return r.UserAgent
	}
	return "releaser (+https://github.com/releaserhq/releaser)"
}

// registryOptions are the HTTP settings of every registry call: each retry
// is said on the console and recorded in the audit log.
func (r *Release) registryOptions(reg config.Registry) registry.Options {
	return registry.Options{
		HTTPClient: r.httpClient(),
		UserAgent:  r.userAgent(),
		OnRetry: func(ri registry.RetryInfo) {
			what := fmt.Sprintf("HTTP %d", ri.Status)
			if ri.Status == 0 {
				what = "no response"
			}
			// ri.Attempt is the attempt about to be made.
			fresh := ""
			if r.currentStage == "exchange" {
				fresh = " with a fresh ID token"
			}
			r.UI.Infof("  %s: attempt %d failed (%s); retrying in %s%s", registry.DisplayName(reg.Kind), ri.Attempt-1, what, ri.Wait.Round(time.Millisecond), fresh)
			_ = r.Record(r.currentStage, "registry.retry", map[string]any{
				"registry": reg.Kind, "attempt": ri.Attempt, "status": ri.Status, "wait_ms": ri.Wait.Milliseconds(), "reason": ri.Reason,
			})
		},
	}
}

// hasIDTokenSource reports whether this job can get ID tokens at all.
func (r *Release) hasIDTokenSource() bool {
	if r.Config.Identity.Provider == "gitlab" {
		return r.Env.Get("GITLAB_CI") == "true"
	}
	return r.Env.Get(identity.EnvRequestURL) != "" && r.Env.Get(identity.EnvRequestToken) != ""
}

func (r *Release) missingTokenVars(reg config.Registry) []string {
	if r.Config.Identity.Provider == "gitlab" {
		return []string{nameOfGitLabVar(reg, "")}
	}
	var m []string
	for _, k := range []string{identity.EnvRequestURL, identity.EnvRequestToken} {
		if r.Env.Get(k) == "" {
			m = append(m, k)
		}
	}
	return m
}

// sourceFor is where a registry's ID token comes from: GitHub's request
// endpoint, or on GitLab the variable the job declared with id_tokens:.
func (r *Release) sourceFor(reg config.Registry, aud string) (identity.Source, error) {
	if r.Config.Identity.Provider == "gitlab" {
		return identity.NewEnvSource(r.Env.Get, nameOfGitLabVar(reg, aud)), nil
	}
	return identity.NewGitHubSource(r.Env.Get, r.httpClient())
}

func nameOfGitLabVar(reg config.Registry, aud string) string {
	if reg.IDTokenEnv != "" {
		return reg.IDTokenEnv
	}
	if aud == "" {
		aud = reg.Kind
	}
	return identity.ConventionalGitLabVar(reg.Kind, aud)
}

// wouldNeed says, outside CI, what the real run will ask for and check.
func (r *Release) wouldNeed(ctx context.Context, reg config.Registry) string {
	id := r.Config.Identity
	ex, err := r.exchanger(reg)
	if err != nil {
		return err.Error()
	}
	aud := "the audience " + ex.Name() + " announces"
	if reg.Kind != "pypi" && reg.Kind != "testpypi" {
		if a, err := ex.Audience(ctx); err == nil { // computed locally, no request
			aud = "audience " + a
		}
	}
	wf := reg.Workflow
	if wf == "" {
		wf = id.Workflow
	}
	s := fmt.Sprintf("no ID token outside CI; in the release job releaser asks for one with %s, then needs repository %s, %s naming %s, event in [%s], ref matching %s",
		aud, id.Repository, ex.WorkflowClaim(), wf, strings.Join(id.AllowedEvents, ", "), id.RefPattern)
	if id.RepositoryOwnerID != "" {
		s += ", repository_owner_id " + id.RepositoryOwnerID
	}
	if id.Environment != "" {
		s += ", environment " + id.Environment
	}
	if !id.AllowSelfHosted || reg.Kind == "npm" {
		s += ", a hosted runner"
	}
	return s + "; then POSTs it to " + ex.Endpoint()
}

func noTokenFix(cfg *config.Config) string {
	if cfg.Identity.Provider == "gitlab" {
		return "declare id_tokens: with each registry's audience in the publishing job of .gitlab-ci.yml"
	}
	return "add `permissions: id-token: write` to the publishing job (pull requests from forks never get an ID token)"
}

func tokenFix(cfg *config.Config, err error) string {
	var nt *identity.NoTokenError
	if errors.As(err, &nt) {
		return noTokenFix(cfg)
	}
	var ve *identity.VerifyError
	if errors.As(err, &ve) {
		return ve.Fix
	}
	return ""
}

func exchangeFix(err error) string {
	var ee *registry.ExchangeError
	if errors.As(err, &ee) {
		return ee.Fix
	}
	return ""
}
