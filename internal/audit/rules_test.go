package audit

import (
	"slices"
	"strings"
	"testing"
)

// Edits of the happy scenario. Each returns the edited steps.

func set(typ string, nth int, edit func(d obj)) func(t *testing.T, s []step) []step {
	return func(t *testing.T, s []step) []step {
		edit(s[find(t, s, typ, nth)].data)
		return s
	}
}

func setClaims(nth int, edit func(c obj)) func(t *testing.T, s []step) []step {
	return set("token.minted", nth, func(d obj) { edit(d["claims"].(obj)) })
}

func drop(types ...string) func(t *testing.T, s []step) []step {
	return func(_ *testing.T, s []step) []step {
		return slices.DeleteFunc(s, func(x step) bool { return slices.Contains(types, x.typ) })
	}
}

// dropStage removes a stage's window and everything recorded in it, and the stage
// from its run's selection.
func dropStage(stage string) func(t *testing.T, s []step) []step {
	return func(_ *testing.T, s []step) []step {
		for _, x := range s {
			if x.typ == "run.start" {
				x.data["stages"] = slices.DeleteFunc(slices.Clone(x.data["stages"].([]string)), func(n string) bool { return n == stage })
			}
		}
		return slices.DeleteFunc(s, func(x step) bool {
			return x.stage == stage && x.typ != "token.revoke" && x.typ != "token.minted"
		})
	}
}

// dropStageWindow removes a stage's window and events but leaves the run's selection.
func dropStageWindow(stage string) func(t *testing.T, s []step) []step {
	return func(_ *testing.T, s []step) []step {
		return slices.DeleteFunc(s, func(x step) bool { return x.stage == stage })
	}
}

// cutAfter ends the log after the nth step of type typ, with a run.end.
func cutAfter(typ string, nth int) func(t *testing.T, s []step) []step {
	return func(t *testing.T, s []step) []step {
		i := find(t, s, typ, nth)
		return append(slices.Clone(s[:i+1]), ev("", "run.end", obj{"exit_code": 1}))
	}
}

func setRun(nth int, edit func(id *RunIdentity)) func(t *testing.T, s []step) []step {
	return func(t *testing.T, s []step) []step {
		i := find(t, s, "run.start", nth)
		id := *s[i].newRun
		edit(&id)
		s[i].newRun = &id
		return s
	}
}

func chain(edits ...func(t *testing.T, s []step) []step) func(t *testing.T, s []step) []step {
	return func(t *testing.T, s []step) []step {
		for _, e := range edits {
			s = e(t, s)
		}
		return s
	}
}

// lineOf is the expected evidence line: the nth step of type typ after the edit.
func lineOf(typ string, nth int) func(t *testing.T, s []step) int {
	return func(t *testing.T, s []step) int { return find(t, s, typ, nth) + 1 }
}

func lastLine(_ *testing.T, s []step) int { return len(s) }

type ruleCase struct {
	name   string
	rule   string
	edit   func(t *testing.T, s []step) []step
	policy Policy
	status Status
	want   string                           // a substring of one evidence line
	line   func(t *testing.T, s []step) int // the line that evidence line must point at
}

func runRuleCases(t *testing.T, cases []ruleCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.rule+"/"+tt.name, func(t *testing.T) {
			steps := happyRelease()
			if tt.edit != nil {
				steps = tt.edit(t, steps)
			}
			f, ok := evaluate(t, steps, tt.policy)[tt.rule]
			if !ok {
				t.Fatalf("no finding for rule %s", tt.rule)
			}
			if f.Status != tt.status {
				t.Fatalf("status %s, want %s; evidence:\n%s", f.Status, tt.status, strings.Join(f.Evidence, "\n"))
			}
			prefix := ""
			if tt.line != nil {
				prefix = at(tt.line(t, steps))
			}
			for _, e := range f.Evidence {
				if strings.HasPrefix(e, prefix) && strings.Contains(e, tt.want) {
					return
				}
			}
			t.Errorf("no evidence line %q…%q in:\n%s", prefix, tt.want, strings.Join(f.Evidence, "\n"))
		})
	}
}

