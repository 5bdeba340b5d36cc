package testenv

import (
	"net/http"
	"net/url"
	"strconv"
)

// ghRunJSON is the part of GitHub's "workflow-run" object the emulator fills in.
type ghRunJSON struct {
	ID                 int64          `json:"id"`
	Name               string         `json:"name"`
	NodeID             string         `json:"node_id"`
	HeadBranch         *string        `json:"head_branch"`
	HeadSHA            string         `json:"head_sha"`
	Path               string         `json:"path"`
	DisplayTitle       string         `json:"display_title"`
	RunNumber          int64          `json:"run_number"`
	Event              string         `json:"event"`
	Status             string         `json:"status"`
	Conclusion         *string        `json:"conclusion"`
	WorkflowID         int64          `json:"workflow_id"`
	URL                string         `json:"url"`
	HTMLURL            string         `json:"html_url"`
	PullRequests       []any          `json:"pull_requests"`
	CreatedAt          string         `json:"created_at"`
	UpdatedAt          string         `json:"updated_at"`
	Actor              ghSimpleUser   `json:"actor"`
	RunAttempt         int            `json:"run_attempt"`
	RunStartedAt       string         `json:"run_started_at"`
	TriggeringActor    ghSimpleUser   `json:"triggering_actor"`
	JobsURL            string         `json:"jobs_url"`
	LogsURL            string         `json:"logs_url"`
	ArtifactsURL       string         `json:"artifacts_url"`
	CancelURL          string         `json:"cancel_url"`
	RerunURL           string         `json:"rerun_url"`
	PreviousAttemptURL *string        `json:"previous_attempt_url"`
	WorkflowURL        string         `json:"workflow_url"`
	Repository         ghMiniRepoJSON `json:"repository"`
}

type ghMiniRepoJSON struct {
	ID       int64        `json:"id"`
	NodeID   string       `json:"node_id"`
	Name     string       `json:"name"`
	FullName string       `json:"full_name"`
	Owner    ghSimpleUser `json:"owner"`
	Private  bool         `json:"private"`
	HTMLURL  string       `json:"html_url"`
	URL      string       `json:"url"`
}

// ghApprovalJSON is one entry of "Get the review history for a workflow run".
type ghApprovalJSON struct {
	Environments []ghEnvRefJSON `json:"environments"`
	State        string         `json:"state"`
	User         ghSimpleUser   `json:"user"`
	Comment      string         `json:"comment"`
}

// ghPendingJSON is one entry of "Get pending deployments for a workflow run".
type ghPendingJSON struct {
	Environment           ghEnvRefJSON     `json:"environment"`
	WaitTimer             int              `json:"wait_timer"`
	WaitTimerStartedAt    *string          `json:"wait_timer_started_at"`
	CurrentUserCanApprove bool             `json:"current_user_can_approve"`
	Reviewers             []ghReviewerJSON `json:"reviewers"`
}

// run finds the run or answers 404; the caller holds g.mu.
func (g *GitHub) run(w http.ResponseWriter, owner, repo string, id int64, doc string) (*ghRepo, *ghRun) {
	rp := g.repo(w, owner, repo, doc)
	if rp == nil {
		return nil, nil
	}
	run := rp.runs[id]
	if run == nil {
		ghNotFound(w, doc)
		return nil, nil
	}
	return rp, run
}

