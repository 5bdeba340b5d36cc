package scaffold

import (
	"fmt"
	"regexp"
	"strings"
)

// Placeholder is the unfilled ref of the releaser action in a generated
// workflow. It is not 40 hex digits, so workflow lint refuses it until the
// user pins a commit, and it says what to do.
const Placeholder = "FILL-IN-THE-RELEASER-COMMIT-SHA"

// Options shape the generated files.
type Options struct {
	// Approvers is the number of gate jobs and [approval].required; 0 means
	// no gates. DefaultOptions sets 2.
	Approvers int
	// Environment of the publishing job; default "release".
	Environment string
	// Workflow file name under .github/workflows; default "release.yml".
	Workflow string
	// ReleaserRef is what follows releaserhq/releaser@ in the workflow; default Placeholder.
	ReleaserRef string
	// ReleaserVersion is the comment beside that ref (the caller passes the
	// binary's version); default "v0".
	ReleaserVersion string
}

// DefaultOptions are the options of `releaser init` without flags. The zero
// Options differ only in Approvers (0: no gates), since 0 is a valid choice.
func DefaultOptions() Options {
	return Options{Approvers: 2, Environment: "release", Workflow: "release.yml", ReleaserRef: Placeholder, ReleaserVersion: "v0"}
}

var (
	// Environment names land in YAML and TOML unquoted-safe form and in
	// GitHub's UI; the rule is narrower than GitHub's on purpose.
	reEnvironment = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`)
	reWorkflow    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*\.ya?ml$`)
	reRef         = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/-]*$`)
	reRefComment  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._+-]*$`)
)

// gateEnvironment is the environment of gate job n (1-based).
func gateEnvironment(n int) string { return fmt.Sprintf("release-gate-%d", n) }

// withDefaults fills empty strings and refuses what would make a broken or
// unsafe file: every value is written into YAML and TOML.
func (o Options) withDefaults() (Options, error) {
	d := DefaultOptions()
	if o.Environment == "" {
		o.Environment = d.Environment
	}
	if o.Workflow == "" {
		o.Workflow = d.Workflow
	}
	if o.ReleaserRef == "" {
		o.ReleaserRef = d.ReleaserRef
	}
	if o.ReleaserVersion == "" {
		o.ReleaserVersion = d.ReleaserVersion
	}
	switch {
	case o.Approvers < 0:
		return o, fmt.Errorf("approvers must not be negative (0 turns the gates off), got %d", o.Approvers)
	case !reEnvironment.MatchString(o.Environment):
		return o, fmt.Errorf("environment %q: use letters, digits, '.', '_' and '-' (at most 100)", o.Environment)
	case strings.HasPrefix(strings.ToLower(o.Environment), "release-gate-"):
		return o, fmt.Errorf("environment %q: release-gate-N names the gate jobs' environments; choose another name for the publishing job's", o.Environment)
	case !reWorkflow.MatchString(o.Workflow):
		return o, fmt.Errorf("workflow %q: a file name ending in .yml or .yaml, without directories", o.Workflow)
	case !reRef.MatchString(o.ReleaserRef):
		return o, fmt.Errorf("releaser ref %q: a commit SHA (or a tag)", o.ReleaserRef)
	case !reRefComment.MatchString(o.ReleaserVersion):
		return o, fmt.Errorf("releaser version %q: a version such as v1.2.3", o.ReleaserVersion)
	}
	return o, nil
}
