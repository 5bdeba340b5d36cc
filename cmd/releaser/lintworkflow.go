package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/releaserhq/releaser/internal/config"
	"github.com/releaserhq/releaser/internal/stages"
	"github.com/releaserhq/releaser/internal/workflowlint"
)

const lintSynopsis = `releaser lint-workflow — check a GitHub Actions release workflow for what lets an attacker publish.

The release-relevant subset of zizmor's audits: dangerous triggers
(pull_request_target, workflow_run), actions not pinned to a full commit SHA
(and placeholders not filled in), missing or broad permissions, id-token: write
outside the publishing job, checkouts that keep credentials, a publishing job
without an environment, and untrusted ${{ }} expressions in run: scripts.
Every finding names the file, line and column, the rule, why it matters and
the fix. The exchange stage runs the same lint on the running workflow.

Without FILE: the workflow named by [identity].workflow in the config (under
.github/workflows of the repository), or .github/workflows/release.yml.

Exit status: 0 no errors (warnings allowed), 1 errors found, 2 a file is
unreadable or not a workflow.

Usage: releaser lint-workflow [--json] [--publish-job JOB] [FILE...]`

const lintExamples = `  releaser lint-workflow
  releaser lint-workflow .github/workflows/release.yml
  releaser lint-workflow --publish-job publish --json .github/workflows/*.yml
`

type lintResult struct {
	Command  string                 `json:"command"`
	OK       bool                   `json:"ok"`
	ExitCode int                    `json:"exit_code"`
	Files    []string               `json:"files"`
	Findings []workflowlint.Finding `json:"findings"`
	Error    string                 `json:"error,omitempty"`
}

func (a *app) lintWorkflow(ctx context.Context, args []string) int {
	var (
		jsonOut    bool
		publishJob string
		cfgPath    string
	)
	fs := newFlags("lint-workflow", lintSynopsis, lintExamples, a.stdout)
	fs.BoolVar(&jsonOut, "json", false, "print a JSON document with every finding")
	fs.StringVar(&publishJob, "publish-job", "", "the job that publishes (default: the one job with id-token: write)")
	fs.StringVar(&cfgPath, "config", "release.toml", "release configuration naming the workflow, when no FILE is given")
	if err := parse(fs, args); err != nil {
		return a.exit(err)
	}
	files := fs.Args()
	if len(files) == 0 {
		f, err := defaultWorkflowFile(ctx, cfgPath)
		if err != nil {
			return a.exit(err)
		}
		files = []string{f}
	}
	res := lintResult{Command: "lint-workflow", Files: files, Findings: []workflowlint.Finding{}}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			return a.lintFailed(jsonOut, res, usagef("lint-workflow: %v", err))
		}
		found, err := workflowlint.Lint(f, src, workflowlint.Options{PublishJob: publishJob})
		if err != nil {
			return a.lintFailed(jsonOut, res, usagef("lint-workflow: %v", err))
		}
		res.Findings = append(res.Findings, found...)
	}
	errs, warns := 0, 0
	for _, f := range res.Findings {
		if f.Severity == workflowlint.SeverityError {
			errs++
		} else {
			warns++
		}
	}
	res.OK = errs == 0
	if !res.OK {
		res.ExitCode = stages.ExitPrecondition
		res.Error = fmt.Sprintf("%d error(s), %d warning(s)", errs, warns)
	}
	if jsonOut {
		_ = writeJSON(a.stdout, res)
		return res.ExitCode
	}
	_ = workflowlint.Text(a.stdout, res.Findings)
	switch {
	case errs > 0:
		fmt.Fprintf(a.stderr, "releaser: lint-workflow: %s in %s\n", res.Error, strings.Join(files, ", "))
	case warns > 0:
		fmt.Fprintf(a.stdout, "%s: no errors, %d warning(s)\n", strings.Join(files, ", "), warns)
	default:
		fmt.Fprintf(a.stdout, "%s: no findings\n", strings.Join(files, ", "))
	}
	return res.ExitCode
}

func (a *app) lintFailed(jsonOut bool, res lintResult, err error) int {
	if jsonOut {
		res.ExitCode, res.Error = stages.ExitUsage, err.Error()
		_ = writeJSON(a.stdout, res)
		fmt.Fprintf(a.stderr, "releaser: %v\n", err)
		return stages.ExitUsage
	}
	return a.exit(err)
}

// defaultWorkflowFile is the release workflow the config names, or the
// conventional one when there is no config.
func defaultWorkflowFile(ctx context.Context, cfgPath string) (string, error) {
	name := "release.yml"
	dir := "."
	if _, err := os.Stat(cfgPath); err == nil {
		cfg, err := config.Load(cfgPath)
		if err != nil {
			return "", configError{err}
		}
		if cfg.Identity.Workflow != "" {
			name = cfg.Identity.Workflow
		}
		dir = cfg.Dir
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", usagef("lint-workflow: %v", err)
	}
	p := stages.WorkflowPath(ctx, dir, name)
	if _, err := os.Stat(p); err != nil {
		return "", usagef("lint-workflow: no workflow file at %s — name one (releaser lint-workflow FILE), or write one with releaser init", relPath(p))
	}
	return relPath(p), nil
}

// relPath shows p relative to the working directory when it is below it.
func relPath(p string) string {
	wd, err := os.Getwd()
	if err != nil {
		return p
	}
	if r, err := filepath.Rel(wd, p); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return p
}