func TestRuleStagesInOrder(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{name: "happy", rule: "stages-in-order", status: StatusPass, want: "attest, approve, exchange, publish, finalize in order; all stages completed", line: lineOf("run.start", 1)},
		{name: "selection out of order", rule: "stages-in-order", status: StatusFail, want: "out of pipeline order: approve, attest",
			edit: set("run.start", 1, func(d obj) { d["stages"] = []string{"approve", "attest", "exchange", "publish", "finalize"} }), line: lineOf("run.start", 1)},
		{name: "unknown stage", rule: "stages-in-order", status: StatusFail, want: `unknown stage "deploy"`,
			edit: set("run.start", 1, func(d obj) { d["stages"] = []string{"attest", "deploy"} }), line: lineOf("run.start", 1)},
		{name: "upload before the publish stage", rule: "stages-in-order", status: StatusFail, want: "publish.upload outside the publish stage (open stage: exchange)",
			edit: func(t *testing.T, s []step) []step {
				up := s[find(t, s, "publish.upload", 0)]
				s = slices.Delete(s, find(t, s, "publish.upload", 0), find(t, s, "publish.upload", 0)+1)
				return slices.Insert(s, find(t, s, "token.minted", 1)+1, up)
			}, line: func(t *testing.T, s []step) int { return find(t, s, "token.minted", 1) + 2 }},
		{name: "approve skipped", rule: "stages-in-order", status: StatusFail, want: "stage exchange started before approve had completed",
			edit: dropStage("approve"), line: func(t *testing.T, s []step) int { return find(t, s, "token.minted", 0) }},
		{name: "stage after a failure", rule: "stages-in-order", status: StatusFail, want: "stage approve started after attest failed",
			edit: set("stage.end", 1, func(d obj) { d["result"] = "failed" }), line: func(t *testing.T, s []step) int { return find(t, s, "stage.end", 1) + 2 }},
		{name: "built only in a dry run", rule: "stages-in-order", status: StatusFail, want: "stage attest started before build had completed in any real run",
			edit: set("run.start", 0, func(d obj) { d["dry_run"] = true }), line: func(t *testing.T, s []step) int { return find(t, s, "run.start", 1) + 2 }},
		{name: "stage left open", rule: "stages-in-order", status: StatusFail, want: "the run ended with stage finalize still open",
			edit: func(t *testing.T, s []step) []step {
				return slices.Delete(s, find(t, s, "stage.end", 5), find(t, s, "stage.end", 5)+1)
			}, line: lastLine},
		{name: "selected stage never ran", rule: "stages-in-order", status: StatusFail, want: "the run ended without running finalize, and no stage failed",
			edit: dropStageWindow("finalize"), line: lastLine},
		{name: "cut inside a stage", rule: "stages-in-order", status: StatusPass, want: "attest, approve, exchange, publish in order; the log ends inside publish",
			edit: func(t *testing.T, s []step) []step { return s[:find(t, s, "publish.release", 0)] }, line: lineOf("run.start", 1)},
		{name: "revoke without a token", rule: "stages-in-order", status: StatusFail, want: "token.revoke without a token minted",
			edit: drop("token.minted"), line: lineOf("token.revoke", 0)},
	})
}

