package github

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Approval is one entry of a workflow run's deployment review history: someone approved
// or rejected the run's pending deployments to one or more environments at once.
type Approval struct {
	User         string // login
	UserID       int64
	State        string // "approved" or "rejected" (GitHub's schema also allows "pending", a comment without a decision)
	Comment      string
	Environments []string // names
}

// PendingDeployment is a deployment of the run waiting for its environment's
// protection rules.
type PendingDeployment struct {
	Environment        string
	WaitTimer          int       // minutes
	WaitTimerStartedAt time.Time // zero when GitHub gives none
	Reviewers          []Reviewer
}

type wireApproval struct {
	Environments []struct {
		Name string `json:"name"`
	} `json:"environments"`
	State   string      `json:"state"`
	User    wireAccount `json:"user"`
	Comment string      `json:"comment"`
}

type wirePending struct {
	Environment struct {
		Name string `json:"name"`
	} `json:"environment"`
	WaitTimer          int            `json:"wait_timer"`
	WaitTimerStartedAt *time.Time     `json:"wait_timer_started_at"`
	Reviewers          []wireReviewer `json:"reviewers"`
}

// RunApprovals is the review history of workflow run runID (GET .../approvals), in the
// order GitHub sends it. GitHub's docs state no order and the entries carry no time
// (UNCONFIRMED; the emulator sends oldest first), so callers must not depend on it:
// count distinct approvers and treat any rejection as final. The history covers every
// attempt of the run. The endpoint is documented without pagination; the client asks
// for 100 a page and follows Link headers should GitHub send them.
func (c *Client) RunApprovals(ctx context.Context, owner, repo string, runID int64) ([]Approval, error) {
	if err := checkRun(owner, repo, runID); err != nil {
		return nil, err
	}
	ep := endpoint{need: "actions: read", missing: missingRun(owner, repo, runID)}
	op := fmt.Sprintf("read the approvals of workflow run %d in %s/%s", runID, owner, repo)
	out := []Approval{}
	err := eachPage(ctx, c, op, fmt.Sprintf("%s/actions/runs/%d/approvals", repoPath(owner, repo), runID), func(page []wireApproval) {
		for _, w := range page {
			a := Approval{User: w.User.Login, UserID: w.User.ID, State: w.State, Comment: w.Comment}
			for _, e := range w.Environments {
				a.Environments = append(a.Environments, e.Name)
			}
			out = append(out, a)
		}
	})
	if err != nil {
		return nil, ep.annotate(err)
	}
	return out, nil
}

// PendingDeployments lists the deployments of workflow run runID that wait for their
// environments' protection rules (GET .../pending_deployments, not paginated).
func (c *Client) PendingDeployments(ctx context.Context, owner, repo string, runID int64) ([]PendingDeployment, error) {
	if err := checkRun(owner, repo, runID); err != nil {
		return nil, err
	}
	ep := endpoint{need: "actions: read", missing: missingRun(owner, repo, runID)}
	op := fmt.Sprintf("read the pending deployments of workflow run %d in %s/%s", runID, owner, repo)
	ws, err := getJSON[[]wirePending](ctx, c, ep, op, fmt.Sprintf("%s/actions/runs/%d/pending_deployments", repoPath(owner, repo), runID))
	if err != nil {
		return nil, err
	}
	out := make([]PendingDeployment, 0, len(ws))
	for _, w := range ws {
		p := PendingDeployment{Environment: w.Environment.Name, WaitTimer: w.WaitTimer, Reviewers: reviewers(w.Reviewers, owner)}
		if w.WaitTimerStartedAt != nil {
			p.WaitTimerStartedAt = *w.WaitTimerStartedAt
		}
		out = append(out, p)
	}
	return out, nil
}

func checkRun(owner, repo string, runID int64) error {
	if err := checkRepo(owner, repo); err != nil {
		return err
	}
	if runID <= 0 {
		return errors.New("GitHub: a workflow run ID is a positive number")
	}
	return nil
}
