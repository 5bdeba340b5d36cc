package audit

// ruleLogComplete checks that every run has its run.start and its run.end: a run cut
// short (a killed process, a truncated or spliced log) is not a whole record.
func ruleLogComplete(v *view, _ Policy, j *judge) {
	for _, run := range v.rec.Runs {
		first := located{run: run, idx: 0, e: &run.Events[0]}
		last := located{run: run, idx: len(run.Events) - 1, e: &run.Events[len(run.Events)-1]}
		switch {
		case !run.Started():
			j.bad(first, "%d event(s) without a run.start before them: the start of the run is missing", len(run.Events))
		case !run.Ended && len(run.Events) == 1:
			j.bad(first, "a run.start and nothing else: the run never recorded anything")
		case !run.Ended:
			j.bad(last, "the run never ended: no run.end after this line (killed, or the log is cut short)")
		default:
			j.ok(last, "run complete: %d events, exit code %d", len(run.Events), run.ExitCode)
		}
	}
}