func TestRuleDigestsMatch(t *testing.T) {
	other := strings.Repeat("dd", 32)
	runRuleCases(t, []ruleCase{
		{name: "happy", rule: "digests-match", status: StatusPass, want: "pypi published " + tarName + " sha256 a1a1a1a1a1a1 = built at audit.jsonl:4", line: lineOf("publish.upload", 0)},
		{name: "happy final", rule: "digests-match", status: StatusPass, want: "final release v1.0.0: 4 of 4 asset digests match the build", line: lineOf("release.final", 0)},
		{name: "upload differs", rule: "digests-match", status: StatusFail, want: "pypi published " + tarName + " has sha256 " + other + ", but it was built at audit.jsonl:4 with sha256 " + tarSum,
			edit: set("publish.upload", 0, func(d obj) { d["sha256"] = other }), line: lineOf("publish.upload", 0)},
		{name: "final asset differs", rule: "digests-match", status: StatusFail, want: "final release asset " + crateName + " has sha256 " + other,
			edit: set("release.final", 0, func(d obj) { d["assets"].(obj)[crateName] = "sha256:" + other }), line: lineOf("release.final", 0)},
		{name: "bundle on the release differs", rule: "digests-match", status: StatusFail, want: bundleName + " has sha256 " + other + ", but it was bundle made at audit.jsonl:11",
			edit: set("publish.asset", 3, func(d obj) { d["sha256"] = other }), line: lineOf("publish.asset", 3)},
		{name: "SHA256SUMS differs", rule: "digests-match", status: StatusFail, want: "SHA256SUMS has sha256 " + other + ", which is not the sums of the built artifacts (" + sumsDigest() + ")",
			edit: set("publish.asset", 2, func(d obj) { d["sha256"] = other }), line: lineOf("publish.asset", 2)},
		{name: "published but never built", rule: "digests-match", status: StatusFail, want: "evil.tar.gz (sha256 " + tarSum + ") was never built",
			edit: set("publish.upload", 0, func(d obj) { d["artifact"] = "evil.tar.gz" }), line: lineOf("publish.upload", 0)},
		{name: "failed upload is not judged", rule: "digests-match", status: StatusPass, want: "crates published",
			edit: set("publish.upload", 0, func(d obj) { d["sha256"], d["outcome"] = other, "failed" })},
		{name: "rebuilt before publishing", rule: "digests-match", status: StatusPass, want: "pypi published " + tarName + " sha256 dddddddddddd = built at",
			edit: rebuildAfterAttest(other)},
		{name: "nothing published", rule: "digests-match", status: StatusNA, want: "nothing was published", edit: cutAfter("stage.end", 3)},
		{name: "dry runs only", rule: "digests-match", status: StatusNA, want: "only dry runs",
			edit: chain(set("run.start", 0, func(d obj) { d["dry_run"] = true }), set("run.start", 1, func(d obj) { d["dry_run"] = true }))},
	})
}

// rebuildAfterAttest inserts a second build of the tarball, with other bytes, between
// the attest and publish runs' stages and publishes those bytes.
func rebuildAfterAttest(digest string) func(t *testing.T, s []step) []step {
	return func(t *testing.T, s []step) []step {
		rebuild := []step{runStart(laptop, false, "v1.0.0", "build")}
		rebuild = append(rebuild, stageRun("build", "done",
			ev("build", "artifact", obj{"name": tarName, "digests": obj{"sha256": digest}}),
			ev("build", "artifact", obj{"name": crateName, "digests": obj{"sha256": crateSum}}))...)
		rebuild = append(rebuild, ev("", "run.end", obj{"exit_code": 0}))
		// Split the publishing job: attest in one run, the rest after the rebuild.
		i := find(t, s, "stage.end", 1) + 1
		rest := append([]step{runStart(ciRun, false, "v1.0.0", "approve", "exchange", "publish", "finalize")}, s[i:]...)
		out := append(slices.Clone(s[:i]), ev("", "run.end", obj{"exit_code": 0}))
		out = append(out, rebuild...)
		out = append(out, rest...)
		set("publish.upload", 0, func(d obj) { d["sha256"] = digest })(t, out)
		set("publish.asset", 1, func(d obj) { d["sha256"] = digest })(t, out)
		out[find(t, out, "run.start", 1)].data["stages"] = []string{"attest"}
		return drop("publish.asset", "release.final")(t, out)
	}
}

