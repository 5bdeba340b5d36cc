package audit

import (
	"slices"
	"strings"
)

// ruleImmutable checks the GitHub release: once a real run created one (publish.release)
// or finalized one, the newest release.final must report it immutable, not a draft and
// without problems, and no finalize stage may have failed after it (a later run that
// finds the release mutable or changed is the newest word on it).
func ruleImmutable(v *view, _ Policy, j *judge) {
	if v.onlyDryRuns() {
		v.dryRunReason(j)
		return
	}
	var final, created *located
	var laterFailures []located
	for _, l := range v.real {
		switch l.e.Type {
		case "publish.release":
			if created == nil {
				created = &l
			}
		case "release.final":
			final = &l
			laterFailures = nil
		case "stage.end":
			if l.e.Stage != "finalize" {
				continue
			}
			if d, err := decodeData[stageEndData](l.e); err != nil || d.Result != "done" {
				laterFailures = append(laterFailures, l)
			}
		}
	}
	switch {
	case final == nil && created == nil:
		j.na(v.first(), "no GitHub release was created")
		return
	case final == nil:
		j.bad(*created, "a draft GitHub release was created but never finalized")
	default:
		d, err := decodeData[releaseFinalData](final.e)
		switch {
		case err != nil:
			j.bad(*final, "%v", err)
		case !d.Immutable:
			j.bad(*final, "release %s is not immutable", orNone(d.Tag))
		case d.Draft:
			j.bad(*final, "release %s is still a draft", orNone(d.Tag))
		case len(d.Problems) > 0:
			j.bad(*final, "release %s has problems: %s", orNone(d.Tag), strings.Join(d.Problems, "; "))
		default:
			j.ok(*final, "release %s is immutable, published, no problems (%s)", d.Tag, orNone(d.URL))
		}
	}
	for _, l := range laterFailures {
		d, _ := decodeData[stageEndData](l.e)
		j.bad(l, "finalize %s: %s", orNone(d.Result), orNone(d.Error))
	}
}

// ruleCratesRevoked pairs every crates.io token minted in a real run with a later
// token.revoke for the same package in the same run, which must say revoked.
func ruleCratesRevoked(v *view, _ Policy, j *judge) {
	if v.onlyDryRuns() {
		v.dryRunReason(j)
		return
	}
	type key struct {
		run *RunRecord
		pkg string
	}
	pending := map[key][]located{}
	var order []key
	for _, l := range v.real {
		switch l.e.Type {
		case "token.minted":
			d, err := decodeData[tokenMintedData](l.e)
			if err != nil {
				j.bad(l, "%v", err)
				continue
			}
			if d.Registry != "crates" {
				continue
			}
			k := key{l.run, d.Package}
			if !slices.Contains(order, k) {
				order = append(order, k)
			}
			pending[k] = append(pending[k], l)
		case "token.revoke":
			d, err := decodeData[tokenRevokeData](l.e)
			if err != nil {
				j.bad(l, "%v", err)
				continue
			}
			if d.Registry != "crates" {
				continue
			}
			k := key{l.run, d.Package}
			if len(pending[k]) == 0 {
				j.bad(l, "token.revoke for crates %s without a token minted before it in this run", orNone(d.Package))
				continue
			}
			mint := pending[k][0]
			pending[k] = pending[k][1:]
			if d.Revoked {
				j.ok(l, "crates.io token for %s (minted at %s) revoked", orNone(d.Package), mint.at())
			} else {
				j.bad(l, "crates.io token for %s (minted at %s) was not revoked: %s", orNone(d.Package), mint.at(), orNone(d.Error))
			}
		}
	}
	for _, k := range order {
		for _, mint := range pending[k] {
			j.bad(mint, "crates.io token for %s never revoked: no token.revoke follows in this run (killed, or the log is cut short)", orNone(k.pkg))
		}
	}
	if len(j.pass) == 0 && len(j.fail) == 0 {
		j.na(v.first(), "no crates.io token was minted")
	}
}

// ruleNoDangerousEvents checks every run, dry runs too: neither the run identity nor a
// token's claims may name an event that runs with the repository's privileges on
// behalf of code from elsewhere.
func ruleNoDangerousEvents(v *view, _ Policy, j *judge) {
	for _, run := range v.rec.Runs {
		flagged, named := false, ""
		for i, e := range run.Events {
			l := located{run: run, idx: i, e: e}
			if ev := e.Run.EventName; ev != "" {
				named = ev
				if slices.Contains(forbiddenEvents, ev) && !flagged {
					j.bad(l, "the run was started by %s", ev)
					flagged = true
				}
			}
			if e.Type == "token.minted" {
				d, err := decodeData[tokenMintedData](e)
				if err == nil && slices.Contains(forbiddenEvents, d.claim("event_name")) {
					j.bad(l, "%s token's event_name is %s", d.Registry, d.claim("event_name"))
				}
			}
		}
		l := located{run: run, idx: 0, e: run.Events[0]}
		switch {
		case flagged:
		case named != "":
			j.ok(l, "started by %s", named)
		default:
			j.ok(l, "no CI event recorded (run outside GitHub Actions)")
		}
	}
}

// ruleLogComplete checks that every run has its run.start and its run.end: a run cut
// short (a killed process, a truncated or spliced log) is not a whole record.
func ruleLogComplete(v *view, _ Policy, j *judge) {
	for _, run := range v.rec.Runs {
		first := located{run: run, idx: 0, e: run.Events[0]}
		last := located{run: run, idx: len(run.Events) - 1, e: run.Events[len(run.Events)-1]}
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
