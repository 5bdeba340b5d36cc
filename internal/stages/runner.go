package stages

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/releaserhq/releaser/internal/ui"
)

// Order is the pipeline, first to last.
var Order = []string{"build", "attest", "approve", "exchange", "publish", "finalize"}

// All returns every stage in pipeline order.
func All() []Stage {
	return []Stage{
		Build{},
		Attest{},
		Approve{},
		Exchange{},
		Publish{},
		Finalize{},
	}
}

// Selection picks a contiguous range of stages (--from/--to) or one (--only).
type Selection struct {
	From, To, Only string
}

// Select applies a selection to stages, keeping pipeline order.
func Select(all []Stage, sel Selection) ([]Stage, error) {
	if sel.Only != "" && (sel.From != "" || sel.To != "") {
		return nil, errors.New("--only cannot be combined with --from or --to")
	}
	index := func(flag, name string) (int, error) {
		for i, s := range all {
			if s.Name() == name {
				return i, nil
			}
		}
		names := make([]string, len(all))
		for i, s := range all {
			names[i] = s.Name()
		}
		return 0, fmt.Errorf("%s %q: no such stage; stages are %s", flag, name, strings.Join(names, ", "))
	}
	if sel.Only != "" {
		i, err := index("--only", sel.Only)
		if err != nil {
			return nil, err
		}
		return all[i : i+1], nil
	}
	from, to := 0, len(all)-1
	var err error
	if sel.From != "" {
		if from, err = index("--from", sel.From); err != nil {
			return nil, err
		}
	}
	if sel.To != "" {
		if to, err = index("--to", sel.To); err != nil {
			return nil, err
		}
	}
	if from > to {
		return nil, fmt.Errorf("--from %s comes after --to %s in the pipeline (%s)", sel.From, sel.To, strings.Join(Order, " → "))
	}
	return all[from : to+1], nil
}

// Stage results as reported.
const (
	ResultDone         = "done"
	ResultDryRun       = "dry run"
	ResultFailed       = "failed"
	ResultPrecondition = "precondition failed"
	ResultNotAvailable = "not available"
	ResultNotRun       = "not run"
)

// StageResult is one stage's part of the report.
type StageResult struct {
	Name       string   `json:"name"`
	Result     string   `json:"result"`
	Checks     []Check  `json:"checks"`
	Summary    string   `json:"summary,omitempty"`
	Plan       []string `json:"plan,omitempty"`
	Error      string   `json:"error,omitempty"`
	DurationMS int64    `json:"duration_ms"`
}

// Report is the outcome of a pipeline run.
type Report struct {
	DryRun   bool          `json:"dry_run"`
	Stages   []StageResult `json:"stages"`
	ExitCode int           `json:"exit_code"`
	Err      error         `json:"-"`
}

// Exit codes, shared with the CLI.
const (
	ExitOK           = 0
	ExitPrecondition = 1
	ExitUsage        = 2
	ExitRemote       = 3
)

// ExitCode maps an error to the exit code contract: 1 for anything the user
// fixes locally, 3 when a remote service failed.
func ExitCode(err error) int {
	var re *RemoteError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &re):
		return ExitRemote
	}
	return ExitPrecondition
}

// Run runs the selected stages in order. A stage runs only when all its
// preconditions hold; the first failure stops the pipeline and the stages
// after it are reported as not run. In a dry run a stage that is not
// available yet is reported loudly and the pipeline goes on, so the whole
// plan is visible.
func Run(ctx context.Context, r *Release, selected []Stage) *Report {
	rep := &Report{DryRun: r.DryRun}
	names := make([]string, len(selected))
	for i, s := range selected {
		names[i] = s.Name()
	}
	if err := r.Record("", "run.start", map[string]any{
		"dry_run": r.DryRun, "stages": names, "tag": r.Tag, "commit": r.Commit,
		"config": r.Config.File,
	}); err != nil {
		rep.fail(err)
		return rep
	}
	stopped := false
	for _, s := range selected {
		if stopped {
			rep.Stages = append(rep.Stages, StageResult{Name: s.Name(), Result: ResultNotRun, Checks: []Check{}})
			continue
		}
		res, err := runStage(ctx, r, s)
		rep.Stages = append(rep.Stages, res)
		if err != nil {
			rep.fail(err)
			stopped = true
		}
	}
	r.runCleanups()
	end := map[string]any{"exit_code": rep.ExitCode}
	if rep.Err != nil {
		end["error"] = rep.Err.Error()
	}
	if err := r.Record("", "run.end", end); err != nil && rep.Err == nil {
		rep.fail(err)
	}
	return rep
}