func TestRuleAttested(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{name: "happy", rule: "attested", status: StatusPass, want: crateName + " is a subject of " + bundleName + " (sha256 c3c3c3c3c3c3, transparency: rekor)", line: lineOf("attest.bundle", 0)},
		{name: "local bundle", rule: "attested", status: StatusFail, want: tarName + " is a subject only of " + bundleName + ", a local (dry-run) bundle",
			edit: set("attest.bundle", 0, func(d obj) { d["local"] = true }), line: lineOf("attest.bundle", 0)},
		{name: "artifact missing from the bundle", rule: "attested", status: StatusFail, want: crateName + " is not a subject of any attestation bundle",
			edit: set("attest.bundle", 0, func(d obj) { d["subjects"] = []string{tarName} }), line: lineOf("publish.upload", 0)},
		{name: "a dry run after the release", rule: "attested", status: StatusPass, want: tarName + " is a subject of " + bundleName,
			edit: func(_ *testing.T, s []step) []step {
				s = append(s, runStart(laptop, true, "", "build", "attest"))
				s = append(s, stageRun("build", "dry run", ev("build", "artifact", obj{"name": tarName, "digests": obj{"sha256": tarSum}}))...)
				s = append(s, stageRun("attest", "dry run", ev("attest", "attest.bundle", obj{"file": bundleName, "sha256": "00", "subjects": []string{tarName}, "local": true}))...)
				return append(s, ev("", "run.end", obj{"exit_code": 0}))
			}, line: lineOf("attest.bundle", 0)},
		{name: "published file never built or attested", rule: "attested", status: StatusFail, want: "evil.tar.gz is not a subject",
			edit: set("publish.upload", 0, func(d obj) { d["artifact"] = "evil.tar.gz" }), line: lineOf("publish.upload", 0)},
		{name: "rebuilt after attesting", rule: "attested", status: StatusFail, want: tarName + ": the newest bundle naming it (" + bundleName + ") was made before the build at audit.jsonl:",
			edit: rebuildAfterAttest(strings.Repeat("dd", 32)), line: lineOf("attest.bundle", 0)},
		{name: "nothing published", rule: "attested", status: StatusNA, want: "nothing was published", edit: cutAfter("stage.end", 3)},
	})
}

func TestRuleApprovals(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{name: "happy", rule: "approvals", status: StatusPass, want: "run 77: 2 distinct approval(s) (alice, bob), 2 required; none by carol", line: lineOf("approval.result", 0)},
		{name: "the actor approved", rule: "approvals", status: StatusFail, want: "approval by carol counted, but carol started the run",
			edit: set("approval.counted", 1, func(d obj) { d["login"] = "carol" }), line: lineOf("approval.counted", 1)},
		{name: "the actor approved, other case", rule: "approvals", status: StatusFail, want: "approval by Carol counted",
			edit: set("approval.counted", 1, func(d obj) { d["login"] = "Carol" }), line: lineOf("approval.counted", 1)},
		{name: "the token's actor approved", rule: "approvals", status: StatusFail, want: "approval by dave counted",
			edit: chain(setClaims(0, func(c obj) { c["actor"] = "dave" }), set("approval.counted", 1, func(d obj) { d["login"] = "dave" })), line: lineOf("approval.counted", 1)},
		{name: "an excluded person approved", rule: "approvals", status: StatusFail, want: "approval by erin counted",
			edit: chain(set("approval.result", 0, func(d obj) { d["excluded"] = []string{"carol", "erin"} }), set("approval.counted", 1, func(d obj) { d["login"] = "erin" })), line: lineOf("approval.counted", 1)},
		{name: "approval line removed", rule: "approvals", status: StatusFail, want: "1 distinct approval(s) (alice) recorded for run 77, 2 required",
			edit: func(t *testing.T, s []step) []step {
				i := find(t, s, "approval.counted", 1)
				return slices.Delete(s, i, i+1)
			}, line: lineOf("approval.result", 0)},
		{name: "same person twice", rule: "approvals", status: StatusFail, want: "1 distinct approval(s) (alice) recorded",
			edit: set("approval.counted", 1, func(d obj) { d["id"], d["login"] = 1, "alice" }), line: lineOf("approval.result", 0)},
		{name: "policy requires more", rule: "approvals", status: StatusFail, want: "the run required 2 approvals, the policy requires 3",
			policy: Policy{RequiredApprovals: 3}, line: lineOf("approval.result", 0)},
		{name: "approvals of another run", rule: "approvals", status: StatusFail, want: "run 77 published without an approval.result; 2 approvals required",
			policy: Policy{RequiredApprovals: 2},
			edit: chain(set("approval.counted", 0, func(d obj) { d["run_id"] = 76 }), set("approval.counted", 1, func(d obj) { d["run_id"] = 76 }),
				set("approval.result", 0, func(d obj) { d["run_id"] = "76" })), line: lineOf("run.start", 1)},
		{name: "not approved", rule: "approvals", status: StatusFail, want: "approval.result says the run was not approved",
			edit: set("approval.result", 0, func(d obj) { d["approved"] = false }), line: lineOf("approval.result", 0)},
		{name: "rejected", rule: "approvals", status: StatusFail, want: "mallory rejected the release",
			edit: func(t *testing.T, s []step) []step {
				return slices.Insert(s, find(t, s, "approval.result", 0), ev("approve", "approval.rejected", obj{"login": "mallory", "id": 9, "run_id": 77}))
			}, line: lineOf("approval.rejected", 0)},
		{name: "none configured", rule: "approvals", status: StatusNA, want: "no approvals required",
			edit: drop("approval.counted", "approval.result")},
		{name: "none recorded, policy requires two", rule: "approvals", status: StatusFail, want: "run 77 published without an approval.result; 2 approvals required",
			edit: drop("approval.counted", "approval.result"), policy: Policy{RequiredApprovals: 2}, line: lineOf("run.start", 1)},
		{name: "published outside Actions", rule: "approvals", status: StatusFail, want: "no GitHub run id",
			edit: chain(drop("approval.counted", "approval.result"), setRun(1, func(id *RunIdentity) { *id = laptop })), policy: Policy{RequiredApprovals: 1}},
		{name: "stopped at the approval", rule: "approvals", status: StatusNA, want: "the release stopped at its approval: 1 of 2 approvals",
			edit: chain(set("approval.result", 0, func(d obj) { d["approved"], d["counted"] = false, 1 }), cutAfter("approval.result", 0)), line: lineOf("approval.result", 0)},
	})
}

