package testenv

import (
	"cmp"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
)

const (
	ghDocListWorkflowRuns = "https://docs.github.com/rest/actions/workflow-runs#list-workflow-runs-for-a-workflow"
	ghDocRunLogs          = "https://docs.github.com/rest/actions/workflow-runs#download-workflow-run-logs"
	// ghLogsStoragePrefix is where the storage host's paths start (GitHub's is another
	// host, results-receiver.actions.githubusercontent.com or a blob store; here it is
	// the emulator's own, so the client cannot tell them apart by origin).
	ghLogsStoragePrefix = "/actions-results/"
	// ghLogsGone is GitHub's answer for logs past retention. The body is the one seen
	// for the job-logs endpoint (rust-lang/triagebot issue 2241, "status":"410" and
	// all); the run-logs endpoint's own is UNCONFIRMED.
	ghLogsGone = `{"message":"Server Error","documentation_url":"` + ghDocRunLogs + `","status":"410"}`
	// Azure Blob Storage's refusals; which of them GitHub's log storage really sends
	// for a request with a stray Authorization header is UNCONFIRMED.
	ghBlobAuthFailed = `<?xml version="1.0" encoding="utf-8"?><Error><Code>AuthenticationFailed</Code><Message>Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.</Message></Error>`
	ghBlobNotFound   = `<?xml version="1.0" encoding="utf-8"?><Error><Code>BlobNotFound</Code><Message>The specified blob does not exist.</Message></Error>`
)

// ghRunsPageJSON is "List workflow runs for a workflow"'s answer.
type ghRunsPageJSON struct {
	TotalCount   int         `json:"total_count"`
	WorkflowRuns []ghRunJSON `json:"workflow_runs"`
}

// serveRunLogs answers the run-list and run-logs endpoints and reports whether the
// request was one of theirs; the caller has checked the token.
func (g *GitHub) serveRunLogs(w http.ResponseWriter, r *http.Request) bool {
	seg, ok := apiSegments(r)
	if !ok || len(seg) != 7 || seg[0] != "repos" || seg[3] != "actions" {
		return false
	}
	owner, repo := seg[1], seg[2]
	switch {
	case seg[4] == "workflows" && seg[6] == "runs":
		if r.Method != http.MethodGet {
			ghNotFound(w, ghDocListWorkflowRuns)
			return true
		}
		g.listWorkflowRuns(w, r, owner, repo, seg[5])
	case seg[4] == "runs" && seg[6] == "logs":
		id, err := strconv.ParseInt(seg[5], 10, 64)
		if err != nil || r.Method != http.MethodGet {
			ghNotFound(w, ghDocRunLogs)
			return true
		}
		g.redirectRunLogs(w, owner, repo, id)
	default:
		return false
	}
	return true
}

// listWorkflowRuns answers "List workflow runs for a workflow": newest first. The
// workflow is its file name or its id. An unknown workflow is a 404.
func (g *GitHub) listWorkflowRuns(w http.ResponseWriter, r *http.Request, owner, repo, workflow string) {
	filter, err := parseRunFilter(r.URL.Query())
	if err != nil {
		// GitHub's answer to an unreadable created filter is UNCONFIRMED.
		ghValidation(w, ghDocListWorkflowRuns, "WorkflowRun", "invalid", "created")
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	rp := g.repo(w, owner, repo, ghDocListWorkflowRuns)
	if rp == nil {
		return
	}
	var runs []*ghWorkflowRun
	known := false
	for _, wr := range g.runLogStore().byRepo[repoKey(owner, repo)] {
		if wr.workflow != workflow && strconvI(wr.workflowID) != workflow {
			continue
		}
		known = true
		if filter.match(wr) {
			runs = append(runs, wr)
		}
	}
	if !known {
		ghNotFound(w, ghDocListWorkflowRuns)
		return
	}
	slices.SortStableFunc(runs, func(a, b *ghWorkflowRun) int {
		return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), cmp.Compare(b.ID, a.ID))
	})
	reachable := len(runs)
	if filter.capped {
		reachable = min(reachable, ghRunSearchCap)
	}
	lo, hi := paginateQuery(w, r, reachable)
	out := ghRunsPageJSON{TotalCount: len(runs), WorkflowRuns: []ghRunJSON{}}
	for _, wr := range runs[lo:hi] {
		out.WorkflowRuns = append(out.WorkflowRuns, g.workflowRunJSON(rp, wr))
	}
	writeJSON(w, http.StatusOK, out)
}

