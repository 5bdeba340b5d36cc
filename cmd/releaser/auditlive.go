package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/releaserhq/releaser/internal/attest"
	"github.com/releaserhq/releaser/internal/audit"
	"github.com/releaserhq/releaser/internal/config"
	"github.com/releaserhq/releaser/internal/github"
	"github.com/releaserhq/releaser/internal/registry"
)

// liveRule is the finding --live adds to each release: what the registries
// and the GitHub release serve today, against the logged digests.
const liveRule = "live"

// auditLive re-checks every release's published files where they are
// served now. A file replaced or added after the release is a failure.
func (a *app) auditLive(ctx context.Context, rep *audit.Report, releases []*audit.ReleaseRecord, cfg *config.Config) {
	byID := map[string]*audit.ReleaseRecord{}
	for _, r := range releases {
		byID[r.ID] = r
	}
	for i := range rep.Releases {
		rel := byID[rep.Releases[i].ID]
		if rel == nil {
			continue
		}
		f := a.liveFinding(ctx, rel, cfg)
		rep.Releases[i].Findings = append(rep.Releases[i].Findings, f)
		if f.Status == audit.StatusFail {
			rep.Failed = true
		}
	}
}

type loggedFile struct{ registry, pkg, name string }

func (a *app) liveFinding(ctx context.Context, rel *audit.ReleaseRecord, cfg *config.Config) audit.Finding {
	f := audit.Finding{Rule: liveRule, Title: "what is served today equals what was published", Status: audit.StatusNA}
	built := map[string]map[string]string{} // artifact → digests
	paths := map[string]string{}            // artifact → relative path in the output directory
	manifestDir := ""
	var uploads []loggedFile
	assets := map[string]string{} // asset → sha256
	var tag, repoFull string
	attested := false
	for _, run := range rel.Runs {
		if run.DryRun {
			continue
		}
		for _, e := range run.Events {
			var d map[string]any
			_ = json.Unmarshal(e.Data, &d)
			str := func(k string) string { s, _ := d[k].(string); return s }
			switch e.Type {
			case "manifest.written":
				manifestDir = filepath.Dir(str("path"))
			case "artifact":
				paths[str("name")] = str("path")
				if dg, ok := d["digests"].(map[string]any); ok {
					m := map[string]string{}
					for k, v := range dg {
						m[k], _ = v.(string)
					}
					built[str("name")] = m
				}
			case "publish.upload":
				if o := str("outcome"); o == "published" || o == "already_published" {
					uploads = append(uploads, loggedFile{registry: str("registry"), pkg: str("package"), name: str("artifact")})
				}
			case "publish.asset":
				if str("outcome") != "failed" {
					assets[str("asset")] = str("sha256")
				}
			case "attest.bundle":
				if local, _ := d["local"].(bool); !local {
					attested = true
				}
			case "release.final", "publish.release":
				tag = str("tag")
				repoFull = e.Run.Repository
			}
		}
	}
	_, version, _ := strings.Cut(rel.ID, "@")
	for _, u := range uploads {
		dg := built[u.name]
		url := ""
		if cfg != nil {
			for _, reg := range cfg.Registry {
				if reg.Kind == u.registry && reg.Package == u.pkg {
					url = reg.URL
				}
			}
		}
		up, err := registry.NewUploader(u.registry, url, u.pkg, registry.UploadOptions{Version: version})
		if err != nil {
			f.Evidence = append(f.Evidence, fmt.Sprintf("%s %s: cannot ask: %v", u.registry, u.name, err))
			f.Status = audit.StatusFail
			continue
		}
		art := registry.Artifact{Name: u.name, SHA256: dg["sha256"], SHA512: dg["sha512"], BLAKE2b256: dg["blake2b_256"]}
		// Some lookups read the package's own metadata (a gem's platform).
		if p := filepath.Join(manifestDir, filepath.FromSlash(paths[u.name])); manifestDir != "" && fileExists(p) {
			art.Path = p
		}
		rem, err := up.Lookup(ctx, nil, art)
		switch {
		case err != nil && art.Path == "":
			f.Evidence = append(f.Evidence, fmt.Sprintf("%s %s: not checked, the built file is not here to read its metadata from", up.Name(), u.name))
		case err != nil:
			f.Status = audit.StatusFail
			f.Evidence = append(f.Evidence, fmt.Sprintf("%s %s: %v", up.Name(), u.name, err))
		case rem.State == registry.Same:
			if f.Status == audit.StatusNA {
				f.Status = audit.StatusPass
			}
			f.Evidence = append(f.Evidence, fmt.Sprintf("%s serves %s as published", up.Name(), u.name))
		default:
			f.Status = audit.StatusFail
			f.Evidence = append(f.Evidence, fmt.Sprintf("%s no longer serves %s as published: %s", up.Name(), u.name, orDefault(rem.Detail, "it is gone")))
		}
	}
	if tag != "" && len(assets) > 0 {
		a.liveAssets(ctx, &f, repoFull, tag, assets, cfg)
	}
	if attested && len(built) > 0 {
		a.liveAttestations(ctx, &f, repoFull, tag, built, cfg)
	}
	return f
}