func TestRuleTokens(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{name: "happy", rule: "tokens", status: StatusPass, want: "crates token for demo: run 77 attempt 1, " + ciRun.WorkflowRef + ", environment release, refs/tags/v1.0.0, push, github-hosted", line: lineOf("token.minted", 1)},
		{name: "policy matches", rule: "tokens", status: StatusPass, want: "pypi token", policy: Policy{Workflow: "release.yml", Environment: "release", RefPattern: "refs/tags/v*", AllowedEvents: []string{"push"}}},
		{name: "minted for another run", rule: "tokens", status: StatusFail, want: "pypi token minted for run 78 attempt 1, but logged by run 77 attempt 1",
			edit: setClaims(0, func(c obj) { c["run_id"] = "78" }), line: lineOf("token.minted", 0)},
		{name: "another attempt", rule: "tokens", status: StatusFail, want: "minted for run 77 attempt 2",
			edit: setClaims(0, func(c obj) { c["run_attempt"] = "2" }), line: lineOf("token.minted", 0)},
		{name: "no run id claim", rule: "tokens", status: StatusFail, want: "the claims name no run_id",
			edit: setClaims(0, func(c obj) { delete(c, "run_id") }), line: lineOf("token.minted", 0)},
		{name: "logged outside Actions", rule: "tokens", status: StatusFail, want: "logged by a run with no GitHub run identity",
			edit: setRun(1, func(id *RunIdentity) { *id = laptop }), line: lineOf("token.minted", 0)},
		{name: "another repository", rule: "tokens", status: StatusFail, want: "pypi token for repository evil/demo, logged by a run of acme/demo",
			edit: setClaims(0, func(c obj) { c["repository"] = "evil/demo" }), line: lineOf("token.minted", 0)},
		{name: "workflow_ref differs from the run's", rule: "tokens", status: StatusFail, want: "crates token's workflow_ref is acme/demo/.github/workflows/other.yml@refs/tags/v1.0.0, the run's is",
			edit: setClaims(1, func(c obj) { c["workflow_ref"] = "acme/demo/.github/workflows/other.yml@refs/tags/v1.0.0" }), line: lineOf("token.minted", 1)},
		{name: "unexpected workflow", rule: "tokens", status: StatusFail, want: "pypi token's job_workflow_ref names workflow release.yml, expected deploy.yml",
			policy: Policy{Workflow: "deploy.yml"}, line: lineOf("token.minted", 0)},
		{name: "reusable workflow bound by job_workflow_ref", rule: "tokens", status: StatusFail, want: "pypi token's job_workflow_ref names workflow publish.yml, expected release.yml",
			policy: Policy{Workflow: "release.yml"}, edit: setClaims(0, func(c obj) { c["job_workflow_ref"] = "acme/shared/.github/workflows/publish.yml@refs/heads/main" }), line: lineOf("token.minted", 0)},
		{name: "malformed workflow claim", rule: "tokens", status: StatusFail, want: `pypi token's job_workflow_ref "release.yml" is not OWNER/REPO/.github/workflows/FILE@REF`,
			edit: setClaims(0, func(c obj) { c["job_workflow_ref"] = "release.yml" }), line: lineOf("token.minted", 0)},
		{name: "unexpected environment", rule: "tokens", status: StatusFail, want: "pypi token's environment is release, expected production",
			policy: Policy{Environment: "production"}, line: lineOf("token.minted", 0)},
		{name: "no environment", rule: "tokens", status: StatusFail, want: "crates token minted by a job without an environment",
			edit: setClaims(1, func(c obj) { delete(c, "environment") }), line: lineOf("token.minted", 1)},
		{name: "different environments", rule: "tokens", status: StatusFail, want: "the release's tokens name different environments: release, staging",
			edit: setClaims(1, func(c obj) { c["environment"] = "staging" }), line: lineOf("run.start", 0)},
		{name: "ref is not the tag", rule: "tokens", status: StatusFail, want: "pypi token's ref is refs/heads/main, the run released tag v1.0.0",
			edit: setClaims(0, func(c obj) { c["ref"] = "refs/heads/main" }), line: lineOf("token.minted", 0)},
		{name: "ref pattern", rule: "tokens", status: StatusFail, want: "pypi token's ref refs/tags/v1.0.0 does not match refs/tags/v2.*",
			policy: Policy{RefPattern: "refs/tags/v2.*"}, line: lineOf("token.minted", 0)},
		{name: "self-hosted runner", rule: "tokens", status: StatusFail, want: "crates token minted on a self-hosted runner, not github-hosted",
			edit: setClaims(1, func(c obj) { c["runner_environment"] = "self-hosted" }), line: lineOf("token.minted", 1)},
		{name: "event not allowed", rule: "tokens", status: StatusFail, want: "pypi token minted in a workflow started by schedule, not one of push, release, workflow_dispatch",
			edit: setClaims(0, func(c obj) { c["event_name"] = "schedule" }), line: lineOf("token.minted", 0)},
		{name: "event allowed by policy", rule: "tokens", status: StatusPass, want: "pypi token",
			edit: setClaims(0, func(c obj) { c["event_name"] = "schedule" }), policy: Policy{AllowedEvents: []string{"push", "schedule"}}},
		{name: "forbidden event even when allowed", rule: "tokens", status: StatusFail, want: "pypi token minted in a workflow started by workflow_run",
			edit: setClaims(0, func(c obj) { c["event_name"] = "workflow_run" }), policy: Policy{AllowedEvents: []string{"push", "workflow_run"}}, line: lineOf("token.minted", 0)},
		{name: "minted in a job that did not publish", rule: "tokens", status: StatusFail, want: "pypi token minted in a run that did not publish (stages: attest, approve, exchange)",
			edit: chain(cutAfter("stage.end", 3), set("run.start", 1, func(d obj) { d["stages"] = []string{"attest", "approve", "exchange"} })), line: lineOf("token.minted", 0)},
		{name: "upload without a token", rule: "tokens", status: StatusFail, want: tarName + " was uploaded to pypi with no token.minted for pypi",
			edit: func(t *testing.T, s []step) []step {
				i := find(t, s, "token.minted", 0)
				return slices.Delete(s, i, i+1)
			}, line: lineOf("publish.upload", 0)},
		{name: "no tokens", rule: "tokens", status: StatusNA, want: "no registry token was minted", edit: cutAfter("stage.end", 2)},
	})
}

