package github

import (
	"cmp"
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// WorkflowRun is a run as a workflow's run list shows it, for auditing past releases.
type WorkflowRun struct {
	ID      int64
	Attempt int // run_attempt of the latest attempt
	Event   string
	// HeadBranch is the branch, or the tag of a tag push.
	HeadBranch, HeadSHA string
	// Status is "completed", "in_progress", "queued", "waiting", ...; Conclusion is
	// "success", "failure", "cancelled", ... or "" while the run has none.
	Status, Conclusion string
	CreatedAt          time.Time // whole seconds
	HTMLURL            string
}

type wireWorkflowRun struct {
	ID         int64     `json:"id"`
	RunAttempt int       `json:"run_attempt"`
	Event      string    `json:"event"`
	HeadBranch *string   `json:"head_branch"`
	HeadSHA    string    `json:"head_sha"`
	Status     *string   `json:"status"`
	Conclusion *string   `json:"conclusion"`
	CreatedAt  time.Time `json:"created_at"`
	HTMLURL    string    `json:"html_url"`
}

type wireRunsPage struct {
	TotalCount   int               `json:"total_count"`
	WorkflowRuns []wireWorkflowRun `json:"workflow_runs"`
}

func (w wireWorkflowRun) run() WorkflowRun {
	deref := func(s *string) string {
		if s == nil {
			return ""
		}
		return *s
	}
	return WorkflowRun{
		ID: w.ID, Attempt: w.RunAttempt, Event: w.Event, HeadBranch: deref(w.HeadBranch), HeadSHA: w.HeadSHA,
		Status: deref(w.Status), Conclusion: deref(w.Conclusion), CreatedAt: w.CreatedAt, HTMLURL: w.HTMLURL,
	}
}

const (
	// runSearchCap is how far a filtered run list reaches: "This API will return up to
	// 1,000 results for each search when using the following parameters: actor, branch,
	// check_suite_id, created, event, head_sha, status" (REST "List workflow runs for a
	// workflow").
	runSearchCap = 1000
	// maxRunWindows bounds how many successive date windows one listing may take
	// (a million runs at the cap).
	maxRunWindows = 1000
	// searchTimeLayout is a date-time in GitHub's search syntax ("Query for dates":
	// YYYY-MM-DDTHH:MM:SS+00:00).
	searchTimeLayout = "2006-01-02T15:04:05+00:00"
)

// WorkflowRuns lists the runs of workflow (its file name, "release.yml", or its numeric
// id) in owner/repo, newest first, that were created at or after since (zero: all of
// them), reading every page.
//
// GitHub reaches at most 1,000 runs per filtered query, so the listing goes back in
// time in windows: when a window comes back full, the next one asks for runs created up
// to the oldest run seen ("created=SINCE..OLDEST"; the second is repeated, its runs are
// kept once). The first window is unfiltered when since is zero, and is read no further
// than 1,000 runs either way.
func (c *Client) WorkflowRuns(ctx context.Context, owner, repo, workflow string, since time.Time) ([]WorkflowRun, error) {
	if err := checkRepo(owner, repo); err != nil {
		return nil, err
	}
	wf, err := workflowName(workflow)
	if err != nil {
		return nil, err
	}
	ep := endpoint{need: "actions: read", missing: fmt.Sprintf("there is no workflow %s in %s/%s: name it by its file name under "+
		".github/workflows (e.g. release.yml) or its numeric id; a token without access to the repository also sees 404", wf, owner, repo)}
	op := fmt.Sprintf("list the runs of workflow %s in %s/%s", wf, owner, repo)
	path := fmt.Sprintf("%s/actions/workflows/%s/runs", repoPath(owner, repo), url.PathEscape(wf))

	seen := map[int64]bool{}
	out := []WorkflowRun{}
	var upper time.Time // the oldest run of the previous window; zero before the first
	for range maxRunWindows {
		runs, more, err := c.runWindow(ctx, op, path, createdFilter(since, upper))
		if err != nil {
			return nil, ep.annotate(err)
		}
		oldest := upper
		for _, w := range runs {
			if oldest.IsZero() || w.CreatedAt.Before(oldest) {
				oldest = w.CreatedAt
			}
			if seen[w.ID] || w.CreatedAt.Before(since) {
				continue
			}
			seen[w.ID] = true
			out = append(out, w.run())
		}
		progress := upper.IsZero() || oldest.Before(upper)
		switch {
		case !more:
		case progress:
			upper = oldest
			continue
		case len(runs) >= runSearchCap:
			return nil, fmt.Errorf("GitHub: %s: more than %d runs were created in the second %s; GitHub cannot list them all",
				op, runSearchCap, upper.UTC().Format(time.RFC3339))
		}
		slices.SortStableFunc(out, func(a, b WorkflowRun) int {
			return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), cmp.Compare(b.ID, a.ID))
		})
		return out, nil
	}
	return nil, fmt.Errorf("GitHub: %s: more than %d windows of %d runs", op, maxRunWindows, runSearchCap)
}

