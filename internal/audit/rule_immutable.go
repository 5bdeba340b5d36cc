package audit

import (
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
	for i := range v.real {
		l := &v.real[i]
		switch l.e.Type {
		case "publish.release":
			if created == nil {
				created = l
			}
		case "release.final":
			final = l
			laterFailures = nil
		case "stage.end":
			if l.e.Stage != "finalize" {
				continue
			}
			if d, err := data[stageEndData](v, *l); err != nil || d.Result != "done" {
				laterFailures = append(laterFailures, *l)
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
		d, err := data[releaseFinalData](v, *final)
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
		d, _ := data[stageEndData](v, l)
		j.bad(l, "finalize %s: %s", orNone(d.Result), orNone(d.Error))
	}
}
