package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/releaserhq/releaser/internal/artifact"
	"github.com/releaserhq/releaser/internal/config"
)

const manifestUsage = `releaser manifest — work with release manifests.

Usage:
  releaser manifest merge -o OUT IN...      combine the partial manifests of several build jobs
  releaser manifest verify [--manifest F]   re-hash every artifact and compare with the manifest
`

func (a *app) manifest(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usagef("manifest: name a subcommand\n\n%s", manifestUsage)
	}
	switch args[0] {
	case "merge":
		return a.manifestMerge(args[1:])
	case "verify":
		return a.manifestVerify(ctx, args[1:])
	case "-h", "--help", "help":
		fmt.Fprint(a.stdout, manifestUsage)
		return errHelpShown
	}
	return usagef("manifest: unknown subcommand %q\n\n%s", args[0], manifestUsage)
}

func (a *app) manifestMerge(args []string) error {
	var out string
	fs := newFlags("manifest merge", `releaser manifest merge — combine partial manifests from several build jobs.

All inputs must describe the same release; an artifact that appears in two
inputs must be identical in both. Artifact paths are rewritten relative to the
output manifest, so every artifact must live below its directory.

Usage: releaser manifest merge -o OUT IN...`, "  releaser manifest merge -o dist/releaser-manifest.json dist/linux/releaser-manifest.json dist/macos/releaser-manifest.json\n", a.stdout)
	fs.StringVar(&out, "o", "", "output manifest path (required)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if out == "" || fs.NArg() == 0 {
		return usagef("manifest merge: need -o OUT and at least one input (see releaser manifest merge --help)")
	}
	var ms []*artifact.Manifest
	var dirs []string
	for _, in := range fs.Args() {
		m, err := artifact.ReadFile(in)
		if err != nil {
			return err
		}
		ms = append(ms, m)
		dirs = append(dirs, filepath.Dir(in))
	}
	merged, err := artifact.Merge(ms, dirs, filepath.Dir(out))
	if err != nil {
		return fmt.Errorf("manifest merge: %w", err)
	}
	if err := merged.WriteFile(out); err != nil {
		return fmt.Errorf("manifest merge: %w", err)
	}
	fmt.Fprintf(a.stdout, "merged %d manifests, %d artifacts → %s\n", len(ms), len(merged.Artifacts), out)
	return nil
}

func (a *app) manifestVerify(ctx context.Context, args []string) error {
	var cfgPath, path string
	fs := newFlags("manifest verify", `releaser manifest verify — check every artifact against the manifest.

Usage: releaser manifest verify [--config F | --manifest F]`, "  releaser manifest verify --config release.toml.example\n  releaser manifest verify --manifest dist/releaser-manifest.json\n", a.stdout)
	fs.StringVar(&cfgPath, "config", "release.toml", "configuration whose manifest to verify")
	fs.StringVar(&path, "manifest", "", "manifest file (instead of the configured one)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if path == "" {
		cfg, err := config.Load(cfgPath)
		if err != nil {
			return configError{err}
		}
		path = cfg.ManifestPath()
	}
	m, err := artifact.ReadFile(path)
	if err != nil {
		return err
	}
	if err := m.Verify(ctx, filepath.Dir(path), 0, nil); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "%s: %d artifacts match their digests\n", path, len(m.Artifacts))
	return nil
}
