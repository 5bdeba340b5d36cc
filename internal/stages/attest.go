package stages

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/releaserhq/releaser/internal/artifact"
	"github.com/releaserhq/releaser/internal/attest"
	"github.com/releaserhq/releaser/internal/identity"
)

// Attest writes SLSA provenance for every artifact, signed into Sigstore
// bundles: keyless in the release job (Fulcio certificate for the job's
// workflow, Rekor entry or RFC 3161 timestamp), with an ephemeral key in a
// dry run — such bundles say so and verify only with --allow-local.
type Attest struct{}

func (Attest) Name() string { return "attest" }

// sigstoreAudience is the ID-token audience Fulcio accepts.
const sigstoreAudience = "sigstore"

func (Attest) Check(ctx context.Context, r *Release) []Check {
	a := r.Config.Attest
	if !*a.Enabled {
		return []Check{{Name: "provenance", Code: CodeAttestProvenance, Status: StatusSkipped, Detail: "[attest].enabled = false"}}
	}
	var checks []Check
	if m, err := r.peekManifest(); err != nil {
		status := StatusFailed
		if r.DryRun && errors.Is(err, os.ErrNotExist) {
			status = StatusWarning
		}
		checks = append(checks, Check{Name: "manifest", Code: CodeAttestManifest, Status: status, Detail: err.Error(), Fix: "run the build stage first"})
	} else {
		checks = append(checks, Check{Name: "manifest", Code: CodeAttestManifest, Status: StatusOK, Detail: fmt.Sprintf("%d subject(s); digests re-verified before signing", len(m.Artifacts))})
	}
	c := Check{Name: "ID token for Sigstore", Code: CodeAttestIDToken}
	switch {
	case r.hasIDTokenSource():
		c.Status, c.Detail = StatusOK, fmt.Sprintf("audience %q → certificate from %s, %s", sigstoreAudience, a.FulcioURL, transparencyOf(a.Transparency, a.RekorURL, a.TSAURL))
	case r.DryRun:
		c.Status, c.Detail = StatusNeedsCI, "no ID token here: the dry run signs with an ephemeral key (not verifiable); the release job signs keyless"
	case r.Env.InCI():
		c.Status, c.Detail, c.Fix = StatusFailed, "this job cannot get an ID token", noTokenFix(r.Config)
	default:
		c.Status, c.Detail = StatusNeedsCI, "the release job signs keyless with its OIDC ID token"
	}
	checks = append(checks, c)
	t := Check{Name: "trust root", Code: CodeAttestTrustedRoot, Status: StatusOK, Detail: "Sigstore public-good (fetched over TUF when verifying)"}
	if a.TrustedRoot != "" {
		p := r.trustedRootPath()
		if _, err := os.Stat(p); err != nil {
			t.Status, t.Detail, t.Fix = StatusFailed, err.Error(), "[attest].trusted_root names a trusted_root.json, relative to the project root"
		} else {
			t.Detail = p
		}
	}
	return append(checks, t)
}

func transparencyOf(kind, rekor, tsa string) string {
	if kind == attest.TransparencyTSA {
		return "timestamp from " + tsa
	}
	return "log entry in " + rekor
}

func (r *Release) trustedRootPath() string {
	p := r.Config.Attest.TrustedRoot
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(r.Config.RootDir(), p)
}

// attestDir holds the bundles: the state directory, since the output
// directory's contents are exactly what the manifest lists.
func (r *Release) attestDir() string { return filepath.Join(r.Config.StateDir(), "attestations") }

