package github

import (
	"context"
	"fmt"
)

// Run is a workflow run as the approval stage needs it.
type Run struct {
	ID      int64
	Attempt int // run_attempt: 1, or more after a re-run
	// Actor started the run (its first attempt); TriggeringActor started this attempt,
	// which differs after someone else re-ran it. Logins can be renamed; the IDs stay.
	Actor, TriggeringActor     string
	ActorID, TriggeringActorID int64
	Event                      string // "push", "workflow_dispatch", "release", ...
	HeadBranch                 string // the branch, or the tag for a tag push
	HeadSHA                    string
}

// Run reads the workflow run runID of owner/repo.
func (c *Client) Run(ctx context.Context, owner, repo string, runID int64) (*Run, error) {
	if err := checkRun(owner, repo, runID); err != nil {
		return nil, err
	}
	ep := endpoint{need: "actions: read", missing: missingRun(owner, repo, runID)}
	var run *Run
	err := c.withRetry(ctx, fmt.Sprintf("read workflow run %d of %s/%s", runID, owner, repo), func(ctx context.Context, _ int) error {
		w, _, err := c.api.Actions.GetWorkflowRunByID(ctx, owner, repo, runID)
		if err != nil {
			return err
		}
		run = &Run{
			ID: w.GetID(), Attempt: w.GetRunAttempt(),
			Actor: w.GetActor().GetLogin(), ActorID: w.GetActor().GetID(),
			TriggeringActor: w.GetTriggeringActor().GetLogin(), TriggeringActorID: w.GetTriggeringActor().GetID(),
			Event: w.GetEvent(), HeadBranch: w.GetHeadBranch(), HeadSHA: w.GetHeadSHA(),
		}
		return nil
	})
	if err != nil {
		return nil, ep.annotate(err)
	}
	return run, nil
}

func missingRun(owner, repo string, runID int64) string {
	return fmt.Sprintf("there is no workflow run %d in %s/%s: check GITHUB_RUN_ID and GITHUB_REPOSITORY; "+
		"a token without access to the repository also sees 404", runID, owner, repo)
}