// liveAttestations verifies, for every built artifact, a provenance bundle
// GitHub serves for its digest today, under the release's policy — what
// `releaser verify` checks, with the bundles from GitHub's attestations API.
func (a *app) liveAttestations(ctx context.Context, f *audit.Finding, full, tag string, built map[string]map[string]string, cfg *config.Config) {
	c, owner, repo, err := a.liveGitHubClient(full, cfg)
	if err != nil {
		f.Evidence = append(f.Evidence, "attestations not checked: "+err.Error())
		return
	}
	pol := attest.Policy{Repository: owner + "/" + repo}
	root := ""
	if cfg != nil {
		pol.Issuer, pol.Workflow = cfg.Identity.Issuer, cfg.Identity.Workflow
		if root = cfg.Attest.TrustedRoot; root != "" && !filepath.IsAbs(root) {
			root = filepath.Join(cfg.RootDir(), root)
		}
	}
	if tag != "" {
		pol.Ref = "refs/tags/" + tag
	}
	names := make([]string, 0, len(built))
	for n := range built {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		sum := built[name]["sha256"]
		bundles, err := c.Attestations(ctx, owner, repo, "sha256:"+sum)
		if err != nil {
			f.Status = audit.StatusFail
			f.Evidence = append(f.Evidence, fmt.Sprintf("attestations for %s: %v", name, err))
			continue
		}
		var last error = fmt.Errorf("GitHub serves no attestation for it")
		ok := false
		for _, b := range bundles {
			if _, err := attest.Verify(ctx, b, attest.VerifyOptions{TrustedRoot: root, Policy: pol, ArtifactSHA256: sum, ArtifactName: name}); err == nil {
				ok = true
				break
			} else {
				last = err
			}
		}
		if !ok {
			f.Status = audit.StatusFail
			f.Evidence = append(f.Evidence, fmt.Sprintf("provenance of %s does not verify today: %v", name, last))
			continue
		}
		if f.Status == audit.StatusNA {
			f.Status = audit.StatusPass
		}
		f.Evidence = append(f.Evidence, fmt.Sprintf("provenance of %s verifies (%d bundle(s) on GitHub)", name, len(bundles)))
	}
}

// errCannotAsk means --live lacks what it needs to ask GitHub at all (a
// repository, a token): the check is skipped and said so, not failed.
var errCannotAsk = errors.New("cannot ask GitHub")

// liveGitHubClient is a client for the release's repository.
func (a *app) liveGitHubClient(full string, cfg *config.Config) (*github.Client, string, string, error) {
	owner, repo, ok := strings.Cut(full, "/")
	if cfg != nil && cfg.GitHub.Repository != "" {
		owner, repo, ok = strings.Cut(cfg.GitHub.Repository, "/")
	}
	if !ok {
		return nil, "", "", fmt.Errorf("%w: no repository", errCannotAsk)
	}
	c, err := a.auditGitHub(cfg)
	return c, owner, repo, err
}

func (a *app) liveAssets(ctx context.Context, f *audit.Finding, full, tag string, assets map[string]string, cfg *config.Config) {
	c, owner, repo, err := a.liveGitHubClient(full, cfg)
	if errors.Is(err, errCannotAsk) {
		f.Evidence = append(f.Evidence, "GitHub release not checked: "+err.Error())
		return
	}
	var rel *github.Release
	if err == nil {
		if rel, err = c.FindRelease(ctx, owner, repo, tag); err == nil && rel == nil {
			err = fmt.Errorf("no release for %s any more", tag)
		}
	}
	if err != nil {
		f.Status = audit.StatusFail
		f.Evidence = append(f.Evidence, fmt.Sprintf("GitHub release %s: %v", tag, err))
		return
	}
	served := map[string]string{}
	for _, as := range rel.Assets {
		served[as.Name] = strings.TrimPrefix(as.Digest, "sha256:")
	}
	for name, sum := range assets {
		switch got, ok := served[name]; {
		case !ok:
			f.Status = audit.StatusFail
			f.Evidence = append(f.Evidence, fmt.Sprintf("GitHub release %s no longer has %s", tag, name))
		case got != "" && got != sum:
			f.Status = audit.StatusFail
			f.Evidence = append(f.Evidence, fmt.Sprintf("GitHub release %s serves %s with sha256 %s, published %s", tag, name, got, sum))
		}
	}
	for name := range served {
		if _, ok := assets[name]; !ok {
			f.Status = audit.StatusFail
			f.Evidence = append(f.Evidence, fmt.Sprintf("GitHub release %s has %s, which was not published by releaser", tag, name))
		}
	}
	if f.Status == audit.StatusNA {
		f.Status = audit.StatusPass
	}
	f.Evidence = append(f.Evidence, fmt.Sprintf("GitHub release %s checked (%d assets)", tag, len(served)))
}
