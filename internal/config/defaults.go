package config

import (
	"strings"
	"time"
)

// Public-good Sigstore services, as used by actions/attest-build-provenance.
const (
	DefaultFulcioURL = "https://fulcio.sigstore.dev"
	DefaultRekorURL  = "https://rekor.sigstore.dev"
	DefaultTSAURL    = "https://timestamp.githubapp.com/api/v1/timestamp"
	DefaultGitHubAPI = "https://api.github.com"
	GitHubIssuer     = "https://token.actions.githubusercontent.com"
	GitLabIssuer     = "https://gitlab.com"
)

// DefaultAllowedEvents are the events a release may be triggered by.
var DefaultAllowedEvents = []string{"push", "release", "workflow_dispatch"}

// ForbiddenEvents run with the privileges of the base repository on behalf of
// untrusted code; no release may come from them, whatever the config says.
var ForbiddenEvents = []string{"pull_request_target", "workflow_run"}

func (c *Config) applyDefaults() {
	p := &c.Project
	p.TagFormat = or(p.TagFormat, "v{version}")
	p.Root = or(p.Root, ".")
	p.StateDir = or(p.StateDir, ".releaser")

	b := &c.Build
	b.OutputDir = or(b.OutputDir, "dist")
	if b.Timeout.Duration == 0 {
		b.Timeout.Duration = 30 * time.Minute
	}

	a := &c.Attest
	a.Layout = or(a.Layout, "single")
	a.Transparency = or(a.Transparency, "rekor")
	a.FulcioURL = or(a.FulcioURL, DefaultFulcioURL)
	a.RekorURL = or(a.RekorURL, DefaultRekorURL)
	a.TSAURL = or(a.TSAURL, DefaultTSAURL)
	if a.Enabled == nil {
		a.Enabled = ptr(true)
	}
	if a.GitHubAttestations == nil {
		a.GitHubAttestations = ptr(true)
	}

	ap := &c.Approval
	if ap.Timeout.Duration == 0 {
		ap.Timeout.Duration = 24 * time.Hour
	}
	if ap.PollInterval.Duration == 0 {
		ap.PollInterval.Duration = 15 * time.Second
	}
	ap.RulesetSeverity = or(ap.RulesetSeverity, "error")

	id := &c.Identity
	id.Provider = or(id.Provider, "github")
	if id.Issuer == "" {
		id.Issuer = GitHubIssuer
		if id.Provider == "gitlab" {
			id.Issuer = GitLabIssuer
		}
	}
	if id.AllowedEvents == nil {
		id.AllowedEvents = append([]string(nil), DefaultAllowedEvents...)
	}
	if id.RefPattern == "" {
		id.RefPattern = "refs/tags/" + strings.ReplaceAll(p.TagFormat, "{version}", "*")
	}

	for i := range c.Registry {
		r := &c.Registry[i]
		if r.Kind == "npm" {
			r.Access = or(r.Access, "public")
			r.DistTag = or(r.DistTag, "latest")
		} else if r.Package == "" {
			r.Package = p.Name
		}
	}

	g := &c.GitHub
	g.Repository = or(g.Repository, id.Repository)
	g.APIURL = or(g.APIURL, DefaultGitHubAPI)
	g.MakeLatest = or(g.MakeLatest, "true")
	if g.Release == nil {
		g.Release = ptr(true)
	}
	if g.RequireImmutable == nil {
		g.RequireImmutable = ptr(true)
	}

	c.Audit.Log = or(c.Audit.Log, strings.TrimSuffix(p.StateDir, "/")+"/audit.jsonl")
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func ptr[T any](v T) *T { return &v }