// runWindow reads one query's pages, at most runSearchCap runs. more says whether the
// query has runs beyond what was read: it filled the cap, or GitHub's total_count is
// larger (runs created while the pages were read count too; a new window settles it).
func (c *Client) runWindow(ctx context.Context, op, path, created string) (runs []wireWorkflowRun, more bool, err error) {
	q := url.Values{"per_page": {strconv.Itoa(perPage)}}
	if created != "" {
		q.Set("created", created)
	}
	total := 0
	for page := 1; len(runs) < runSearchCap; {
		q.Set("page", strconv.Itoa(page))
		var p wireRunsPage
		next := 0
		err := c.withRetry(ctx, op, func(ctx context.Context, _ int) error {
			req, err := c.api.NewRequest("GET", path+"?"+q.Encode(), nil)
			if err != nil {
				return err
			}
			p = wireRunsPage{}
			resp, err := c.api.Do(ctx, req, &p)
			if err == nil {
				next = resp.NextPage
			}
			return err
		})
		if err != nil {
			return nil, false, err
		}
		runs = append(runs, p.WorkflowRuns...)
		total = max(total, p.TotalCount)
		if next <= page || len(p.WorkflowRuns) == 0 {
			// An empty window has nothing older to go on from, whatever its count says.
			return runs, len(runs) > 0 && total > len(runs), nil
		}
		page = next
	}
	return runs, true, nil
}

// createdFilter is the created query for runs at or after since and at or before
// upper's second (zero: no bound), or "" for no bound at all. since is rounded down to
// its second: GitHub's times have no fraction, and WorkflowRuns drops the runs of that
// second that came before since.
func createdFilter(since, upper time.Time) string {
	lo, hi := "*", "*"
	if !since.IsZero() {
		lo = since.UTC().Truncate(time.Second).Format(searchTimeLayout)
	}
	if !upper.IsZero() {
		hi = upper.UTC().Format(searchTimeLayout)
	}
	switch {
	case lo == "*" && hi == "*":
		return ""
	case hi == "*":
		return ">=" + lo
	case lo == "*":
		return "<=" + hi
	}
	return lo + ".." + hi
}

// workflowName is the workflow as the endpoint names it: a file name or a numeric id.
// The path under the repository (".github/workflows/release.yml") is accepted too.
func workflowName(workflow string) (string, error) {
	w := strings.TrimPrefix(strings.TrimSpace(workflow), ".github/workflows/")
	if w == "" || w == "." || w == ".." || strings.ContainsAny(w, "/\\@") || strings.IndexFunc(w, func(r rune) bool { return r < ' ' }) >= 0 {
		return "", fmt.Errorf("GitHub: %q is not a workflow: name it by its file name under .github/workflows (e.g. release.yml) or its numeric id", workflow)
	}
	return w, nil
}
