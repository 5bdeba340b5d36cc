package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/releaserhq/releaser/internal/stages"
	"github.com/releaserhq/releaser/internal/ui"
)

const checkSynopsis = `releaser check — the doctor: every precondition of every stage, changing nothing.

One table, grouped by stage, with a row per precondition and its status:

  ok                    holds
  failed                does not hold; the row says how to fix it
  warning               holds, but deserves attention
  needs CI context      only the release workflow can tell (its ID token,
                        this run's approvals)
  needs a GitHub token  set GITHUB_TOKEN (or log in with gh auth login)
                        and run it again
  skipped               does not apply to this configuration

Every row has a code (build/clean-tree, exchange/claims, …) explained in
docs/TROUBLESHOOTING.md. Nothing is built, written or sent. Exit status 1
when any precondition failed.

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
	res.Counts = map[stages.Status]int{}
	for _, s := range stages.All() {
		checks := s.Check(ctx, r)
		res.Stages = append(res.Stages, stages.StageResult{Name: s.Name(), Checks: checks})
		for i, c := range checks {
			note := c.Detail
			if c.Fix != "" && c.Status != stages.StatusOK {
				note += " — fix: " + c.Fix
			}
			stage := ""
			if i == 0 {
				stage = s.Name()
			}
			rows = append(rows, []string{stage, c.Code, c.Name, string(c.Status), note})
			res.Counts[c.Status]++
		}
	}
	failed := res.Counts[stages.StatusFailed]
	res.OK = failed == 0
	if !res.OK {
		res.ExitCode = stages.ExitPrecondition
		res.Error = fmt.Sprintf("%d precondition(s) failed", failed)
	}
	if u.Mode() == ui.ModeJSON {
		_ = writeJSON(u.RawStdout(), res)
	} else {
		u.Table([]string{"stage", "code", "precondition", "status", "details"}, rows)
		u.Infof("%s", countLine(res.Counts))
		if res.OK {
			u.Infof("all preconditions that can be evaluated here hold")
		} else {
			u.Errorf("%s — docs/TROUBLESHOOTING.md explains each code", res.Error)
		}
	}
	return res.ExitCode
}

// countLine sums the table up: "9 ok, 1 failed, 3 needs CI context, …".
func countLine(counts map[stages.Status]int) string {
	var parts []string
	for _, st := range []stages.Status{stages.StatusOK, stages.StatusFailed, stages.StatusWarning,
		stages.StatusNeedsCI, stages.StatusNeedsToken, stages.StatusSkipped} {
		if n := counts[st]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, st))
		}
	}
	return strings.Join(parts, ", ")
}
