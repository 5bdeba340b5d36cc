package approval

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/releaserhq/releaser/internal/github"
)

// Source reads a run's approvals and what is still pending.
type Source interface {
	RunApprovals(ctx context.Context) ([]github.Approval, error)
	PendingDeployments(ctx context.Context) ([]github.PendingDeployment, error)
}

// AwaitOptions tune the wait.
type AwaitOptions struct {
	PollInterval time.Duration // first wait; doubles up to MaxInterval
	MaxInterval  time.Duration // 0 → 2 minutes
	Timeout      time.Duration
	Excluded     []string    // the run's actor and triggering actor
	OnStatus     func(Tally) // called when the tally changes, and now and then while waiting
	Now          func() time.Time
}

// RejectedError is a reviewer's rejection: the release stops at once.
type RejectedError struct{ Approval github.Approval }

func (e *RejectedError) Error() string {
	s := fmt.Sprintf("%s rejected the deployment to %s", e.Approval.User, strings.Join(e.Approval.Environments, ", "))
	if e.Approval.Comment != "" {
		s += fmt.Sprintf(" (%q)", e.Approval.Comment)
	}
	return s
}

// NotApprovedError is a run that did not get enough distinct approvals.
type NotApprovedError struct {
	Tally  Tally
	Policy Policy
	Reason string
}

func (e *NotApprovedError) Error() string {
	s := e.Reason + ": " + e.Tally.Status(e.Policy)
	if len(e.Tally.Discounted) > 0 {
		s += " (" + strings.Join(e.Tally.Discounted, "; ") + ")"
	}
	return s
}

// Await polls until the run has enough distinct approvals, one is rejected,
// nothing more can arrive (no deployment is pending), or the timeout passes.
func Await(ctx context.Context, src Source, p Policy, o AwaitOptions) (Tally, error) {
	now := o.Now
	if now == nil {
		now = time.Now
	}
	interval, maxInterval := o.PollInterval, o.MaxInterval
	if interval <= 0 {
		interval = 15 * time.Second
	}
	if maxInterval <= 0 {
		maxInterval = 2 * time.Minute
	}
	deadline := now().Add(o.Timeout)
	last, lastSaid := "", now()
	for {
		approvals, err := src.RunApprovals(ctx)
		if err != nil {
			return Tally{}, err
		}
		t := Count(approvals, p, o.Excluded)
		if t.Rejected != nil {
			return t, &RejectedError{Approval: *t.Rejected}
		}
		if status := t.Status(p); o.OnStatus != nil && (status != last || now().Sub(lastSaid) >= 5*time.Minute) {
			o.OnStatus(t)
			last, lastSaid = status, now()
		}
		if t.Enough(p) {
			return t, nil
		}
		pending, err := src.PendingDeployments(ctx)
		if err != nil {
			return t, err
		}
		if !anyPending(pending, p) {
			return t, &NotApprovedError{Tally: t, Policy: p, Reason: "too few distinct approvals, and no deployment of this run is still waiting for one"}
		}
		if !now().Before(deadline) {
			return t, &NotApprovedError{Tally: t, Policy: p, Reason: fmt.Sprintf("timed out after %s", o.Timeout)}
		}
		wait := min(interval, deadline.Sub(now()))
		select {
		case <-ctx.Done():
			return t, ctx.Err()
		case <-time.After(wait):
		}
		interval = min(interval*2, maxInterval)
	}
}

func anyPending(ps []github.PendingDeployment, p Policy) bool {
	for _, d := range ps {
		if len(relevant([]string{d.Environment}, p.Environments)) > 0 {
			return true
		}
	}
	return false
}
