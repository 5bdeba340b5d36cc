package audit

import (
	"slices"
)

// ruleNoDangerousEvents checks every run, dry runs too: neither the run identity nor a
// token's claims may name an event that runs with the repository's privileges on
// behalf of code from elsewhere.
func ruleNoDangerousEvents(v *view, _ Policy, j *judge) {
	for _, run := range v.rec.Runs {
		flagged, named := false, ""
		for i := range run.Events {
			e := &run.Events[i]
			l := located{run: run, idx: i, e: e}
			if ev := e.Run.EventName; ev != "" {
				named = ev
				if slices.Contains(forbiddenEvents, ev) && !flagged {
					j.bad(l, "the run was started by %s", ev)
					flagged = true
				}
			}
			if e.Type == "token.minted" {
				d, err := dataOf[tokenMintedData](v, run, i)
				if err == nil && slices.Contains(forbiddenEvents, d.claim("event_name")) {
					j.bad(l, "%s token's event_name is %s", d.Registry, d.claim("event_name"))
				}
			}
		}
		l := located{run: run, idx: 0, e: &run.Events[0]}
		switch {
		case flagged:
		case named != "":
			j.ok(l, "started by %s", named)
		default:
			j.ok(l, "no CI event recorded (run outside GitHub Actions)")
		}
	}
}