func TestRuleImmutable(t *testing.T) {
	laterFinalize := func(t *testing.T, s []step) []step {
		s = append(s, runStart(ciRun, false, "v1.0.0", "finalize"))
		s = append(s, ev("finalize", "stage.checks", obj{"checks": []obj{{"name": "release assets", "status": "failed"}}}),
			ev("finalize", "stage.end", obj{"result": "precondition failed", "error": "v1.0.0 is already published but mutable"}))
		return append(s, ev("", "run.end", obj{"exit_code": 1}))
	}
	runRuleCases(t, []ruleCase{
		{name: "happy", rule: "immutable", status: StatusPass, want: "release v1.0.0 is immutable, published, no problems", line: lineOf("release.final", 0)},
		{name: "mutable", rule: "immutable", status: StatusFail, want: "release v1.0.0 is not immutable",
			edit: set("release.final", 0, func(d obj) { d["immutable"] = false }), line: lineOf("release.final", 0)},
		{name: "draft", rule: "immutable", status: StatusFail, want: "release v1.0.0 is still a draft",
			edit: set("release.final", 0, func(d obj) { d["draft"] = true }), line: lineOf("release.final", 0)},
		{name: "problems", rule: "immutable", status: StatusFail, want: "release v1.0.0 has problems: notes.txt is on the release but was not built",
			edit: set("release.final", 0, func(d obj) { d["problems"] = []string{"notes.txt is on the release but was not built"} }), line: lineOf("release.final", 0)},
		{name: "never finalized", rule: "immutable", status: StatusFail, want: "a draft GitHub release was created but never finalized",
			edit: cutAfter("stage.end", 4), line: lineOf("publish.release", 0)},
		{name: "found mutable later", rule: "immutable", status: StatusFail, want: "finalize precondition failed: v1.0.0 is already published but mutable",
			edit: laterFinalize, line: lineOf("stage.end", 6)},
		{name: "no GitHub release", rule: "immutable", status: StatusNA, want: "no GitHub release was created",
			edit: chain(drop("publish.release", "publish.asset"), dropStage("finalize"))},
	})
}