func (Attest) Run(ctx context.Context, r *Release) (Outcome, error) {
	a := r.Config.Attest
	if !*a.Enabled {
		return Outcome{Summary: "provenance disabled"}, nil
	}
	m, err := r.LoadManifest(ctx)
	if err != nil {
		return Outcome{}, err
	}
	if err := r.verifyArtifacts(ctx, m); err != nil {
		return Outcome{}, err
	}
	local := r.DryRun || !r.hasIDTokenSource()
	if local && !r.DryRun {
		return Outcome{}, fmt.Errorf("attest: no ID token for keyless signing: %s", noTokenFix(r.Config))
	}
	var build attest.Build
	opts := attest.SignOptions{Local: local, HTTPClient: r.httpClient()}
	if local {
		build = r.localBuild(m)
	} else {
		verifier, err := r.identityVerifier(ctx)
		if err != nil {
			return Outcome{}, err
		}
		src, err := r.sigstoreSource()
		if err != nil {
			return Outcome{}, err
		}
		_, claims, err := r.fetchVerified(ctx, src, verifier, sigstoreAudience)
		if err != nil {
			return Outcome{}, err
		}
		if build, err = attest.BuildFromClaims(claimMap(claims), r.Env.Get("GITHUB_SERVER_URL")); err != nil {
			return Outcome{}, err
		}
		opts.FulcioURL, opts.RekorURL, opts.TSAURL, opts.Transparency = a.FulcioURL, a.RekorURL, a.TSAURL, a.Transparency
		opts.TrustedRoot = r.trustedRootPath()
		opts.IDToken = func(ctx context.Context) (string, error) {
			raw, _, err := r.fetchVerified(ctx, src, verifier, sigstoreAudience)
			return raw, err
		}
	}
	groups := bundleGroups(m, a.Layout, r.Config.Project.Name+"-"+r.Config.Project.Version)
	if err := os.MkdirAll(r.attestDir(), 0o755); err != nil {
		return Outcome{}, err
	}
	r.Bundles = nil
	for _, g := range groups {
		path := filepath.Join(r.attestDir(), g.file)
		// A re-run keeps a bundle that already proves these subjects: a new
		// signature would be a second, different file for the same release.
		if old, err := os.ReadFile(path); err == nil && r.bundleCovers(ctx, old, g.subjects, local) {
			r.Bundles = append(r.Bundles, path)
			r.UI.Infof("  %s already proves %d subject(s): kept", g.file, len(g.subjects))
			// Logged again, so the audit of this run (which rebuilt the
			// artifacts) sees their provenance after their build.
			if err := r.recordBundle(g, old, local, true); err != nil {
				return Outcome{}, err
			}
			// An earlier job may have been stopped between writing the
			// bundle and storing it on GitHub.
			if !local && *a.GitHubAttestations {
				if err := r.ensureAttestationStored(ctx, g, old); err != nil {
					return Outcome{}, err
				}
			}
			continue
		}
		st, err := attest.Statement(g.subjects, build)
		if err != nil {
			return Outcome{}, fmt.Errorf("provenance for %s: %w", g.file, err)
		}
		bundle, err := attest.Sign(ctx, st, opts)
		if err != nil {
			return Outcome{}, &RemoteError{Service: "Sigstore", Err: fmt.Errorf("sign %s: %w", g.file, err)}
		}
		// Every bundle is checked the way a downstream user will check it.
		for _, s := range g.subjects {
			if _, err := attest.Verify(ctx, bundle, r.verifyOptions(s, local)); err != nil {
				return Outcome{}, fmt.Errorf("the bundle for %s does not verify: %w", s.Name, err)
			}
		}
		if err := artifact.WriteAtomic(path, bundle); err != nil {
			return Outcome{}, err
		}
		r.Bundles = append(r.Bundles, path)
		if err := r.recordBundle(g, bundle, local, false); err != nil {
			return Outcome{}, err
		}
		if !local && *a.GitHubAttestations {
			if err := r.storeAttestation(ctx, g.file, bundle); err != nil {
				return Outcome{}, err
			}
		}
	}
	if !local {
		n, err := r.registryAttestations(ctx, m, build, opts)
		if err != nil {
			return Outcome{}, err
		}
		if n > 0 {
			r.UI.Infof("  %d registry attestation(s): PEP 740 for PyPI, provenance for npm", n)
		}
	}
	what := "keyless"
	if local {
		what = "with an ephemeral key (dry run: NOT verifiable against any trust root)"
	}
	return Outcome{Summary: fmt.Sprintf("%d bundle(s) for %d artifact(s), signed %s, in %s", len(groups), len(m.Artifacts), what, r.attestDir())}, nil
}

