package stages

import (
	"context"
	"fmt"
	"os"

	"github.com/releaserhq/releaser/internal/artifact"
	"github.com/releaserhq/releaser/internal/audit"
	"github.com/releaserhq/releaser/internal/config"
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