func (rep *Report) fail(err error) {
	rep.Err = err
	rep.ExitCode = ExitCode(err)
}

func runStage(ctx context.Context, r *Release, s Stage) (res StageResult, err error) {
	name := s.Name()
	start := time.Now()
	res.Name = name
	r.currentStage = name
	r.UI.StageStart(name)
	defer func() {
		res.DurationMS = time.Since(start).Milliseconds()
		r.UI.StageEnd(name, res.Result, time.Since(start))
	}()

	res.Checks = s.Check(ctx, r)
	if res.Checks == nil {
		res.Checks = []Check{}
	}
	printChecks(r, name, res.Checks)
	var failed []Check
	for _, c := range res.Checks {
		if c.Fails(r.DryRun) {
			failed = append(failed, c)
		}
	}
	if err = r.Record(name, "stage.checks", map[string]any{"checks": res.Checks}); err != nil {
		res.Result, res.Error = ResultFailed, err.Error()
		return res, err
	}
	if len(failed) > 0 {
		err := &PreconditionError{Stage: name, Failed: failed}
		res.Result, res.Error = ResultPrecondition, err.Error()
		_ = r.Record(name, "stage.end", map[string]any{"result": res.Result, "error": res.Error})
		return res, err
	}

	var out Outcome
	out, err = s.Run(ctx, r)
	res.Summary, res.Plan = out.Summary, out.Plan
	for _, p := range out.Plan {
		r.UI.Infof("  would: %s", p)
	}
	switch {
	case errors.Is(err, ErrNotAvailable) && r.DryRun:
		// The stage's own check has already said so, loudly; the dry run goes
		// on so the whole pipeline is visible.
		res.Result, res.Error = ResultNotAvailable, err.Error()
		err = nil
	case errors.Is(err, ErrNotAvailable):
		res.Result, res.Error = ResultNotAvailable, err.Error()
		r.UI.Errorf("%s", err)
	case errors.Is(err, context.Canceled):
		res.Result, res.Error = ResultFailed, "interrupted"
		err = fmt.Errorf("stage %s: interrupted", name)
	case err != nil:
		res.Result, res.Error = ResultFailed, err.Error()
		r.UI.Errorf("stage %s failed: %v", name, err)
	case r.DryRun:
		res.Result = ResultDryRun
	default:
		res.Result = ResultDone
	}
	if res.Summary != "" {
		r.UI.Infof("  %s", res.Summary)
	}
	end := map[string]any{"result": res.Result}
	if res.Error != "" {
		end["error"] = res.Error
	}
	if len(res.Plan) > 0 {
		end["plan"] = res.Plan
	}
	if rerr := r.Record(name, "stage.end", end); rerr != nil && err == nil {
		err = rerr
	}
	return res, err
}

var checkMarks = map[Status]string{
	StatusOK: "ok", StatusWarning: "warning", StatusFailed: "FAILED",
	StatusNeedsCI: "needs CI", StatusNeedsToken: "needs token", StatusSkipped: "skipped",
}

func printChecks(r *Release, stage string, checks []Check) {
	github := r.UI.Mode() == ui.ModeGitHub
	for _, c := range checks {
		// A check that stops the stage shows its code, the key to
		// docs/TROUBLESHOOTING.md.
		name := c.Name
		if c.Fails(r.DryRun) {
			name = c.label()
		}
		line := fmt.Sprintf("  [%s] %s", checkMarks[c.Status], name)
		if c.Detail != "" {
			line += ": " + c.Detail
		}
		r.UI.Infof("%s", line)
		if c.Fix != "" && slices.Contains([]Status{StatusFailed, StatusWarning, StatusNeedsCI, StatusNeedsToken}, c.Status) {
			r.UI.Infof("      fix: %s", c.Fix)
		}
		// In Actions, failures and warnings also become annotations on the run page.
		if !github {
			continue
		}
		switch {
		case c.Fails(r.DryRun):
			r.UI.Annotate("error", fmt.Sprintf("releaser %s: %s", stage, name), "", 0, joinFix(c))
		case c.Status == StatusWarning:
			r.UI.Annotate("warning", fmt.Sprintf("releaser %s: %s", stage, c.Name), "", 0, joinFix(c))
		}
	}
}

func joinFix(c Check) string {
	s := c.Detail
	if c.Fix != "" {
		s += " — fix: " + c.Fix
	}
	return s
}
