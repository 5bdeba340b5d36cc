package testenv

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

type ghRun struct {
	id                 int64
	attempt            int
	actor, triggering  string
	event, branch, sha string
	created, updated   time.Time
	reviews            []ghReview  // oldest first
	pending            []ghPending // waiting deployments
}

type ghReview struct {
	state, user, comment string
	userID               int64
	envs                 []string
}

type ghPending struct {
	env     string
	started time.Time
}

// AddRun creates workflow run runID of owner/repo (event "push" on branch "main",
// until SetRunEvent says otherwise), started by actor; triggeringActor ("" means actor)
// started its attempt (0 means 1). Calling it again for the same run is a re-run: the
// attempt and triggering actor change, the review history stays.
func (g *GitHub) AddRun(owner, repo string, runID int64, actor, triggeringActor string, attempt int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	rp := g.repos[repoKey(owner, repo)]
	if rp == nil {
		panic("testenv: GitHub.AddRun: no repository " + owner + "/" + repo)
	}
	run := rp.runs[runID]
	now := time.Now()
	if run == nil {
		run = &ghRun{id: runID, event: "push", branch: "main", sha: randomHex(40), created: now}
		rp.runs[runID] = run
	}
	run.actor, run.triggering, run.attempt, run.updated = actor, cmp.Or(triggeringActor, actor), max(attempt, 1), now
	g.userID(actor)
	g.userID(run.triggering)
}

// SetRunEvent sets the run's event, head branch (the tag, for a tag push) and head
// commit ("" keeps each as it is).
func (g *GitHub) SetRunEvent(owner, repo string, runID int64, event, headBranch, headSHA string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	run := g.mustRun("SetRunEvent", owner, repo, runID)
	run.event, run.branch, run.sha = cmp.Or(event, run.event), cmp.Or(headBranch, run.branch), cmp.Or(headSHA, run.sha)
}

// Approve records that user (with userID; 0 keeps the ID the emulator has for the
// login) approved the run's deployments to envs, with comment, as one review-history
// entry, and takes envs off the run's pending deployments. Nothing is enforced: GitHub
// would refuse a reviewer who is not required, or the run's actor under
// prevent_self_review, but tests need to show releaser such approvals too.
func (g *GitHub) Approve(owner, repo string, runID int64, user string, userID int64, comment string, envs ...string) {
	g.review("Approve", "approved", owner, repo, runID, user, userID, comment, envs)
}

// Reject is Approve's counterpart: a "rejected" entry, and envs leave the pending list
// (GitHub fails the rejected jobs).
func (g *GitHub) Reject(owner, repo string, runID int64, user string, userID int64, comment string, envs ...string) {
	g.review("Reject", "rejected", owner, repo, runID, user, userID, comment, envs)
}

func (g *GitHub) review(fn, state, owner, repo string, runID int64, user string, userID int64, comment string, envs []string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	run := g.mustRun(fn, owner, repo, runID)
	if userID == 0 {
		userID = g.userID(user)
	} else {
		g.userIDs[strings.ToLower(user)] = userID
	}
	run.reviews = append(run.reviews, ghReview{state: state, user: user, userID: userID, comment: comment, envs: slices.Clone(envs)})
	run.pending = slices.DeleteFunc(run.pending, func(p ghPending) bool {
		return slices.ContainsFunc(envs, func(e string) bool { return strings.EqualFold(e, p.env) })
	})
	run.updated = time.Now()
}

// SetPending replaces the run's pending deployments with one per environment in envs,
// waiting from now; their reviewers and wait timers come from the environments as
// AddEnvironment configured them.
func (g *GitHub) SetPending(owner, repo string, runID int64, envs ...string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	run := g.mustRun("SetPending", owner, repo, runID)
	now := time.Now()
	run.pending = nil
	for _, e := range envs {
		run.pending = append(run.pending, ghPending{env: e, started: now})
	}
	run.updated = now
}

// Pending lists the environments the run's deployments still wait for.
func (g *GitHub) Pending(owner, repo string, runID int64) []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	run := g.mustRun("Pending", owner, repo, runID)
	var out []string
	for _, p := range run.pending {
		out = append(out, p.env)
	}
	return out
}

// mustRun finds a run a test set up; the caller holds g.mu.
func (g *GitHub) mustRun(fn, owner, repo string, runID int64) *ghRun {
	rp := g.repos[repoKey(owner, repo)]
	if rp == nil || rp.runs[runID] == nil {
		panic("testenv: GitHub." + fn + ": no workflow run " + owner + "/" + repo + " " + strconvI(runID) + " (AddRun first)")
	}
	return rp.runs[runID]
}