func TestRuleCratesRevoked(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{name: "happy", rule: "crates-revoked", status: StatusPass, want: "crates.io token for demo (minted at audit.jsonl:", line: lineOf("token.revoke", 0)},
		{name: "revocation failed", rule: "crates-revoked", status: StatusFail, want: "was not revoked: crates.io answered 503",
			edit: set("token.revoke", 0, func(d obj) { d["revoked"], d["error"] = false, "crates.io answered 503" }), line: lineOf("token.revoke", 0)},
		{name: "never revoked", rule: "crates-revoked", status: StatusFail, want: "crates.io token for demo never revoked",
			edit: drop("token.revoke"), line: lineOf("token.minted", 1)},
		{name: "re-minted, one revoked", rule: "crates-revoked", status: StatusFail, want: "never revoked",
			edit: func(t *testing.T, s []step) []step {
				return slices.Insert(s, find(t, s, "publish.upload", 1), minted("crates", "workflow_ref"))
			}, line: func(t *testing.T, s []step) int { return find(t, s, "token.minted", 2) + 1 }},
		{name: "revoke of another package", rule: "crates-revoked", status: StatusFail, want: "token.revoke for crates other without a token minted",
			edit: set("token.revoke", 0, func(d obj) { d["package"] = "other" }), line: lineOf("token.revoke", 0)},
		{name: "no crates token", rule: "crates-revoked", status: StatusNA, want: "no crates.io token was minted",
			edit: func(t *testing.T, s []step) []step {
				i := find(t, s, "token.minted", 1)
				return drop("token.revoke")(t, slices.Delete(s, i, i+1))
			}},
	})
}

