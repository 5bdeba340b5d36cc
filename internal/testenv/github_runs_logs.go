package testenv

import (
	"cmp"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"
	"weak"
)

// The GitHub emulator's workflow runs with logs, for `releaser audit --repo` (REST
// "Workflow runs", API version 2022-11-28):
//
//   - GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs lists a workflow's
//     runs (workflow_id is the file name or the numeric id), newest first, as
//     {"total_count": n, "workflow_runs": [...]}, paginated with per_page/page and Link
//     headers. The created, event, branch, status, actor and head_sha filters apply; with
//     any of them only the first 1,000 results can be reached, as the docs say ("This API
//     will return up to 1,000 results for each search when using the following
//     parameters: actor, branch, check_suite_id, created, event, head_sha, status").
//   - GET /repos/{owner}/{repo}/actions/runs/{run_id}/logs answers 302 with a Location on
//     a storage host (LogsStoragePath) that serves the run's zip archive, or 410 once
//     ExpireLogs was called.
//   - The storage URL is pre-signed: it refuses a request that carries an Authorization
//     header, so a client that forwards its GitHub token there fails loudly.
//
// The archive is laid out as GitHub's (github_runs_logs_archive.go).

// EmuWorkflowRun is a workflow run as AddWorkflowRun takes it. Zero fields take the
// defaults in brackets.
type EmuWorkflowRun struct {
	ID         int64     // [a fresh id]
	Attempt    int       // run_attempt [1]
	Event      string    // ["push"]
	HeadBranch string    // the branch, or the tag of a tag push ["main"]
	HeadSHA    string    // [random]
	Status     string    // ["completed"]
	Conclusion string    // ["success" when completed, else none]
	Actor      string    // ["octocat"]
	CreatedAt  time.Time // [now]; GitHub shows whole seconds
	// OmitJobLogs leaves out the whole-job logs ("N_job.txt") and OmitStepLogs the
	// per-step logs ("job/N_step.txt"): archives of both shapes have been seen (cli/cli
	// issues 10551 and 7643).
	OmitJobLogs, OmitStepLogs bool
}

// ghWorkflowRun is a run added with AddWorkflowRun.
type ghWorkflowRun struct {
	EmuWorkflowRun
	workflow   string // file name, e.g. "release.yml"
	workflowID int64
	archive    string // spooled zip; "" = an archive with no files
	key        string // the storage URL's signature
	expired    bool
}

// ghRunLogStore holds one emulator's workflow runs with logs. It lives beside the
// GitHub struct rather than in it (that struct is github.go's), like the attestations;
// it must not point back at the emulator, or the emulator could never be collected.
type ghRunLogStore struct {
	byRepo map[string][]*ghWorkflowRun // repoKey -> runs, in the order added
}

var runLogStores sync.Map // weak.Pointer[GitHub] -> *ghRunLogStore

// runLogStore is g's store; the caller holds g.mu, which guards it.
func (g *GitHub) runLogStore() *ghRunLogStore {
	k := weak.Make(g)
	if s, ok := runLogStores.Load(k); ok {
		return s.(*ghRunLogStore)
	}
	s, loaded := runLogStores.LoadOrStore(k, &ghRunLogStore{byRepo: map[string][]*ghWorkflowRun{}})
	if !loaded {
		runtime.AddCleanup(g, func(k weak.Pointer[GitHub]) { runLogStores.Delete(k) }, k)
	}
	return s.(*ghRunLogStore)
}

