package stages

import (
	"context"
	"fmt"
)

// NotAvailable stands in for a stage whose behaviour this build does not have
// yet. It never pretends: its Check says so, and Run returns ErrNotAvailable.
type NotAvailable struct {
	StageName string
	Issue     int
	What      string
}

func (n NotAvailable) Name() string { return n.StageName }

func (n NotAvailable) Check(context.Context, *Release) []Check {
	return []Check{{
		Name:   "implemented",
		Code:   CodeNotAvailable,
		Status: StatusWarning,
		Detail: fmt.Sprintf("stage %s (%s) is not available in this build", n.StageName, n.What),
		Fix:    fmt.Sprintf("tracked in issue #%d; until then a real run stops at this stage", n.Issue),
	}}
}

func (n NotAvailable) Run(context.Context, *Release) (Outcome, error) {
	return Outcome{}, fmt.Errorf("stage %s is %w (issue #%d: %s)", n.StageName, ErrNotAvailable, n.Issue, n.What)
}
