// Package stages holds the release pipeline: the Stage interface, the runner
// that orders and selects stages, and one file per stage.
package stages

import (
	"context"
	"errors"
	"fmt"
)

// Stage is one step of the pipeline. Check is read-only and cheap; Run has
// the effects and is called only when every Check passed.
type Stage interface {
	Name() string
	// Check evaluates the stage's preconditions against the release as it
	// stands. It must not change anything, locally or remotely.
	Check(ctx context.Context, r *Release) []Check
	// Run performs the stage. In a dry run (r.DryRun) it performs local
	// effects only and returns the remote effects it would have had as Plan.
	Run(ctx context.Context, r *Release) (Outcome, error)
}

// Status of one precondition.
type Status string

const (
	StatusOK      Status = "ok"
	StatusWarning Status = "warning" // holds, but something deserves attention
	StatusFailed  Status = "failed"
	// StatusNeedsCI: cannot be evaluated outside the release workflow (no ID
	// token, no run id). A dry run reports it; a real run treats it as failed.
	StatusNeedsCI Status = "needs CI context"
	// StatusNeedsToken: cannot be evaluated because no GitHub token is
	// available (locally: no GITHUB_TOKEN, GH_TOKEN or `gh auth token`).
	// Treated like StatusNeedsCI. A token GitHub refuses is StatusFailed.
	StatusNeedsToken Status = "needs a GitHub token"
	// StatusSkipped: does not apply to this configuration.
	StatusSkipped Status = "skipped"
)

// Check is the result of one precondition.
type Check struct {
	Name string `json:"name"`
	// Code names the kind of precondition ("build/clean-tree"), stable
	// across releases; Codes documents every one.
	Code   string `json:"code"`
	Status Status `json:"status"`
	Detail string `json:"detail,omitempty"` // what was found
	Fix    string `json:"fix,omitempty"`    // what to do, for failed and warning
}

// Fails reports whether the check stops its stage: a failure always; what
// could not be evaluated here (no CI context, no GitHub token) in a real run.
func (c Check) Fails(dryRun bool) bool {
	switch c.Status {
	case StatusFailed:
		return true
	case StatusNeedsCI, StatusNeedsToken:
		return !dryRun
	}
	return false
}

// label is the check's name with its code, as failures print it.
func (c Check) label() string {
	if c.Code == "" {
		return c.Name
	}
	return c.Name + " [" + c.Code + "]"
}

// Outcome is what a stage did (or, in a dry run, would do remotely).
type Outcome struct {
	Summary string   `json:"summary,omitempty"`
	Plan    []string `json:"plan,omitempty"`
}

// ErrNotAvailable marks a stage whose behaviour this build does not have yet.
// It is never an "ok": a real run fails on it, a dry run says so loudly.
var ErrNotAvailable = errors.New("not available in this build")

// RemoteError is a failure of a remote service (registry, GitHub, Sigstore),
// as opposed to a precondition the user can fix locally. It maps to exit code 3.
type RemoteError struct {
	Service string
	Err     error
}

func (e *RemoteError) Error() string { return fmt.Sprintf("%s: %v", e.Service, e.Err) }
func (e *RemoteError) Unwrap() error { return e.Err }

// PreconditionError is a failure the user fixes locally (exit code 1).
type PreconditionError struct {
	Stage  string
	Failed []Check
}

func (e *PreconditionError) Error() string {
	if len(e.Failed) == 1 {
		c := e.Failed[0]
		return fmt.Sprintf("stage %s: precondition failed: %s: %s", e.Stage, c.label(), c.Detail)
	}
	return fmt.Sprintf("stage %s: %d preconditions failed", e.Stage, len(e.Failed))
}