// registryAttestations signs what the registries attach to an upload: a PEP
// 740 attestation per PyPI file (it needs a Rekor entry) and npm's
// provenance for the package tarball. A file already made is kept.
func (r *Release) registryAttestations(ctx context.Context, m *artifact.Manifest, build attest.Build, opts attest.SignOptions) (int, error) {
	kinds := map[string]bool{}
	for _, reg := range r.Config.Registry {
		kinds[reg.Kind] = true
	}
	n := 0
	for _, a := range m.Artifacts {
		var st []byte
		var path string
		var err error
		switch {
		case (kinds["pypi"] || kinds["testpypi"]) && (a.Kind == artifact.KindWheel || a.Kind == artifact.KindSdist):
			if opts.Transparency == attest.TransparencyTSA {
				r.UI.Warnf("PyPI attestations need a Rekor entry; [attest].transparency = \"tsa\", so %s is uploaded without one", a.Name)
				continue
			}
			path = filepath.Join(r.attestDir(), "pypi", a.Name+".attestation.json")
			st, err = attest.PyPIStatement(a.Name, a.Digests.SHA256)
		case kinds["npm"] && a.Kind == artifact.KindNpm:
			path = filepath.Join(r.attestDir(), "npm", a.Name+".sigstore")
			st, err = attest.NpmStatement(r.npmPackage(), r.Config.Project.Version, a.Digests.SHA512, build)
		default:
			continue
		}
		if err != nil {
			return n, fmt.Errorf("registry attestation for %s: %w", a.Name, err)
		}
		if _, serr := os.Stat(path); serr == nil {
			continue
		}
		bundle, err := attest.Sign(ctx, st, opts)
		if err != nil {
			return n, &RemoteError{Service: "Sigstore", Err: fmt.Errorf("sign the registry attestation for %s: %w", a.Name, err)}
		}
		out := bundle
		if strings.HasSuffix(path, ".attestation.json") {
			if out, err = attest.PEP740(bundle); err != nil {
				return n, fmt.Errorf("PEP 740 attestation for %s: %w", a.Name, err)
			}
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return n, err
		}
		if err := artifact.WriteAtomic(path, out); err != nil {
			return n, err
		}
		n++
		if err := r.Record("attest", "attest.registry", map[string]any{"artifact": a.Name, "file": filepath.Base(path)}); err != nil {
			return n, err
		}
	}
	return n, nil
}

// npmPackage is the npm registry entry's package name.
func (r *Release) npmPackage() string {
	for _, reg := range r.Config.Registry {
		if reg.Kind == "npm" {
			return reg.Package
		}
	}
	return r.Config.Project.Name
}

