package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/releaserhq/releaser/internal/artifact"
	"github.com/releaserhq/releaser/internal/attest"
	"github.com/releaserhq/releaser/internal/config"
)

const verifySynopsis = `releaser verify — check artifacts against their Sigstore provenance bundles.

For each ARTIFACT, the bundle (--bundle, else ARTIFACT.sigstore.json beside it,
else the release's bundle in the project's attestations directory) must carry a
valid signature, a certificate chaining to the trusted root, a transparency log
entry or timestamp proving when it was signed, the artifact's sha256 as a
subject, and a certificate issued to the expected repository and workflow —
what "gh attestation verify --repo OWNER/REPO" checks, but exact.

--repo and --workflow default to [identity] in release.toml when there is one.

Usage: releaser verify [flags] ARTIFACT...`

const verifyExamples = `  releaser verify --repo octo-org/octo-repo --workflow release.yml hello-1.2.3.tgz
  releaser verify --bundle provenance.sigstore.json dist/*.whl dist/*.tar.gz
  releaser verify --trusted-root trusted_root.json --json dist/hello-1.2.3.crate
`

func (a *app) verify(ctx context.Context, args []string) error {
	var cfgPath, bundle, repo, workflow, ref, root, issuer string
	var allowLocal, jsonOut bool
	fs := newFlags("verify", verifySynopsis, verifyExamples, a.stdout)
	fs.StringVar(&cfgPath, "config", "release.toml", "release configuration to take defaults from, when present")
	fs.BoolVar(&jsonOut, "json", false, "print a JSON array of results")
	fs.StringVar(&bundle, "bundle", "", "the Sigstore bundle to check every artifact against")
	fs.StringVar(&repo, "repo", "", "repository the signer must be (owner/name)")
	fs.StringVar(&workflow, "workflow", "", "workflow file the signer must be (e.g. release.yml); empty: any workflow of --repo")
	fs.StringVar(&ref, "ref", "", "git ref the signer ran on (e.g. refs/tags/v1.2.3); empty: any")
	fs.StringVar(&issuer, "issuer", "", "OIDC issuer of the certificate (default GitHub Actions')")
	fs.StringVar(&root, "trusted-root", "", "trusted_root.json to verify against (default: Sigstore's public-good root, over the network)")
	fs.BoolVar(&allowLocal, "allow-local", false, "accept dry-run bundles signed with an ephemeral key (integrity only, not origin)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usagef("verify: name at least one artifact (see releaser verify --help)")
	}
	var cfg *config.Config
	if c, err := config.Load(cfgPath); err == nil {
		cfg = c
		repo = orDefault(repo, c.Identity.Repository)
		workflow = orDefault(workflow, c.Identity.Workflow)
		issuer = orDefault(issuer, c.Identity.Issuer)
		if root == "" && c.Attest.TrustedRoot != "" {
			root = c.Attest.TrustedRoot
			if !filepath.IsAbs(root) {
				root = filepath.Join(c.RootDir(), root)
			}
		}
	}
	if repo == "" {
		return usagef("verify: --repo is required (no [identity].repository in a release.toml here)")
	}
	type result struct {
		Artifact string           `json:"artifact"`
		Bundle   string           `json:"bundle"`
		OK       bool             `json:"ok"`
		Error    string           `json:"error,omitempty"`
		Verified *attest.Verified `json:"verified,omitempty"`
	}
	var results []result
	failed := 0
	for _, art := range fs.Args() {
		res := result{Artifact: art}
		d, _, err := artifact.Hash(ctx, art, nil)
		if err == nil {
			res.Bundle = findBundle(art, bundle, cfg)
			var b []byte
			if b, err = os.ReadFile(res.Bundle); err == nil {
				res.Verified, err = attest.Verify(ctx, b, attest.VerifyOptions{TrustedRoot: root, AllowLocal: allowLocal,
					ArtifactSHA256: d.SHA256, ArtifactName: filepath.Base(art),
					Policy: attest.Policy{Issuer: issuer, Repository: repo, Workflow: workflow, Ref: ref}})
			}
		}
		if err != nil {
			res.Error = err.Error()
			failed++
		} else {
			res.OK = true
		}
		results = append(results, res)
	}
	if jsonOut {
		_ = writeJSON(a.stdout, results)
	} else {
		for _, r := range results {
			if r.OK {
				how := "signed by " + r.Verified.SAN
				if r.Verified.Local {
					how = "signed LOCALLY with an ephemeral key (integrity only; not verifiable against a trust root)"
				}
				fmt.Fprintf(a.stdout, "ok      %s: %s (bundle %s)\n", r.Artifact, how, r.Bundle)
			} else {
				fmt.Fprintf(a.stdout, "FAILED  %s: %s\n", r.Artifact, r.Error)
			}
		}
	}
	if failed > 0 {
		return fmt.Errorf("verify: %d of %d artifact(s) failed: %w", failed, len(results), errVerifyFailed)
	}
	return nil
}

var errVerifyFailed = errors.New("provenance does not verify")

// findBundle picks the bundle for art: the one named, the per-artifact one
// beside it, or the release's single bundle in the attestations directory.
func findBundle(art, named string, cfg *config.Config) string {
	if named != "" {
		return named
	}
	if p := art + ".sigstore.json"; fileExists(p) {
		return p
	}
	if cfg != nil {
		dir := filepath.Join(cfg.StateDir(), "attestations")
		for _, p := range []string{filepath.Join(dir, filepath.Base(art)+".sigstore.json"), filepath.Join(dir, cfg.Project.Name+"-"+cfg.Project.Version+".sigstore.json")} {
			if fileExists(p) {
				return p
			}
		}
	}
	return art + ".sigstore.json"
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
