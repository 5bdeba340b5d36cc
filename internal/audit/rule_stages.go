package audit

import (
	"slices"
	"strings"
)

// pipeline is the stage order every run follows (docs/ARCHITECTURE.md).
var pipeline = []string{"build", "attest", "approve", "exchange", "publish", "finalize"}

// ownStage is the stage whose window an event type belongs in. token.minted is also
// recorded while publishing (a token is re-minted when too little of its life is left);
// token.revoke and registry.retry are checked elsewhere or not at all.
var ownStage = map[string][]string{
	"artifact": {"build"}, "manifest.written": {"build"}, "build.command": {"build"},
	"attest.bundle": {"attest"}, "attest.github": {"attest"}, "attest.registry": {"attest"},
	"approval.counted": {"approve"}, "approval.discounted": {"approve"}, "approval.rejected": {"approve"}, "approval.result": {"approve"},
	"token.minted":   {"exchange", "publish"},
	"publish.upload": {"publish"}, "publish.asset": {"publish"}, "publish.release": {"publish"},
	"release.final": {"finalize"},
}

// completed is whether a stage.end result lets the pipeline go on.
func completed(result string, dry bool) bool {
	return result == "done" || (dry && (result == "dry run" || result == "not available"))
}

// ruleStagesInOrder checks each run's stages against its run.start selection and the
// pipeline order, that each stage's events fall inside its stage.checks … stage.end
// window, that nothing ran after a stage failed, and, across the real runs of the
// release, that no stage started before every earlier stage had completed.
func ruleStagesInOrder(v *view, _ Policy, j *judge) {
	doneSoFar := map[string]bool{}
	for _, run := range v.rec.Runs {
		checkRunStages(v, run, j, doneSoFar)
	}
}

func checkRunStages(v *view, run *RunRecord, j *judge, doneSoFar map[string]bool) {
	if !run.Started() {
		j.bad(located{run: run, idx: 0, e: &run.Events[0]}, "events without a run.start: the stage order cannot be checked")
		return
	}
	startLoc := located{run: run, idx: 0, e: &run.Events[0]}
	if _, err := dataOf[runStartData](v, run, 0); err != nil {
		j.bad(startLoc, "%v", err)
		return
	}
	selected := v.start[run].Stages
	last := -1
	for _, s := range selected {
		i := slices.Index(pipeline, s)
		if i < 0 {
			j.bad(startLoc, "run.start selects unknown stage %q", s)
			return
		}
		if i <= last {
			j.bad(startLoc, "run.start selects stages out of pipeline order: %s", strings.Join(selected, ", "))
			return
		}
		last = i
	}

	next := 0          // index into selected of the stage expected to start next
	open := ""         // the stage whose window is open
	stopped := ""      // the stage that failed; nothing may start after it
	var ran []string   // stages that started, in order
	var revokable bool // a token was minted in this run
	bad := false
	for i := range run.Events {
		e := &run.Events[i]
		l := located{run: run, idx: i, e: e}
		switch e.Type {
		case "stage.checks":
			switch {
			case open != "":
				j.bad(l, "stage %s started while %s had not ended", e.Stage, open)
				bad = true
			case stopped != "":
				j.bad(l, "stage %s started after %s failed", e.Stage, stopped)
				bad = true
			case next >= len(selected) || selected[next] != e.Stage:
				j.bad(l, "stage %s started, but the run selected %s and had run %s", e.Stage, list(selected), list(ran))
				bad = true
			default:
				// A stage may start only once every earlier stage of the pipeline has
				// completed in this release (in this run or an earlier one).
				if !run.DryRun {
					for _, p := range pipeline[:slices.Index(pipeline, e.Stage)] {
						if !doneSoFar[p] {
							j.bad(l, "stage %s started before %s had completed in any real run of this release", e.Stage, p)
							bad = true
							break
						}
					}
				}
			}
			if next < len(selected) && selected[next] == e.Stage {
				next++
			}
			open = e.Stage
			ran = append(ran, e.Stage)
		case "stage.end":
			if e.Stage != open {
				j.bad(l, "stage.end for %s, but the open stage is %s", e.Stage, orNone(open))
				bad = true
			}
			d, err := dataOf[stageEndData](v, run, i)
			if err != nil {
				j.bad(l, "%v", err)
				bad = true
			}
			if completed(d.Result, run.DryRun) {
				if !run.DryRun && d.Result == "done" {
					doneSoFar[e.Stage] = true
				}
			} else {
				stopped = e.Stage
			}
			open = ""
		case "token.revoke":
			if !revokable {
				j.bad(l, "token.revoke without a token minted before it in this run")
				bad = true
			}
		case "run.start", "run.end", "registry.retry":
		default:
			want, known := ownStage[e.Type]
			if !known {
				continue // an event type this version does not judge
			}
			if e.Type == "token.minted" {
				revokable = true
			}
			if !slices.Contains(want, open) {
				j.bad(l, "%s outside the %s stage (open stage: %s)", e.Type, strings.Join(want, " or "), orNone(open))
				bad = true
			}
		}
	}
	lastLoc := located{run: run, idx: len(run.Events) - 1, e: &run.Events[len(run.Events)-1]}
	var result string
	switch {
	case stopped != "":
		result = "stopped after " + stopped + " failed"
	case !run.Ended && open != "":
		// log-complete reports the missing end; here it only must not read as a pass
		// of stages that were never seen to finish.
		result = "the log ends inside " + open
	case !run.Ended:
		result = "the log ends after " + list(ran)
	case open != "":
		j.bad(lastLoc, "the run ended with stage %s still open", open)
		bad = true
	case next < len(selected):
		j.bad(lastLoc, "the run ended without running %s, and no stage failed", list(selected[next:]))
		bad = true
	default:
		result = "all stages completed"
	}
	if !bad {
		kind := "run"
		if run.DryRun {
			kind = "dry run"
		}
		j.ok(startLoc, "%s of %s: %s in order; %s", kind, list(selected), list(ran), result)
	}
}

func list(s []string) string {
	if len(s) == 0 {
		return "(none)"
	}
	return strings.Join(s, ", ")
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
