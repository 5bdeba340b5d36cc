package stages

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/releaserhq/releaser/internal/artifact"
	"github.com/releaserhq/releaser/internal/audit"
	"github.com/releaserhq/releaser/internal/config"
	"github.com/releaserhq/releaser/internal/github"
	"github.com/releaserhq/releaser/internal/identity"
	"github.com/releaserhq/releaser/internal/registry"
	"github.com/releaserhq/releaser/internal/ui"
)

// Release is the state the runner hands from stage to stage. A stage reads
// what earlier stages produced and re-checks it is still true before using it.
type Release struct {
	Config *config.Config
	DryRun bool
	// AllowDirty lets a dry run proceed from a work tree with uncommitted changes.
	AllowDirty bool
	// Tag being released: --tag, or the tag GitHub Actions / GitLab CI runs for.
	// Empty when unknown (a local dry run).
	Tag string
	// Commit is HEAD of the project's work tree, when it is a git repository.
	Commit string

	Env *Env
	UI  *ui.UI
	Log *audit.Log

	// Tokens are the short-lived registry tokens minted by the exchange
	// stage, keyed by registry kind and package. Memory only: never written,
	// never logged (the audit log and the UI are told to redact them).
	Tokens map[string]*registry.Token
	// HTTPClient for every remote call; nil means a default with timeouts.
	HTTPClient *http.Client

	// GitHubRelease is the draft release the publish stage attached the
	// assets to; the finalize stage publishes it.
	GitHubRelease *github.Release

	// Bundles are the provenance bundles the attest stage wrote in this run.
	Bundles []string

	// Links are where the release can be seen (registry pages, the GitHub
	// release), and VerifyCommands what a downstream user runs to check it;
	// both end the summary.
	Links          []Link
	VerifyCommands []string
	// Published is every file the publish stage saw through, one per
	// destination (the "artifacts" output of the GitHub Action).
	Published []PublishedFile
	// publishedInThisRun is set when the publish stage completed in this
	// process, so finalize need not consult the audit log for its outcome.
	publishedInThisRun bool

	// UserAgent identifies releaser to registries (crates.io requires one).
	UserAgent string
	// Now is the clock for token lifetimes; nil means time.Now.
	Now func() time.Time

	// cleanups run when the pipeline ends, success or failure (token revocation).
	cleanups []func(context.Context)
	// verifier checks ID tokens; built once per run by the exchange stage.
	verifier *identity.Verifier
	// sentJTIs are the ID tokens already sent to a registry in this run.
	sentJTIs map[string]bool
	// tokenMinted is when each token in Tokens was minted.
	tokenMinted map[string]time.Time
	// currentStage names the running stage, for events recorded from callbacks.
	currentStage string
	// ghAuth stands in for `gh auth token` in tests; nil runs gh.
	ghAuth func() string

	// Manifest is set by the build stage, or loaded from ManifestPath by a
	// later stage that runs without it (--from, a second job).
	Manifest     *artifact.Manifest
	ManifestPath string
}

// ReleaseID names the release in the audit log.
func (r *Release) ReleaseID() string {
	return r.Config.Project.Name + "@" + r.Config.Project.Version
}

// Record appends an audit event. A failure to write the audit log is fatal to
// the run: a release that cannot be audited must not proceed.
func (r *Release) Record(stage, typ string, data any) error {
	if r.Log == nil {
		return nil
	}
	if _, err := r.Log.Append(stage, typ, data); err != nil {
		return fmt.Errorf("audit log %s: %w", r.Log.Path(), err)
	}
	return nil
}

// LoadManifest returns the manifest, reading it from disk when this run did
// not build, and re-verifying every digest against the files first.
func (r *Release) LoadManifest(ctx context.Context) (*artifact.Manifest, error) {
	if r.Manifest != nil {
		return r.Manifest, nil
	}
	m, err := artifact.ReadFile(r.ManifestPath)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, fmt.Errorf("no manifest at %s: run the build stage first (releaser run --to build)", r.ManifestPath)
		}
		return nil, err
	}
	if err := m.Verify(ctx, dirOf(r.ManifestPath), 0, nil); err != nil {
		return nil, err
	}
	r.Manifest = m
	return m, nil
}

// TokenKey identifies a registry entry's token.
func TokenKey(reg config.Registry) string { return reg.Kind + " " + reg.URL + " " + reg.Package }

// keepToken stores a minted token and arranges for it to be revoked when the
// pipeline ends, where the registry can revoke (crates.io).
func (r *Release) keepToken(reg config.Registry, tok *registry.Token, ex registry.Exchanger) {
	if r.Tokens == nil {
		r.Tokens = map[string]*registry.Token{}
	}
	r.Tokens[TokenKey(reg)] = tok
	rv, ok := ex.(registry.Revoker)
	if !ok {
		return // the token expires by itself
	}
	r.Defer(func(ctx context.Context) {
		err := rv.Revoke(ctx, tok)
		data := map[string]any{"registry": reg.Kind, "package": reg.Package, "revoked": err == nil}
		if err != nil {
			data["error"] = err.Error()
			r.UI.Warnf("could not revoke the %s token: %v (it expires by itself at %s)", ex.Name(), err, tok.Expires.UTC().Format(time.RFC3339))
		} else {
			r.UI.Infof("revoked the %s token", ex.Name())
		}
		_ = r.Record("exchange", "token.revoke", data)
	})
}

// Defer registers work for the end of the pipeline, whatever its outcome.
func (r *Release) Defer(fn func(context.Context)) { r.cleanups = append(r.cleanups, fn) }

// runCleanups runs deferred work last-in first-out, with its own deadline:
// the pipeline's context may already be cancelled when it runs.
func (r *Release) runCleanups() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for i := len(r.cleanups) - 1; i >= 0; i-- {
		r.cleanups[i](ctx)
	}
	r.cleanups = nil
}
