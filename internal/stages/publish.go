package stages

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"strings"

	"github.com/releaserhq/releaser/internal/artifact"
	"github.com/releaserhq/releaser/internal/config"
	"github.com/releaserhq/releaser/internal/registry"
	"github.com/releaserhq/releaser/internal/ui"
)

// Publish uploads every artifact to the registries that take it, then to a
// draft GitHub release. It is idempotent by digest: before anything is sent,
// every registry is asked what it already has, a file it holds with the same
// digest is skipped, and one it holds with a different digest stops the run
// before a single byte goes anywhere. A re-run after any interruption
// finishes what is missing and publishes nothing twice.
type Publish struct{}

func (Publish) Name() string { return "publish" }

// upload is one artifact bound for one registry.
type upload struct {
	reg config.Registry
	up  registry.Uploader
	art registry.Artifact
}

func (Publish) Check(ctx context.Context, r *Release) []Check {
	var checks []Check
	m, mErr := r.peekManifest()
	switch {
	case mErr != nil && r.DryRun && errors.Is(mErr, fs.ErrNotExist):
		// releaser check, or a dry run that starts here: the build writes it.
		checks = append(checks, Check{Name: "manifest", Code: CodePublishManifest, Status: StatusWarning, Detail: "not built yet: the build stage writes " + r.ManifestPath})
	case mErr != nil:
		checks = append(checks, Check{Name: "manifest", Code: CodePublishManifest, Status: StatusFailed, Detail: mErr.Error(),
			Fix: "run the build stage first (releaser run --to build), or download the build job's output directory"})
	default:
		checks = append(checks, Check{Name: "manifest", Code: CodePublishManifest, Status: StatusOK,
			Detail: fmt.Sprintf("%d artifact(s) for %s %s (digests re-verified before any upload)", len(m.Artifacts), m.Release.Name, m.Release.Version)})
	}
	for _, reg := range r.Config.Registry {
		up, err := r.uploader(reg)
		if err != nil {
			checks = append(checks, Check{Name: "uploads to " + registryLabel(reg), Code: CodePublishRegistryConfig, Status: StatusFailed, Detail: err.Error()})
			continue
		}
		if m != nil {
			arts := selectArtifacts(m, reg, up)
			c := Check{Name: "artifacts for " + registryLabel(reg), Code: CodePublishRegistryArtifacts, Status: StatusOK}
			if len(arts) == 0 {
				c.Status = StatusFailed
				c.Detail = fmt.Sprintf("no artifact in the manifest is for %s", up.Name())
				c.Fix = "check [build].artifacts, or this [[registry]] entry's artifacts globs"
			} else {
				c.Detail = strings.Join(arts, ", ")
			}
			checks = append(checks, c)
		}
		c := Check{Name: "upload token for " + registryLabel(reg), Code: CodePublishUploadToken}
		switch {
		case r.Tokens[TokenKey(reg)] != nil:
			c.Status, c.Detail = StatusOK, "minted by the exchange stage"
		case r.hasIDTokenSource():
			c.Status, c.Detail = StatusOK, "minted from the job's ID token before the first upload"
		case r.Env.InCI():
			c.Status, c.Detail, c.Fix = StatusFailed, "this job cannot get an ID token", noTokenFix(r.Config)
		default:
			c.Status, c.Detail = StatusNeedsCI, "minted in the release job from its OIDC ID token"
		}
		checks = append(checks, c)
	}
	return append(checks, r.githubChecks()...)
}

// peekManifest reads the manifest without hashing the files: Check stays
// cheap; Run re-verifies every digest before the first upload.
func (r *Release) peekManifest() (*artifact.Manifest, error) {
	if r.Manifest != nil {
		return r.Manifest, nil
	}
	m, err := artifact.ReadFile(r.ManifestPath)
	if err != nil {
		return nil, err
	}
	return m, nil
}

