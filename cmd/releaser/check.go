package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/releaserhq/releaser/internal/stages"
	"github.com/releaserhq/releaser/internal/ui"
)

const checkSynopsis = `releaser check — evaluate every precondition of every stage, change nothing.

Prints one row per precondition: ok, failed (with the fix), or "needs CI
context" for what can only be known inside the release workflow (the ID
token, the run's approvals). Nothing is built, written or sent.

Usage: releaser check [flags]`

const checkExamples = `  releaser check --config release.toml.example
  releaser check --tag v1.2.3
  releaser check --json | jq '.stages[].checks[] | select(.status == "failed")'
`

func (a *app) check(ctx context.Context, args []string) int {
	var f commonFlags
	fs := newFlags("check", checkSynopsis, checkExamples, a.stdout)
	f.register(fs)
	if err := parse(fs, args); err != nil {
		return a.exit(err)
	}
	if fs.NArg() > 0 {
		return a.exit(usagef("check takes no arguments, got %q", fs.Args()))
	}
	u := a.newUI(f.json)
	// check is a dry run in spirit: NeedsCI is information here, not failure.
	r, err := a.prepare(ctx, f, true, u)
	if err != nil {
		return a.exit(err)
	}
	res := runResult{Command: "check", DryRun: true,
		Release: releaseInfo{Name: r.Config.Project.Name, Version: r.Config.Project.Version, Tag: r.Tag, Commit: r.Commit}}
	var rows [][]string
	failed := 0
	for _, s := range stages.All() {
		checks := s.Check(ctx, r)
		res.Stages = append(res.Stages, stages.StageResult{Name: s.Name(), Checks: checks})
		for _, c := range checks {
			note := c.Detail
			if c.Fix != "" && c.Status != stages.StatusOK {
				note += " — fix: " + c.Fix
			}
			rows = append(rows, []string{s.Name(), c.Name, string(c.Status), note})
			if c.Status == stages.StatusFailed {
				failed++
			}
		}
	}
	res.OK = failed == 0
	if !res.OK {
		res.ExitCode = stages.ExitPrecondition
		res.Error = fmt.Sprintf("%d precondition(s) failed", failed)
	}
	if u.Mode() == ui.ModeJSON {
		enc := json.NewEncoder(u.RawStdout())
		enc.SetIndent("", "  ")
		_ = enc.Encode(res)
	} else {
		u.Table([]string{"stage", "precondition", "status", "details"}, rows)
		if res.OK {
			u.Infof("all preconditions that can be evaluated here hold")
		} else {
			u.Errorf("%s", res.Error)
		}
	}
	return res.ExitCode
}
