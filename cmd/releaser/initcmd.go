package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/releaserhq/releaser/internal/scaffold"
)

const initSynopsis = `releaser init — write a release.toml and a hardened release workflow for this project.

Finds the project in the directory (pyproject.toml, package.json, Cargo.toml,
*.gemspec; several kinds at once for mixed projects) and writes:

  release.toml                     commented, one [[registry]] per kind found
  .github/workflows/release.yml    top-level permissions: {}, an unprivileged
                                   build job, N approval gates, one publishing
                                   job with id-token: write bound to an
                                   environment, every action pinned by SHA

The releaser action's own commit SHA is left as a placeholder that
releaser lint-workflow refuses until you fill it in. Existing files are
never overwritten without --force (and then nothing is written unless every
file can be).

Usage: releaser init [--dir D] [--approvers N] [--environment E] [--workflow F] [--force] [--json]`

const initExamples = `  releaser init
  releaser init --approvers 3 --environment pypi-release
  releaser init --dir path/to/project --force
`

type initResult struct {
	Command string   `json:"command"`
	OK      bool     `json:"ok"`
	Kinds   []string `json:"kinds"`
	Name    string   `json:"name"`
	Written []string `json:"written"`
	Next    []string `json:"next"`
}

func (a *app) init(ctx context.Context, args []string) error {
	var (
		o       = scaffold.DefaultOptions()
		dir     string
		force   bool
		jsonOut bool
	)
	fs := newFlags("init", initSynopsis, initExamples, a.stdout)
	fs.StringVar(&dir, "dir", ".", "the project directory")
	fs.IntVar(&o.Approvers, "approvers", 2, "distinct people who must approve a release (one gate job and environment each); 0 for none")
	fs.StringVar(&o.Environment, "environment", "release", "the publishing job's deployment environment")
	fs.StringVar(&o.Workflow, "workflow", "release.yml", "the workflow file name under .github/workflows")
	fs.BoolVar(&force, "force", false, "overwrite existing files")
	fs.BoolVar(&jsonOut, "json", false, "print a JSON result")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("init takes no arguments, got %q (use --dir)", fs.Args())
	}
	if o.Approvers < 0 {
		return usagef("--approvers must be 0 or more, got %d", o.Approvers)
	}
	o.ReleaserVersion = releaserVersion()
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("init: %w", err)
	}
	p, err := scaffold.Detect(abs)
	if err != nil {
		return fmt.Errorf("init: %w", err)
	}
	files, err := scaffold.Render(p, o)
	if err != nil {
		return fmt.Errorf("init: %w", err)
	}
	written, err := scaffold.Write(abs, files, force)
	if err != nil {
		return fmt.Errorf("init: %w", err)
	}
	for i, w := range written {
		if rel, err := filepath.Rel(abs, w); err == nil {
			written[i] = filepath.ToSlash(rel)
		}
	}
	res := initResult{Command: "init", OK: true, Name: p.Name, Written: written}
	for _, k := range p.Kinds {
		res.Kinds = append(res.Kinds, string(k))
	}
	wf := filepath.ToSlash(filepath.Join(".github", "workflows", o.Workflow))
	res.Next = []string{
		"put the commit SHA of releaser " + o.ReleaserVersion + " in place of " + scaffold.Placeholder + " in " + wf,
		"releaser lint-workflow " + wf,
		"create the GitHub environments and register the trusted publishers (see the comment at the top of " + wf + ")",
		"releaser check",
		"releaser run --dry-run",
	}
	if jsonOut {
		return writeJSON(a.stdout, res)
	}
	fmt.Fprintf(a.stdout, "found %s (%v)\n", p.Name, res.Kinds)
	for _, w := range written {
		fmt.Fprintf(a.stdout, "wrote %s\n", w)
	}
	fmt.Fprintln(a.stdout, "\nnext:")
	for i, n := range res.Next {
		fmt.Fprintf(a.stdout, "  %d. %s\n", i+1, n)
	}
	return nil
}