// AddWorkflowRun adds a run of workflow (its file name, e.g. "release.yml") to
// owner/repo with a log archive holding one log per job: jobs maps a job's name to the
// lines it printed, without timestamps; the archive prefixes each with a GitHub
// timestamp. It returns the run's id. Adding a run with an id that exists replaces it
// (a re-run: give it the next Attempt). The run is also what "Get a workflow run"
// answers for that id, unless AddRun made one first.
func (g *GitHub) AddWorkflowRun(owner, repo, workflow string, run EmuWorkflowRun, jobs map[string][]string) int64 {
	if workflow == "" || strings.Contains(workflow, "/") {
		panic("testenv: GitHub.AddWorkflowRun: the workflow is a file name such as release.yml")
	}
	run.Attempt = max(run.Attempt, 1)
	run.Event = cmp.Or(run.Event, "push")
	run.HeadBranch = cmp.Or(run.HeadBranch, "main")
	run.HeadSHA = cmp.Or(run.HeadSHA, randomHex(40))
	run.Status = cmp.Or(run.Status, "completed")
	if run.Conclusion == "" && run.Status == "completed" {
		run.Conclusion = "success"
	}
	run.Actor = cmp.Or(run.Actor, "octocat")
	if run.CreatedAt.IsZero() {
		run.CreatedAt = time.Now()
	}
	run.CreatedAt = run.CreatedAt.UTC().Truncate(time.Second)

	// The archive is built before taking the lock: a big one takes a while.
	var archive string
	if len(jobs) > 0 {
		var err error
		if archive, err = writeRunLogArchive(g.dir, run, jobs); err != nil {
			panic("testenv: GitHub.AddWorkflowRun: " + err.Error())
		}
	}

	g.mu.Lock()
	defer g.mu.Unlock()
	rp := g.repos[repoKey(owner, repo)]
	if rp == nil {
		panic("testenv: GitHub.AddWorkflowRun: no repository " + owner + "/" + repo)
	}
	if run.ID == 0 {
		g.nextID++
		run.ID = g.nextID
	}
	wr := &ghWorkflowRun{EmuWorkflowRun: run, workflow: workflow, workflowID: workflowID(rp, workflow),
		archive: archive, key: randomHex(32)}
	s := g.runLogStore()
	k := repoKey(owner, repo)
	replaced := false
	for i, old := range s.byRepo[k] {
		if old.ID == run.ID {
			removeArchive(old)
			s.byRepo[k][i], replaced = wr, true
		}
	}
	if !replaced {
		s.byRepo[k] = append(s.byRepo[k], wr)
	}
	if rp.runs[run.ID] == nil {
		rp.runs[run.ID] = &ghRun{id: run.ID, attempt: run.Attempt, actor: run.Actor, triggering: run.Actor,
			event: run.Event, branch: run.HeadBranch, sha: run.HeadSHA, created: run.CreatedAt, updated: run.CreatedAt}
		g.userID(run.Actor)
	}
	return run.ID
}

// ExpireLogs deletes the run's log archive, as GitHub does when the repository's
// retention period ends: the logs endpoint answers 410 from then on, and a storage URL
// handed out before stops working.
func (g *GitHub) ExpireLogs(owner, repo string, runID int64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	wr := g.workflowRun(owner, repo, runID)
	if wr == nil {
		panic("testenv: GitHub.ExpireLogs: no workflow run " + owner + "/" + repo + " " + strconvI(runID) + " (AddWorkflowRun first)")
	}
	removeArchive(wr)
	wr.expired = true
}

// LogsStoragePath is the path of the storage URL the logs endpoint redirects to for the
// run (the signature is in the query), for faults and request counts.
func (g *GitHub) LogsStoragePath(owner, repo string, runID int64) string {
	return ghLogsStoragePrefix + repoKey(owner, repo) + "/runs/" + strconvI(runID) + "/logs.zip"
}

// workflowRun finds a run added with AddWorkflowRun; the caller holds g.mu.
func (g *GitHub) workflowRun(owner, repo string, runID int64) *ghWorkflowRun {
	for _, wr := range g.runLogStore().byRepo[repoKey(owner, repo)] {
		if wr.ID == runID {
			return wr
		}
	}
	return nil
}

// workflowID is the workflow's numeric id: stable per repository and file name.
func workflowID(rp *ghRepo, workflow string) int64 {
	return 1_000_000 + stableID("workflow:"+repoKey(rp.owner, rp.name)+"/"+workflow)
}

func removeArchive(wr *ghWorkflowRun) {
	if wr.archive != "" {
		_ = os.Remove(wr.archive)
		wr.archive = ""
	}
}