// getRun answers "Get a workflow run". Its status is "waiting" while deployments are
// pending, "in_progress" otherwise.
func (g *GitHub) getRun(w http.ResponseWriter, owner, repo string, id int64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	rp, run := g.run(w, owner, repo, id, ghDocGetRun)
	if run == nil {
		return
	}
	base := g.repoAPI(rp) + "/actions/runs/" + strconvI(id)
	web := g.URL() + "/" + url.PathEscape(rp.owner) + "/" + url.PathEscape(rp.name)
	const workflowID = 161335
	j := ghRunJSON{
		ID: id, Name: "release", NodeID: nodeID("WFR_kwLOA", id), HeadBranch: nullable(run.branch), HeadSHA: run.sha,
		Path: ".github/workflows/release.yml", DisplayTitle: "release", RunNumber: 1 + id%1000, Event: run.event,
		Status: "in_progress", WorkflowID: workflowID, URL: base, HTMLURL: web + "/actions/runs/" + strconvI(id),
		PullRequests: []any{}, CreatedAt: ghTime(run.created), UpdatedAt: ghTime(run.updated),
		Actor: g.simpleUser(run.actor, 0), RunAttempt: run.attempt, RunStartedAt: ghTime(run.updated),
		TriggeringActor: g.simpleUser(run.triggering, 0),
		JobsURL:         base + "/jobs", LogsURL: base + "/logs", ArtifactsURL: base + "/artifacts",
		CancelURL: base + "/cancel", RerunURL: base + "/rerun",
		WorkflowURL: g.repoAPI(rp) + "/actions/workflows/" + strconvI(workflowID),
		Repository: ghMiniRepoJSON{
			ID: stableID("repo:" + repoKey(rp.owner, rp.name)), Name: rp.name, FullName: rp.owner + "/" + rp.name,
			Owner: g.simpleUser(rp.owner, 0), HTMLURL: web, URL: g.repoAPI(rp),
		},
	}
	j.Repository.NodeID = nodeID("R_kgDOA", j.Repository.ID)
	j.Repository.Owner.Type = "Organization"
	if len(run.pending) > 0 {
		j.Status = "waiting"
	}
	if run.attempt > 1 {
		j.PreviousAttemptURL = nullable(base + "/attempts/" + strconv.Itoa(run.attempt-1))
	}
	writeJSON(w, http.StatusOK, j)
}

// listApprovals answers "Get the review history for a workflow run", oldest first. The
// docs list no pagination parameters; the emulator paginates like GitHub's other lists
// (UNCONFIRMED) so a client that follows Link headers is exercised.
func (g *GitHub) listApprovals(w http.ResponseWriter, r *http.Request, owner, repo string, id int64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	rp, run := g.run(w, owner, repo, id, ghDocApprovals)
	if run == nil {
		return
	}
	lo, hi := paginate(w, r, len(run.reviews))
	out := []ghApprovalJSON{}
	for _, rv := range run.reviews[lo:hi] {
		a := ghApprovalJSON{Environments: []ghEnvRefJSON{}, State: rv.state, User: g.simpleUser(rv.user, rv.userID), Comment: rv.comment}
		for _, e := range rv.envs {
			a.Environments = append(a.Environments, g.envRef(rp, e))
		}
		out = append(out, a)
	}
	writeJSON(w, http.StatusOK, out)
}

// listPending answers "Get pending deployments for a workflow run" (not paginated).
// current_user_can_approve is false: the emulator's token is the workflow's.
func (g *GitHub) listPending(w http.ResponseWriter, owner, repo string, id int64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	rp, run := g.run(w, owner, repo, id, ghDocPending)
	if run == nil {
		return
	}
	out := []ghPendingJSON{}
	for _, p := range run.pending {
		ref := g.envRef(rp, p.env)
		pj := ghPendingJSON{Environment: ghEnvRefJSON{ID: ref.ID, NodeID: ref.NodeID, Name: ref.Name, URL: ref.URL, HTMLURL: ref.HTMLURL},
			WaitTimerStartedAt: nullable(ghTime(p.started)), Reviewers: []ghReviewerJSON{}}
		if env := rp.env(p.env); env != nil {
			pj.WaitTimer = env.e.WaitTimer
			pj.Reviewers = g.reviewersJSON(rp, env.e.Reviewers)
		}
		out = append(out, pj)
	}
	writeJSON(w, http.StatusOK, out)
}

func strconvI(n int64) string { return strconv.FormatInt(n, 10) }
