package audit

import (
	"path"
	"slices"
	"strings"
)

// ruleTokens checks every token.minted of a real run: the run selected the publish
// stage (tokens exist to upload), the claims tie the token to the run that logged it
// (run id, attempt, repository, workflow_ref), the workflow the registry binds is the
// expected one, the environment is the expected one (or, with none given, present and
// the same for every token of the release), the ref matches, the runner was
// GitHub-hosted and the event allowed. It also fails an upload that published with no
// token minted for that registry before it in the same run.
func ruleTokens(v *view, p Policy, j *judge) {
	if v.onlyDryRuns() {
		v.dryRunReason(j)
		return
	}
	allowed := p.AllowedEvents
	if allowed == nil {
		allowed = defaultAllowedEvents
	}
	var envs, workflows []string
	minted := map[*RunRecord]map[string]bool{} // registries with a token, per run
	for _, l := range v.real {
		switch l.e.Type {
		case "token.minted":
			d, err := data[tokenMintedData](v, l)
			if err != nil {
				j.bad(l, "%v", err)
				continue
			}
			if minted[l.run] == nil {
				minted[l.run] = map[string]bool{}
			}
			minted[l.run][d.Registry] = true
			before := len(j.fail)
			judgeToken(v, p, j, l, d, allowed)
			if env := d.claim("environment"); env != "" {
				envs = appendUnique(envs, env)
			}
			if wf, ok := workflowFile(d.claim("workflow_ref")); ok {
				workflows = appendUnique(workflows, wf)
			}
			if len(j.fail) == before {
				j.ok(l, "%s token for %s: run %s attempt %s, %s, environment %s, %s, %s, %s",
					d.Registry, orNone(d.Package), d.claim("run_id"), d.claim("run_attempt"), d.claim(workflowClaim(d)),
					d.claim("environment"), d.claim("ref"), d.claim("event_name"), d.claim("runner_environment"))
			}
		case "publish.upload":
			d, err := data[uploadData](v, l)
			if err == nil && d.Outcome == "published" && !minted[l.run][d.Registry] {
				j.bad(l, "%s was uploaded to %s with no token.minted for %s before it in this run", d.Artifact, d.Registry, d.Registry)
			}
		}
	}
	if p.Environment == "" && len(envs) > 1 {
		j.bad(v.first(), "the release's tokens name different environments: %s", strings.Join(envs, ", "))
	}
	if p.Workflow == "" && len(workflows) > 1 {
		j.bad(v.first(), "the release's tokens come from different workflows: %s", strings.Join(workflows, ", "))
	}
	if len(j.pass) == 0 && len(j.fail) == 0 {
		j.na(v.first(), "no registry token was minted")
	}
}

func judgeToken(v *view, p Policy, j *judge, l located, d tokenMintedData, allowed []string) {
	run := l.e.Run
	if !slices.Contains(v.start[l.run].Stages, "publish") {
		j.bad(l, "%s token minted in a run that did not publish (stages: %s)", d.Registry, list(v.start[l.run].Stages))
	}
	switch id := d.claim("run_id"); {
	case id == "":
		j.bad(l, "%s token: the claims name no run_id, so the token cannot be tied to this run", d.Registry)
	case run.RunID == "":
		j.bad(l, "%s token for run %s logged by a run with no GitHub run identity", d.Registry, id)
	case id != run.RunID || d.claim("run_attempt") != run.RunAttempt:
		j.bad(l, "%s token minted for run %s attempt %s, but logged by run %s attempt %s", d.Registry, id, orNone(d.claim("run_attempt")), run.RunID, orNone(run.RunAttempt))
	}
	if run.Repository != "" && !strings.EqualFold(d.claim("repository"), run.Repository) {
		j.bad(l, "%s token for repository %s, logged by a run of %s", d.Registry, orNone(d.claim("repository")), run.Repository)
	}
	if run.WorkflowRef != "" && d.claim("workflow_ref") != run.WorkflowRef {
		j.bad(l, "%s token's workflow_ref is %s, the run's is %s", d.Registry, orNone(d.claim("workflow_ref")), run.WorkflowRef)
	}
	claim := workflowClaim(d)
	file, ok := workflowFile(d.claim(claim))
	switch {
	case !ok:
		j.bad(l, "%s token's %s %q is not OWNER/REPO/.github/workflows/FILE@REF", d.Registry, claim, d.claim(claim))
	case p.Workflow != "" && file != p.Workflow:
		j.bad(l, "%s token's %s names workflow %s, expected %s", d.Registry, claim, file, p.Workflow)
	}
	env := d.claim("environment")
	switch {
	case p.Environment != "" && env != p.Environment:
		j.bad(l, "%s token's environment is %s, expected %s", d.Registry, orNone(env), p.Environment)
	case env == "":
		j.bad(l, "%s token minted by a job without an environment: no environment protection gated it", d.Registry)
	}
	ref := d.claim("ref")
	if p.RefPattern != "" {
		if ok, _ := path.Match(p.RefPattern, ref); !ok {
			j.bad(l, "%s token's ref %s does not match %s", d.Registry, orNone(ref), p.RefPattern)
		}
	} else if tag := v.start[l.run].Tag; tag != "" && ref != "refs/tags/"+tag {
		j.bad(l, "%s token's ref is %s, the run released tag %s", d.Registry, orNone(ref), tag)
	} else if tag == "" && !strings.HasPrefix(ref, "refs/tags/") {
		j.bad(l, "%s token's ref %s is not a tag", d.Registry, orNone(ref))
	}
	if re := d.claim("runner_environment"); re != "github-hosted" {
		j.bad(l, "%s token minted on a %s runner, not github-hosted", d.Registry, orNone(re))
	}
	ev := d.claim("event_name")
	switch {
	case slices.Contains(forbiddenEvents, ev):
		j.bad(l, "%s token minted in a workflow started by %s", d.Registry, ev)
	case !slices.Contains(allowed, ev):
		j.bad(l, "%s token minted in a workflow started by %s, not one of %s", d.Registry, orNone(ev), strings.Join(allowed, ", "))
	}
}

// workflowClaim is the claim the registry binds the workflow file with.
func workflowClaim(d tokenMintedData) string {
	if d.WorkflowClaim == "workflow_ref" {
		return "workflow_ref"
	}
	return "job_workflow_ref"
}

// workflowFile returns FILE from "OWNER/REPO/.github/workflows/FILE@REF".
func workflowFile(ref string) (string, bool) {
	p, _, ok := strings.Cut(ref, "@")
	if !ok {
		return "", false
	}
	parts := strings.Split(p, "/")
	if len(parts) != 5 || parts[0] == "" || parts[1] == "" || parts[2] != ".github" || parts[3] != "workflows" || parts[4] == "" {
		return "", false
	}
	return parts[4], true
}

func appendUnique(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}