// redirectRunLogs answers "Download workflow run logs": 302 to the storage URL, 410
// once the logs expired, 404 for a run with no logs here.
func (g *GitHub) redirectRunLogs(w http.ResponseWriter, owner, repo string, id int64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.repo(w, owner, repo, ghDocRunLogs) == nil {
		return
	}
	wr := g.workflowRun(owner, repo, id)
	switch {
	case wr == nil:
		ghNotFound(w, ghDocRunLogs)
	case wr.expired:
		writeRaw(w, http.StatusGone, ghLogsGone)
	default:
		// GitHub's link "expires after 1 minute"; the emulator's does not (a test that
		// waited a minute would be a slow test).
		w.Header().Set("Location", g.URL()+g.LogsStoragePath(owner, repo, id)+"?sv=2025-01-05&se=in-1-minute&sig="+wr.key)
		w.WriteHeader(http.StatusFound)
	}
}

// serveLogsStorage is the pre-signed storage URL of a run's log archive.
func (g *GitHub) serveLogsStorage(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "" {
		writeRaw(w, http.StatusForbidden, ghBlobAuthFailed)
		return
	}
	seg := strings.Split(strings.TrimPrefix(r.URL.Path, ghLogsStoragePrefix), "/")
	if len(seg) != 5 || seg[2] != "runs" || seg[4] != "logs.zip" || r.Method != http.MethodGet {
		writeRaw(w, http.StatusNotFound, ghBlobNotFound)
		return
	}
	id, err := strconv.ParseInt(seg[3], 10, 64)
	if err != nil {
		writeRaw(w, http.StatusNotFound, ghBlobNotFound)
		return
	}
	g.mu.Lock()
	wr := g.workflowRun(seg[0], seg[1], id)
	var archive string
	found, signed := wr != nil && !wr.expired, false
	if found {
		archive, signed = wr.archive, r.URL.Query().Get("sig") == wr.key
	}
	g.mu.Unlock()
	switch {
	case !found:
		writeRaw(w, http.StatusNotFound, ghBlobNotFound)
	case !signed:
		writeRaw(w, http.StatusForbidden, ghBlobAuthFailed)
	case archive == "":
		w.Header().Set("Content-Type", "application/zip")
		w.Header().Set("Content-Length", strconv.Itoa(len(emptyZip)))
		w.Write(emptyZip)
	default:
		g.sendFile(w, r, archive)
	}
}

// workflowRunJSON is the run as the list shows it; the caller holds g.mu.
func (g *GitHub) workflowRunJSON(rp *ghRepo, wr *ghWorkflowRun) ghRunJSON {
	base := g.repoAPI(rp) + "/actions/runs/" + strconvI(wr.ID)
	web := g.URL() + "/" + url.PathEscape(rp.owner) + "/" + url.PathEscape(rp.name)
	j := ghRunJSON{
		ID: wr.ID, Name: strings.TrimSuffix(wr.workflow, path.Ext(wr.workflow)), NodeID: nodeID("WFR_kwLOA", wr.ID),
		HeadBranch: nullable(wr.HeadBranch), HeadSHA: wr.HeadSHA, Path: ".github/workflows/" + wr.workflow,
		DisplayTitle: wr.workflow, RunNumber: 1 + wr.ID%1000, Event: wr.Event, Status: wr.Status,
		Conclusion: nullable(wr.Conclusion), WorkflowID: wr.workflowID, URL: base,
		HTMLURL: web + "/actions/runs/" + strconvI(wr.ID), PullRequests: []any{},
		CreatedAt: ghTime(wr.CreatedAt), UpdatedAt: ghTime(wr.CreatedAt), Actor: g.simpleUser(wr.Actor, 0),
		RunAttempt: wr.Attempt, RunStartedAt: ghTime(wr.CreatedAt), TriggeringActor: g.simpleUser(wr.Actor, 0),
		JobsURL: base + "/jobs", LogsURL: base + "/logs", ArtifactsURL: base + "/artifacts",
		CancelURL: base + "/cancel", RerunURL: base + "/rerun",
		WorkflowURL: g.repoAPI(rp) + "/actions/workflows/" + strconvI(wr.workflowID),
		Repository: ghMiniRepoJSON{
			ID: stableID("repo:" + repoKey(rp.owner, rp.name)), Name: rp.name, FullName: rp.owner + "/" + rp.name,
			Owner: g.simpleUser(rp.owner, 0), HTMLURL: web, URL: g.repoAPI(rp),
		},
	}
	j.Repository.NodeID = nodeID("R_kgDOA", j.Repository.ID)
	j.Repository.Owner.Type = "Organization"
	if wr.Attempt > 1 {
		j.PreviousAttemptURL = nullable(base + "/attempts/" + strconv.Itoa(wr.Attempt-1))
	}
	return j
}