func (Publish) Run(ctx context.Context, r *Release) (Outcome, error) {
	m, err := r.LoadManifest(ctx)
	if err != nil {
		return Outcome{}, err
	}
	// A file changed after the build (or after attest) must never be
	// published: every digest is checked again against the bytes on disk.
	if err := r.verifyArtifacts(ctx, m); err != nil {
		return Outcome{}, err
	}
	if *r.Config.Attest.Enabled && !r.DryRun {
		if err := r.verifyProvenance(ctx, m); err != nil {
			return Outcome{}, err
		}
	}
	var uploads []upload
	for _, reg := range r.Config.Registry {
		up, err := r.uploader(reg)
		if err != nil {
			return Outcome{}, err
		}
		for _, name := range selectArtifacts(m, reg, up) {
			art := r.registryArtifact(m, name)
			if *r.Config.Attest.Enabled && (reg.Provenance == nil || *reg.Provenance) {
				art.Attestations = r.registryAttestation(reg.Kind, name)
			}
			uploads = append(uploads, upload{reg: reg, up: up, art: art})
		}
	}
	if r.DryRun {
		var plan []string
		for _, u := range uploads {
			plan = append(plan, fmt.Sprintf("upload %s (%s) to %s, unless it already has the same sha256", u.art.Name, uiBytes(u.art.Size), registryLabel(u.reg)))
		}
		plan = append(plan, r.githubPlan(m)...)
		return Outcome{Plan: plan}, nil
	}

	var gh *githubTarget
	var conflicts []string
	if *r.Config.GitHub.Release {
		if gh, err = r.githubTarget(m); err != nil {
			return Outcome{}, err
		}
		if conflicts, err = gh.preflight(ctx); err != nil {
			return Outcome{}, err
		}
	}
	rows, err := r.publishRegistries(ctx, uploads, conflicts)
	if err == nil && gh != nil {
		var ghRows [][]string
		ghRows, err = r.publishGitHub(ctx, gh)
		rows = append(rows, ghRows...)
	}
	r.Published = append(r.Published, publishedFiles(rows)...)
	if len(rows) > 0 {
		r.UI.Infof("")
		r.UI.Table([]string{"artifact", "where", "result", "url"}, rows)
	}
	if err != nil {
		return Outcome{}, err
	}
	r.publishedInThisRun = true
	for _, row := range rows {
		if row[3] != "" && row[1] != "GitHub release" {
			r.addLink(row[1], row[3])
		}
	}
	return Outcome{Summary: summarize(rows)}, nil
}

// publishRegistries asks every registry first, then uploads what is missing.
// conflicts are those already found elsewhere (the GitHub release): any
// conflict stops the run before anything is uploaded.
func (r *Release) publishRegistries(ctx context.Context, uploads []upload, conflicts []string) ([][]string, error) {
	var rows [][]string
	var pending []upload
	for _, u := range uploads {
		rem, err := u.up.Lookup(ctx, r.Tokens[TokenKey(u.reg)], u.art)
		if err != nil {
			return rows, uploadFailure(u, fmt.Errorf("ask what it already has: %w", err))
		}
		switch rem.State {
		case registry.Same:
			rows = append(rows, []string{u.art.Name, u.up.Name(), "already published", rem.URL})
			if err := r.recordUpload(u, "already_published", rem.URL); err != nil {
				return rows, err
			}
		case registry.Different:
			conflicts = append(conflicts, fmt.Sprintf("%s: %s", u.up.Name(), rem.Detail))
		default:
			pending = append(pending, u)
		}
	}
	if len(conflicts) > 0 {
		return rows, fmt.Errorf("different files are already published for this version, so nothing was uploaded anywhere: %s — a published version cannot be replaced: release a new version",
			strings.Join(conflicts, "; "))
	}
	for i, u := range pending {
		tok, err := r.UploadToken(ctx, u.reg)
		if err != nil {
			return rows, r.stopped(pending[i:], err)
		}
		bar := &lazyProgress{start: func() ui.Progress {
			return r.UI.Progress(fmt.Sprintf("uploading %s to %s", u.art.Name, u.up.Name()), u.art.Size)
		}}
		res, err := u.up.Upload(ctx, tok, u.art, bar.update)
		bar.done()
		if err != nil {
			rows = append(rows, []string{u.art.Name, u.up.Name(), "failed", ""})
			_ = r.recordUpload(u, "failed", "")
			return rows, r.stopped(pending[i:], uploadFailure(u, err))
		}
		outcome := "published"
		if res.Outcome == registry.AlreadyPublished {
			outcome = "already published"
		}
		rows = append(rows, []string{u.art.Name, u.up.Name(), outcome, res.URL})
		if err := r.recordUpload(u, strings.ReplaceAll(outcome, " ", "_"), res.URL); err != nil {
			return rows, err
		}
	}
	return rows, nil
}

