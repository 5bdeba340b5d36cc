package audit

// Status is a rule's verdict for one release.
type Status string

// The verdicts. A rule is "n/a" when the release gives it nothing to judge: a dry run
// for the rules about remote effects, or a release that never published anything.
const (
	StatusPass Status = "pass"
	StatusFail Status = "fail"
	StatusNA   Status = "n/a"
)

// Finding is one rule's verdict for one release. Each evidence line starts with
// "source:line: " and names the event the verdict rests on.
type Finding struct {
	Rule, Title string
	Status      Status
	Evidence    []string
}

// Policy holds what the rules expect. A zero field means "take it from the log itself":
// the run's own workflow, a consistent non-empty environment, the allowed events
// releaser defaults to, the approvals the run required, a ref naming the release tag.
type Policy struct {
	// Workflow is the workflow file name (e.g. "release.yml") the tokens must come
	// from, as the registry sees it (the claim named by token.minted's workflow_claim).
	Workflow string
	// Environment is the GitHub environment the publishing job must run in.
	Environment string
	// AllowedEvents are the events a release may be started by; nil means releaser's
	// default (push, release, workflow_dispatch). pull_request_target and workflow_run
	// are refused whatever this says.
	AllowedEvents []string
	// RequiredApprovals is the least number of distinct approvals; the larger of this
	// and what the run itself required applies.
	RequiredApprovals int
	// RefPattern is the path.Match pattern the tokens' ref claim must match (releaser's
	// [identity].ref_pattern); "" means refs/tags/<the tag the run released>.
	RefPattern string
}

// defaultAllowedEvents mirrors config.DefaultAllowedEvents: audit is imported by the
// packages that know the config, so it cannot import them.
var defaultAllowedEvents = []string{"push", "release", "workflow_dispatch"}

// forbiddenEvents mirrors identity.ForbiddenEvents.
var forbiddenEvents = []string{"pull_request_target", "workflow_run"}

// rule is one named check. Names are stable: reports and scripts key on them.
type rule struct {
	name, title string
	eval        func(v *view, p Policy, f *judge)
}

// rules is the fixed order findings are reported in.
var rules = []rule{
	{"stages-in-order", "every stage ran, in pipeline order", ruleStagesInOrder},
	{"digests-match", "published digests equal the built and attested ones", ruleDigestsMatch},
	{"attested", "every artifact is a subject of a signed (non-local) attestation", ruleAttested},
	{"approvals", "the required distinct approvals, none by the actor", ruleApprovals},
	{"tokens", "tokens minted only in the publishing job, from the expected workflow, environment and ref", ruleTokens},
	{"immutable", "the GitHub release was verified immutable", ruleImmutable},
	{"crates-revoked", "every crates.io token was revoked", ruleCratesRevoked},
	{"no-dangerous-events", "nothing ran under pull_request_target or workflow_run", ruleNoDangerousEvents},
	{"log-complete", "every run that started also ended", ruleLogComplete},
}

// RuleNames lists the rules in report order.
func RuleNames() []string {
	names := make([]string, len(rules))
	for i, r := range rules {
		names[i] = r.name
	}
	return names
}

// Evaluate judges one release against every rule and returns one finding per rule, in
// RuleNames order. The events must have been verified (Read, Chain): the rules believe
// what a line says and judge whether what it says is right.
//
//   - stages-in-order: each run's stages match its run.start selection, in pipeline
//     order, each event inside its stage's window, nothing after a failed stage; across
//     the real runs, no stage starts before every earlier stage completed.
//   - digests-match: every upload, release asset and finalized asset has the digest of
//     the latest build before it (bundles: the attest stage's; SHA256SUMS: the sums).
//   - attested: everything published was a subject of a non-local bundle made after the
//     build of its bytes.
//   - approvals: the GitHub run that minted or published has enough distinct approvals,
//     none by its actor, no rejection.
//   - tokens: each token was minted in the run that logged it, which selected publish,
//     with the expected workflow, environment, ref, a github-hosted runner and an
//     allowed event; every upload had its registry's token.
//   - immutable: the newest release.final is immutable, published and without problems,
//     and no later finalize failed.
//   - crates-revoked: every crates.io token minted was revoked in the same run.
//   - no-dangerous-events: no run identity or token names pull_request_target or
//     workflow_run (dry runs included).
//   - log-complete: every run has its run.start and its run.end.
//
// The rules about remote effects (digests-match through crates-revoked) look at real
// runs only and are n/a for a release of dry runs, or when it did nothing they judge
// (nothing published, no token, no GitHub release).
func Evaluate(r *ReleaseRecord, p Policy) []Finding {
	v := newView(r)
	defer v.done()
	out := make([]Finding, 0, len(rules))
	for _, ru := range rules {
		j := &judge{}
		ru.eval(v, p, j)
		out = append(out, j.finding(ru.name, ru.title))
	}
	return out
}