// registryAttestation is what an upload of art to a registry of kind
// carries, when the attest stage made it.
func (r *Release) registryAttestation(kind, name string) [][]byte {
	var path string
	switch kind {
	case "pypi", "testpypi":
		path = filepath.Join(r.attestDir(), "pypi", name+".attestation.json")
	case "npm":
		path = filepath.Join(r.attestDir(), "npm", name+".sigstore")
	default:
		return nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	return [][]byte{b}
}

// storeAttestation uploads a bundle to the repository's attestations, where
// `gh attestation verify` finds it.
func (r *Release) storeAttestation(ctx context.Context, file string, bundle []byte) error {
	owner, repo, ok := r.githubRepo()
	if !ok {
		return fmt.Errorf("attest: [attest].github_attestations needs the repository: set repository under [github]")
	}
	c, err := r.githubClient(false)
	if err != nil {
		return fmt.Errorf("attest: storing attestations on GitHub: %w (pass GITHUB_TOKEN with attestations: write, or set [attest].github_attestations = false)", err)
	}
	id, err := c.UploadAttestation(ctx, owner, repo, bundle)
	if err != nil {
		return githubFailure("store "+file+" in the repository's attestations", err)
	}
	r.UI.Infof("  %s stored in %s/%s's attestations", file, owner, repo)
	return r.Record("attest", "attest.github", map[string]any{"file": file, "id": id, "repository": owner + "/" + repo})
}

// recordBundle logs attest.bundle for a bundle made (or, kept, found from an
// earlier job) for the group's subjects.
func (r *Release) recordBundle(g bundleGroup, bundle []byte, local, kept bool) error {
	sum := sha256.Sum256(bundle)
	names := make([]string, len(g.subjects))
	for i, s := range g.subjects {
		names[i] = s.Name
	}
	data := map[string]any{
		"file": g.file, "sha256": hex.EncodeToString(sum[:]), "subjects": names, "local": local,
		"transparency": map[bool]string{true: "none (dry run)", false: r.Config.Attest.Transparency}[local],
	}
	if kept {
		data["kept"] = true
	}
	return r.Record("attest", "attest.bundle", data)
}

// ensureAttestationStored stores a kept bundle in the repository's
// attestations unless GitHub already holds it.
func (r *Release) ensureAttestationStored(ctx context.Context, g bundleGroup, bundle []byte) error {
	// Without a repository or a client there is nothing to look up:
	// storeAttestation fails with the message that says what is missing.
	owner, repo, ok := r.githubRepo()
	if !ok {
		return r.storeAttestation(ctx, g.file, bundle)
	}
	c, err := r.githubClient(false)
	if err != nil {
		return r.storeAttestation(ctx, g.file, bundle)
	}
	held, err := c.HasAttestation(ctx, owner, repo, bundle)
	if err != nil {
		return githubFailure("look up "+g.file+" in the repository's attestations", err)
	}
	if held {
		return nil
	}
	return r.storeAttestation(ctx, g.file, bundle)
}

// bundleCovers reports whether bundle verifies for every subject.
func (r *Release) bundleCovers(ctx context.Context, bundle []byte, subjects []attest.Subject, local bool) bool {
	for _, s := range subjects {
		if _, err := attest.Verify(ctx, bundle, r.verifyOptions(s, local)); err != nil {
			return false
		}
	}
	return true
}

// isBundle reports whether an asset name is a provenance bundle's.
func isBundle(name string) bool { return strings.HasSuffix(name, ".sigstore.json") }

// verifyOptions is the policy a bundle for subject s must meet: this
// repository's release workflow, at this tag.
func (r *Release) verifyOptions(s attest.Subject, local bool) attest.VerifyOptions {
	id := r.Config.Identity
	pol := attest.Policy{Issuer: id.Issuer, Repository: id.Repository, Workflow: id.Workflow}
	if r.Tag != "" {
		pol.Ref = "refs/tags/" + r.Tag
	}
	return attest.VerifyOptions{TrustedRoot: r.trustedRootPath(), Policy: pol, ArtifactSHA256: s.SHA256, ArtifactName: s.Name, AllowLocal: local}
}

type bundleGroup struct {
	file     string
	subjects []attest.Subject
}

// bundleGroups is one bundle for all artifacts (as GitHub's attest action
// does), or one per artifact.
func bundleGroups(m *artifact.Manifest, layout, base string) []bundleGroup {
	var all []attest.Subject
	for _, a := range m.Artifacts {
		all = append(all, attest.Subject{Name: a.Name, SHA256: a.Digests.SHA256})
	}
	if layout != "per-artifact" {
		return []bundleGroup{{file: base + ".sigstore.json", subjects: all}}
	}
	out := make([]bundleGroup, len(all))
	for i, s := range all {
		out[i] = bundleGroup{file: s.Name + ".sigstore.json", subjects: []attest.Subject{s}}
	}
	return out
}

// localBuild describes a dry run: what the release job's provenance will
// say, with this checkout's commit and no run.
func (r *Release) localBuild(m *artifact.Manifest) attest.Build {
	id := r.Config.Identity
	tag := or(r.Tag, r.Config.Tag())
	repo := or(id.Repository, "local/"+r.Config.Project.Name)
	wf := repo + "/.github/workflows/" + or(id.Workflow, "release.yml") + "@refs/tags/" + tag
	return attest.Build{
		ServerURL: "https://github.com", Repository: repo,
		RepositoryID: or(id.RepositoryID, "0"), RepositoryOwnerID: or(id.RepositoryOwnerID, "0"),
		WorkflowRef: wf, JobWorkflowRef: wf, SHA: or(or(m.Release.Commit, r.Commit), strings.Repeat("0", 40)),
		Ref: "refs/tags/" + tag, EventName: "push", RunID: "0", RunAttempt: "1", RunnerEnvironment: "local",
	}
}

// sigstoreSource is where the `sigstore`-audience ID token comes from; on
// GitLab the job declares it as SIGSTORE_ID_TOKEN, as npm and cosign expect.
func (r *Release) sigstoreSource() (identity.Source, error) {
	if r.Config.Identity.Provider == "gitlab" {
		return identity.NewEnvSource(r.Env.Get, "SIGSTORE_ID_TOKEN"), nil
	}
	return identity.NewGitHubSource(r.Env.Get, r.httpClient())
}

// bundleFiles are the provenance bundles of this release: made in this run,
// or found in the attestations directory (a run that starts at publish).
func (r *Release) bundleFiles() []string {
	if len(r.Bundles) > 0 {
		return r.Bundles
	}
	found, _ := filepath.Glob(filepath.Join(r.attestDir(), "*.sigstore.json"))
	return found
}

// verifyProvenance requires every artifact to be a subject of a bundle that
// verifies under the release's policy, before anything is uploaded.
func (r *Release) verifyProvenance(ctx context.Context, m *artifact.Manifest) error {
	files := r.bundleFiles()
	if len(files) == 0 {
		return fmt.Errorf("no provenance bundles in %s: run the attest stage first (releaser run --from attest), or set [attest].enabled = false", r.attestDir())
	}
	bundles := make([][]byte, len(files))
	for i, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		bundles[i] = b
	}
	for _, a := range m.Artifacts {
		s := attest.Subject{Name: a.Name, SHA256: a.Digests.SHA256}
		var last error
		ok := false
		for _, b := range bundles {
			if _, err := attest.Verify(ctx, b, r.verifyOptions(s, r.DryRun)); err == nil {
				ok = true
				break
			} else {
				last = err
			}
		}
		if !ok {
			return fmt.Errorf("refusing to publish %s: no provenance bundle verifies for it: %w", a.Name, last)
		}
	}
	return nil
}

func claimMap(c *identity.Claims) map[string]string {
	return map[string]string{
		"repository": c.Repository, "repository_id": c.RepositoryID, "repository_owner_id": c.RepositoryOwnerID,
		"workflow_ref": c.WorkflowRef, "job_workflow_ref": c.JobWorkflowRef, "sha": c.SHA, "ref": c.Ref,
		"event_name": c.EventName, "run_id": c.RunID, "run_attempt": c.RunAttempt, "runner_environment": c.RunnerEnvironment,
	}
}

func (r *Release) identityVerifier(ctx context.Context) (*identity.Verifier, error) {
	if r.verifier != nil {
		return r.verifier, nil
	}
	v, err := identity.NewVerifier(ctx, r.Config.Identity.Issuer, r.Config.Identity.Provider, r.httpClient())
	if err != nil {
		return nil, &RemoteError{Service: "ID token issuer", Err: err}
	}
	r.verifier = v
	return v, nil
}
