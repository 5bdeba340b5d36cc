package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/releaserhq/releaser/internal/audit"
	"github.com/releaserhq/releaser/internal/config"
	"github.com/releaserhq/releaser/internal/git"
	"github.com/releaserhq/releaser/internal/stages"
	"github.com/releaserhq/releaser/internal/ui"
)

// configError is a release.toml problem (exit code 2).
type configError struct{ err error }

func (e configError) Error() string { return e.err.Error() }
func (e configError) Unwrap() error { return e.err }

// commonFlags are shared by run and check.
type commonFlags struct {
	config     string
	json       bool
	tag        string
	allowDirty bool
}

func (c *commonFlags) register(fs interface {
	StringVar(*string, string, string, string)
	BoolVar(*bool, string, bool, string)
}) {
	fs.StringVar(&c.config, "config", "release.toml", "path to the release configuration")
	fs.BoolVar(&c.json, "json", false, "print a machine-readable JSON result on stdout (human output goes to stderr)")
	fs.StringVar(&c.tag, "tag", "", "the release tag (default: the tag GitHub Actions or GitLab CI runs for)")
	fs.BoolVar(&c.allowDirty, "allow-dirty", false, "dry run only: build from a work tree with uncommitted changes")
}

// newUI picks the output mode for this invocation.
func (a *app) newUI(jsonOut bool) *ui.UI {
	return ui.New(ui.Options{
		Mode:   ui.Detect(jsonOut, a.stdout, a.env.Get),
		Stdout: a.stdout,
		Stderr: a.stderr,
		Getenv: a.env.Get,
	})
}

// prepare loads the config and works out the release: tag, commit, paths.
func (a *app) prepare(ctx context.Context, f commonFlags, dryRun bool, u *ui.UI) (*stages.Release, error) {
	if f.allowDirty && !dryRun {
		return nil, usagef("--allow-dirty is only for --dry-run: a real release is built from exactly the tagged commit")
	}
	cfg, err := config.Load(f.config)
	if err != nil {
		return nil, configError{err}
	}
	r := &stages.Release{
		Config:       cfg,
		DryRun:       dryRun,
		AllowDirty:   f.allowDirty,
		Tag:          releaseTag(f.tag, a.env),
		Env:          a.env,
		UI:           u,
		ManifestPath: cfg.ManifestPath(),
	}
	if head, err := (git.Repo{Dir: cfg.RootDir()}).Head(ctx); err == nil {
		r.Commit = head
	}
	return r, nil
}

// releaseTag is --tag, else the tag the CI job runs for.
func releaseTag(flagTag string, env *stages.Env) string {
	if flagTag != "" {
		return flagTag
	}
	if ref := env.Get("GITHUB_REF"); env.InGitHubActions() && strings.HasPrefix(ref, "refs/tags/") {
		return strings.TrimPrefix(ref, "refs/tags/")
	}
	return env.Get("CI_COMMIT_TAG")
}

// openAudit opens the audit log; in CI it is mirrored, prefixed, to stdout
// so it survives in the job log even if the file is lost.
func (a *app) openAudit(r *stages.Release, jsonOut bool) error {
	var mirror io.Writer
	if a.env.InCI() && !jsonOut {
		mirror = a.stdout
	}
	log, err := audit.Open(r.Config.AuditLogPath(), audit.Options{
		Run:     audit.RunIdentityFromEnv(a.env.Get),
		Release: r.ReleaseID(),
		Mirror:  mirror,
	})
	if err != nil {
		var ce *audit.ChainError
		if errors.As(err, &ce) {
			return fmt.Errorf("audit log %s is damaged (%v): move it aside to start a new one, and keep it for investigation", r.Config.AuditLogPath(), ce)
		}
		return fmt.Errorf("open audit log: %w", err)
	}
	r.Log = log
	return nil
}
