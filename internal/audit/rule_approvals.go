package audit

import (
	"slices"
	"strings"
)

// gatedRuns are the real runs that did what approvals gate: minted a registry token or
// published something.
func (v *view) gatedRuns() []*RunRecord {
	var out []*RunRecord
	for _, run := range v.rec.Runs {
		if run.DryRun {
			continue
		}
		for i, e := range run.Events {
			if e.Type == "token.minted" || v.isPublication(run, i) {
				out = append(out, run)
				break
			}
		}
	}
	return out
}

// githubRunID is the GitHub Actions run a releaser run belonged to.
func githubRunID(run *RunRecord) string {
	for _, e := range run.Events {
		if e.Run.RunID != "" {
			return e.Run.RunID
		}
	}
	return ""
}

// ruleApprovals checks, for every run that minted a token or published, the approvals
// recorded for the same GitHub run: enough distinct approvers (the larger of the policy
// and what the run required), none of them the actor (the run's actor, the token's
// actor claim, or anyone the approve stage excluded), no rejection, and an approved
// result. Approvals of another GitHub run do not count.
func ruleApprovals(v *view, p Policy, j *judge) {
	if v.onlyDryRuns() {
		v.dryRunReason(j)
		return
	}
	gated := v.gatedRuns()
	if len(gated) == 0 {
		j.na(v.first(), "no token was minted and nothing was published")
		for _, l := range ofType(v.real, "approval.result") {
			if d, err := data[approvalResultData](v, l); err == nil && !d.Approved {
				j.na(l, "the release stopped at its approval: %d of %d approvals", d.Counted, d.Required)
			}
		}
		return
	}
	seen := map[string]bool{}
	for _, g := range gated {
		id := githubRunID(g)
		if id != "" && seen[id] {
			continue
		}
		seen[id] = true
		judgeRunApprovals(v, p, j, g, id)
	}
}

func judgeRunApprovals(v *view, p Policy, j *judge, g *RunRecord, runID string) {
	gl := located{run: g, idx: 0, e: &g.Events[0]}
	var result *approvalResultData
	var resultAt located
	var counted []located
	for _, l := range v.real {
		if !strings.HasPrefix(l.e.Type, "approval.") {
			continue
		}
		d, err := data[approvalData](v, l)
		if err != nil {
			j.bad(l, "%v", err)
			continue
		}
		if id := firstNonEmpty(string(d.RunID), l.e.Run.RunID); runID == "" || id != runID {
			continue
		}
		switch l.e.Type {
		case "approval.result":
			r, err := data[approvalResultData](v, l)
			if err != nil {
				j.bad(l, "%v", err)
				continue
			}
			result, resultAt = &r, l
		case "approval.counted":
			counted = append(counted, l)
		case "approval.rejected":
			j.bad(l, "%s rejected the release", orNone(d.Login))
		}
	}
	required := p.RequiredApprovals
	if result != nil {
		required = max(required, result.Required)
	}
	if result == nil {
		if required == 0 {
			j.na(gl, "no approvals required: no approval.result for this run and the policy requires none")
			return
		}
		if runID == "" {
			j.bad(gl, "the run published with no GitHub run id, so no approval can be tied to it (%d required)", required)
			return
		}
		j.bad(gl, "run %s published without an approval.result; %d approvals required", runID, required)
		return
	}

	actors := runActors(v, g)
	for _, x := range result.Excluded {
		actors = appendFold(actors, x)
	}
	var distinct []string
	ids := map[string]bool{}
	for _, l := range counted {
		d, _ := data[approvalData](v, l)
		if containsFold(actors, d.Login) {
			j.bad(l, "approval by %s counted, but %s started the run", d.Login, d.Login)
			continue
		}
		key := firstNonEmpty(string(d.ID), "login:"+strings.ToLower(d.Login))
		if !ids[key] {
			ids[key] = true
			distinct = append(distinct, d.Login)
		}
	}
	if !result.Approved {
		j.bad(resultAt, "approval.result says the run was not approved (%d of %d)", result.Counted, result.Required)
	}
	if result.Required < p.RequiredApprovals {
		j.bad(resultAt, "the run required %d approvals, the policy requires %d", result.Required, p.RequiredApprovals)
	}
	if len(distinct) < required {
		j.bad(resultAt, "%d distinct approval(s) (%s) recorded for run %s, %d required", len(distinct), list(distinct), runID, required)
		return
	}
	j.ok(resultAt, "run %s: %d distinct approval(s) (%s), %d required; none by %s", runID, len(distinct), strings.Join(distinct, ", "), required, list(actors))
}

// runActors are the people who started a run: its recorded actor and the actor claim
// of the tokens it minted.
func runActors(v *view, run *RunRecord) []string {
	var out []string
	for i, e := range run.Events {
		if e.Run.Actor != "" {
			out = appendFold(out, e.Run.Actor)
		}
		if e.Type == "token.minted" {
			if d, err := dataOf[tokenMintedData](v, run, i); err == nil && d.claim("actor") != "" {
				out = appendFold(out, d.claim("actor"))
			}
		}
	}
	return out
}

// GitHub logins are case-insensitive.
func containsFold(list []string, s string) bool {
	return s != "" && slices.ContainsFunc(list, func(x string) bool { return strings.EqualFold(x, s) })
}

func appendFold(list []string, s string) []string {
	if s == "" || containsFold(list, s) {
		return list
	}
	return append(list, s)
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