// stopped says what is left when a publish stops half-way, so nothing
// half-done is silent.
func (r *Release) stopped(left []upload, err error) error {
	var names []string
	for _, u := range left {
		names = append(names, u.art.Name+" → "+u.up.Name())
	}
	return fmt.Errorf("%w; not yet published: %s; run releaser again to finish (files already published are skipped by digest)", err, strings.Join(names, ", "))
}

func uploadFailure(u upload, err error) error {
	var ue *registry.UploadError
	if errors.As(err, &ue) && ue.Retryable {
		return &RemoteError{Service: u.up.Name(), Err: fmt.Errorf("upload %s: %w", u.art.Name, err)}
	}
	return fmt.Errorf("upload %s to %s: %w", u.art.Name, u.up.Name(), err)
}

func (r *Release) recordUpload(u upload, outcome, url string) error {
	return r.Record("publish", "publish.upload", map[string]any{
		"registry": u.reg.Kind, "package": u.reg.Package, "artifact": u.art.Name,
		"sha256": u.art.SHA256, "size": u.art.Size, "outcome": outcome, "url": url,
	})
}

// selectArtifacts picks the manifest's artifacts for one registry: the kinds
// it takes, narrowed by the entry's artifacts globs when given.
func selectArtifacts(m *artifact.Manifest, reg config.Registry, up registry.Uploader) []string {
	var out []string
	for _, a := range m.Artifacts {
		if !up.Accepts(string(a.Kind)) {
			continue
		}
		if len(reg.Artifacts) > 0 && !matchAny(reg.Artifacts, a.Name) {
			continue
		}
		out = append(out, a.Name)
	}
	return out
}

func matchAny(globs []string, name string) bool {
	for _, g := range globs {
		if ok, _ := path.Match(g, name); ok {
			return true
		}
	}
	return false
}

func (r *Release) registryArtifact(m *artifact.Manifest, name string) registry.Artifact {
	for _, a := range m.Artifacts {
		if a.Name == name {
			return registry.Artifact{
				Name: a.Name, Path: filepath.Join(dirOf(r.ManifestPath), filepath.FromSlash(a.Path)), Size: a.Size,
				Kind: string(a.Kind), SHA256: a.Digests.SHA256, SHA512: a.Digests.SHA512, BLAKE2b256: a.Digests.BLAKE2b256,
			}
		}
	}
	return registry.Artifact{}
}

func (r *Release) verifyArtifacts(ctx context.Context, m *artifact.Manifest) error {
	var total int64
	for _, a := range m.Artifacts {
		total += a.Size
	}
	p := r.UI.Progress(fmt.Sprintf("re-verifying %d artifact digest(s)", len(m.Artifacts)), total)
	defer p.Done()
	if err := m.Verify(ctx, dirOf(r.ManifestPath), 0, p.Add); err != nil {
		return fmt.Errorf("refusing to publish: %w", err)
	}
	return nil
}

func (r *Release) uploader(reg config.Registry) (registry.Uploader, error) {
	return registry.NewUploader(reg.Kind, reg.URL, reg.Package, registry.UploadOptions{
		Options: r.registryOptions(reg), Version: r.Config.Project.Version, Access: reg.Access, DistTag: reg.DistTag,
	})
}

func summarize(rows [][]string) string {
	counts := map[string]int{}
	for _, row := range rows {
		counts[row[2]]++
	}
	var parts []string
	for _, k := range []string{"published", "uploaded", "already published", "already there"} {
		if counts[k] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[k], k))
		}
	}
	if len(parts) == 0 {
		return "nothing to publish"
	}
	return strings.Join(parts, ", ")
}