func TestRuleNoDangerousEvents(t *testing.T) {
	bothDry := chain(set("run.start", 0, func(d obj) { d["dry_run"] = true }), set("run.start", 1, func(d obj) { d["dry_run"] = true }))
	runRuleCases(t, []ruleCase{
		{name: "happy", rule: "no-dangerous-events", status: StatusPass, want: "started by push", line: lineOf("run.start", 1)},
		{name: "laptop", rule: "no-dangerous-events", status: StatusPass, want: "no CI event recorded", line: lineOf("run.start", 0)},
		{name: "pull_request_target", rule: "no-dangerous-events", status: StatusFail, want: "the run was started by pull_request_target",
			edit: setRun(1, func(id *RunIdentity) { id.EventName = "pull_request_target" }), line: lineOf("run.start", 1)},
		{name: "workflow_run in a dry run", rule: "no-dangerous-events", status: StatusFail, want: "the run was started by workflow_run",
			edit: chain(bothDry, setRun(1, func(id *RunIdentity) { id.EventName = "workflow_run" })), line: lineOf("run.start", 1)},
		{name: "claims say workflow_run", rule: "no-dangerous-events", status: StatusFail, want: "crates token's event_name is workflow_run",
			edit: setClaims(1, func(c obj) { c["event_name"] = "workflow_run" }), line: lineOf("token.minted", 1)},
	})
}

func TestRuleLogComplete(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{name: "happy", rule: "log-complete", status: StatusPass, want: "run complete: 27 events, exit code 0", line: lastLine},
		{name: "cut short", rule: "log-complete", status: StatusFail, want: "the run never ended",
			edit: func(_ *testing.T, s []step) []step { return s[:len(s)-1] }, line: lastLine},
		{name: "only a run.start", rule: "log-complete", status: StatusFail, want: "a run.start and nothing else",
			edit: func(_ *testing.T, s []step) []step { return append(s, runStart(ciRun, false, "v1.0.0", "finalize")) }, line: lastLine},
		{name: "events outside a run", rule: "log-complete", status: StatusFail, want: "1 event(s) without a run.start before them",
			edit: func(_ *testing.T, s []step) []step {
				return append(s, ev("publish", "publish.asset", obj{"asset": "x"}))
			}, line: lastLine},
	})
}

// TestEvaluateReportsEveryRuleInOrder pins the rule names and their order, which
// reports and scripts rely on.
func TestEvaluateReportsEveryRuleInOrder(t *testing.T) {
	want := []string{"stages-in-order", "digests-match", "attested", "approvals", "tokens", "immutable", "crates-revoked", "no-dangerous-events", "log-complete"}
	if got := RuleNames(); !slices.Equal(got, want) {
		t.Fatalf("RuleNames() = %v", got)
	}
	rels := collect(t, "audit.jsonl", writeSteps(t, happyRelease())).Releases()
	fs := Evaluate(rels[0], Policy{})
	for i, f := range fs {
		if f.Rule != want[i] || f.Title == "" || f.Status != StatusPass || len(f.Evidence) == 0 {
			t.Errorf("finding %d: %+v", i, f)
		}
	}
}

func TestEvidenceIsCapped(t *testing.T) {
	s := happyRelease()
	i := find(t, s, "publish.upload", 1)
	var extra []step
	for n := range 60 {
		extra = append(extra, ev("publish", "publish.upload", obj{"registry": "pypi", "artifact": tarName, "sha256": tarSum, "outcome": "published", "n": n}))
	}
	s = slices.Insert(s, i, extra...)
	f := evaluate(t, s, Policy{})["digests-match"]
	if f.Status != StatusPass || len(f.Evidence) != maxEvidence || !strings.HasPrefix(f.Evidence[maxEvidence-1], "… and ") {
		t.Fatalf("%d evidence lines, last %q", len(f.Evidence), f.Evidence[len(f.Evidence)-1])
	}
}

// TestEvaluateEmptyRecords: a hand-built record without events gets a verdict per
// rule, and none of them passes.
func TestEvaluateEmptyRecords(t *testing.T) {
	for _, r := range []*ReleaseRecord{nil, {ID: "x@1"}, {ID: "x@1", Runs: []*RunRecord{{Source: "a"}, nil}}} {
		fs := Evaluate(r, Policy{})
		if len(fs) != len(RuleNames()) {
			t.Fatalf("%d findings", len(fs))
		}
		for _, f := range fs {
			if f.Status != StatusNA || f.Evidence == nil {
				t.Errorf("%s: %s %v", f.Rule, f.Status, f.Evidence)
			}
		}
	}
}
