package testenv

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

type ghTestWorkflowRun struct {
	ID         int64   `json:"id"`
	RunAttempt int     `json:"run_attempt"`
	Event      string  `json:"event"`
	HeadBranch *string `json:"head_branch"`
	HeadSHA    string  `json:"head_sha"`
	Status     string  `json:"status"`
	Conclusion *string `json:"conclusion"`
	CreatedAt  string  `json:"created_at"`
	HTMLURL    string  `json:"html_url"`
	Path       string  `json:"path"`
	WorkflowID int64   `json:"workflow_id"`
	LogsURL    string  `json:"logs_url"`
}

type ghTestRunsPage struct {
	TotalCount   int                 `json:"total_count"`
	WorkflowRuns []ghTestWorkflowRun `json:"workflow_runs"`
}

var ghTestDay = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

func (g *GitHub) testRunsURL(workflow, query string) string {
	u := g.testRepoAPI() + "/actions/workflows/" + workflow + "/runs"
	if query != "" {
		u += "?" + query
	}
	return u
}

func listTestRuns(t *testing.T, g *GitHub, workflow, query string) (ghTestRunsPage, ghResp) {
	t.Helper()
	var page ghTestRunsPage
	r := ghCall(t, g, http.MethodGet, g.testRunsURL(workflow, query), "", nil, nil).want(t, http.StatusOK)
	r.decode(t, &page)
	return page, r
}

func runIDs(p ghTestRunsPage) []int64 {
	var ids []int64
	for _, r := range p.WorkflowRuns {
		ids = append(ids, r.ID)
	}
	return ids
}

// addTestRuns adds runs 1..n of release.yml, run i created i hours after ghTestDay, and
// one run of ci.yml.
func addTestRuns(g *GitHub, n int) {
	for i := 1; i <= n; i++ {
		g.AddWorkflowRun("octo-org", "octo-repo", "release.yml", EmuWorkflowRun{ID: int64(i), CreatedAt: ghTestDay.Add(time.Duration(i) * time.Hour)}, nil)
	}
	g.AddWorkflowRun("octo-org", "octo-repo", "ci.yml", EmuWorkflowRun{ID: 99, CreatedAt: ghTestDay}, nil)
}

func TestGitHubWorkflowRunsList(t *testing.T) {
	g := newGitHubRepo(t)
	addTestRuns(g, 3)
	g.AddWorkflowRun("octo-org", "octo-repo", "release.yml", EmuWorkflowRun{ID: 7, Attempt: 2, Event: "workflow_dispatch", HeadBranch: "v1.2.3",
		HeadSHA: strings.Repeat("a", 40), Status: "completed", Conclusion: "failure", CreatedAt: ghTestDay.Add(90 * time.Minute)}, nil)

	page, r := listTestRuns(t, g, "release.yml", "")
	var raw map[string]json.RawMessage
	r.decode(t, &raw)
	wantKeys(t, "run list", r.body, "total_count", "workflow_runs")
	var runs []json.RawMessage
	if err := json.Unmarshal(raw["workflow_runs"], &runs); err != nil || len(runs) == 0 {
		t.Fatalf("workflow_runs %s", raw["workflow_runs"])
	}
	// The same object as "Get a workflow run".
	wantKeys(t, "listed run", runs[0], keys(t, ghCall(t, g, http.MethodGet, g.testRepoAPI()+"/actions/runs/7", "", nil, nil).want(t, http.StatusOK).body)...)
	if got := runIDs(page); page.TotalCount != 4 || !slices.Equal(got, []int64{3, 2, 7, 1}) {
		t.Fatalf("total %d, runs %v; want 4, newest first [3 2 7 1]", page.TotalCount, got)
	}
	r7 := page.WorkflowRuns[2]
	if r7.RunAttempt != 2 || r7.Event != "workflow_dispatch" || r7.HeadBranch == nil || *r7.HeadBranch != "v1.2.3" || r7.HeadSHA != strings.Repeat("a", 40) ||
		r7.Status != "completed" || r7.Conclusion == nil || *r7.Conclusion != "failure" || r7.CreatedAt != "2026-11-25T11:30:00Z" ||
		r7.Path != ".github/workflows/release.yml" || !strings.HasSuffix(r7.HTMLURL, "/octo-org/octo-repo/actions/runs/7") || !strings.HasSuffix(r7.LogsURL, "/actions/runs/7/logs") {
		t.Fatalf("run 7 %+v", r7)
	}
	if r1 := page.WorkflowRuns[3]; r1.RunAttempt != 1 || r1.Event != "push" || *r1.HeadBranch != "main" || len(r1.HeadSHA) != 40 || *r1.Conclusion != "success" {
		t.Fatalf("run 1 with defaults %+v", r1)
	}
	byID, _ := listTestRuns(t, g, fmt.Sprint(r7.WorkflowID), "")
	if !slices.Equal(runIDs(byID), runIDs(page)) {
		t.Fatalf("by workflow id %v, by file name %v", runIDs(byID), runIDs(page))
	}
	if ci, _ := listTestRuns(t, g, "ci.yml", ""); !slices.Equal(runIDs(ci), []int64{99}) || ci.WorkflowRuns[0].WorkflowID == r7.WorkflowID {
		t.Fatalf("ci.yml %+v", ci)
	}
	// "Get a workflow run" knows runs added with AddWorkflowRun.
	var run ghTestRun
	ghCall(t, g, http.MethodGet, g.testRepoAPI()+"/actions/runs/7", "", nil, nil).want(t, http.StatusOK).decode(t, &run)
	if run.ID != 7 || run.RunAttempt != 2 || run.Event != "workflow_dispatch" || run.Actor.Login != "octocat" {
		t.Fatalf("get run 7 %+v", run)
	}
}

func TestGitHubWorkflowRunsFilters(t *testing.T) {
	g := newGitHubRepo(t)
	addTestRuns(g, 5) // created 11:00, 12:00, ... 15:00 on 2026-11-25
	g.AddWorkflowRun("octo-org", "octo-repo", "release.yml", EmuWorkflowRun{ID: 6, Event: "release", Status: "in_progress", CreatedAt: ghTestDay.AddDate(0, 0, 1)}, nil)
	for _, tc := range []struct {
		query string
		want  []int64
	}{
		{"created=>=2026-11-25T13:00:00Z", []int64{6, 5, 4, 3}},
		{"created=>2026-11-25T13:00:00%2B00:00", []int64{6, 5, 4}},
		{"created=<=2026-11-25T13:00:00Z", []int64{3, 2, 1}},
		{"created=<2026-11-25T13:00:00Z", []int64{2, 1}},
		{"created=2026-11-25T12:00:00Z..2026-11-25T14:00:00Z", []int64{4, 3, 2}},
		{"created=*..2026-11-25T11:00:00Z", []int64{1}},
		{"created=2026-11-25", []int64{5, 4, 3, 2, 1}},
		{"created=>=2026-11-26", []int64{6}},
		{"created=>2026-11-25", []int64{6}},
		{"created=>=2026-11-25T14:00:00%2B01:00", []int64{6, 5, 4, 3}}, // 13:00 UTC
		{"event=release", []int64{6}},
		{"status=in_progress", []int64{6}},
		{"status=success", []int64{5, 4, 3, 2, 1}},
		{"created=>=2027-01-01", nil},
	} {
		page, _ := listTestRuns(t, g, "release.yml", tc.query)
		if got := runIDs(page); !slices.Equal(got, tc.want) || page.TotalCount != len(tc.want) {
			t.Errorf("%s: %v (total %d), want %v", tc.query, got, page.TotalCount, tc.want)
		}
	}
}

// TestGitHubWorkflowRunsPages: Link headers keep the filters; a filtered list reaches
// only 1,000 runs, an unfiltered one all of them.
func TestGitHubWorkflowRunsPages(t *testing.T) {
	g := newGitHubRepo(t)
	addTestRuns(g, 5)
	page, r := listTestRuns(t, g, "release.yml", "created=>=2026-11-25T12:00:00Z&per_page=2")
	link := r.header.Get("Link")
	if !slices.Equal(runIDs(page), []int64{5, 4}) || !strings.Contains(link, `rel="next"`) {
		t.Fatalf("page 1 %v, Link %q", runIDs(page), link)
	}
	next := regexp.MustCompile(`<([^>]+)>; rel="next"`).FindStringSubmatch(link)
	u, err := url.Parse(next[1])
	if err != nil || u.Query().Get("created") != ">=2026-11-25T12:00:00Z" || u.Query().Get("page") != "2" {
		t.Fatalf("next link %q", next[1])
	}
	var p2 ghTestRunsPage
	ghCall(t, g, http.MethodGet, next[1], "", nil, nil).want(t, http.StatusOK).decode(t, &p2)
	if !slices.Equal(runIDs(p2), []int64{3, 2}) {
		t.Fatalf("page 2 %v", runIDs(p2))
	}

	for i := 6; i <= ghRunSearchCap+5; i++ {
		g.AddWorkflowRun("octo-org", "octo-repo", "release.yml", EmuWorkflowRun{ID: int64(i), CreatedAt: ghTestDay.Add(time.Duration(i) * time.Minute)}, nil)
	}
	capped, r := listTestRuns(t, g, "release.yml", "created=>=2026-01-01&per_page=100&page=10")
	if len(capped.WorkflowRuns) != 100 || capped.TotalCount != ghRunSearchCap+5 || strings.Contains(r.header.Get("Link"), `rel="next"`) {
		t.Fatalf("filtered page 10: %d runs, total %d, Link %q", len(capped.WorkflowRuns), capped.TotalCount, r.header.Get("Link"))
	}
	if beyond, _ := listTestRuns(t, g, "release.yml", "created=>=2026-01-01&per_page=100&page=11"); len(beyond.WorkflowRuns) != 0 {
		t.Fatalf("filtered page 11 has %d runs", len(beyond.WorkflowRuns))
	}
	if all, _ := listTestRuns(t, g, "release.yml", "per_page=100&page=11"); len(all.WorkflowRuns) != 5 {
		t.Fatalf("unfiltered page 11 has %d runs, want 5", len(all.WorkflowRuns))
	}
}

func TestGitHubWorkflowRunsRefusals(t *testing.T) {
	g := newGitHubRepo(t)
	addTestRuns(g, 1)
	ghCall(t, g, http.MethodGet, g.testRunsURL("deploy.yml", ""), "", nil, nil).
		wantBody(t, http.StatusNotFound, `{"message":"Not Found","documentation_url":"`+ghDocListWorkflowRuns+`"}`)
	ghCall(t, g, http.MethodGet, g.APIURL()+"repos/octo-org/other/actions/workflows/release.yml/runs", "", nil, nil).want(t, http.StatusNotFound)
	ghCall(t, g, http.MethodGet, g.testRunsURL("release.yml", "created=yesterday"), "", nil, nil).want(t, http.StatusUnprocessableEntity)
	ghCall(t, g, http.MethodPost, g.testRunsURL("release.yml", ""), "", nil, nil).want(t, http.StatusNotFound)
	ghCall(t, g, http.MethodGet, g.testRunsURL("release.yml", ""), "-", nil, nil).want(t, http.StatusUnauthorized)
	g.DenyPermission("/api/v3/repos/octo-org/octo-repo/actions/workflows/release.yml/runs", "actions=read")
	r := ghCall(t, g, http.MethodGet, g.testRunsURL("release.yml", ""), "", nil, nil).want(t, http.StatusForbidden)
	if r.header.Get("X-Accepted-GitHub-Permissions") != "actions=read" {
		t.Fatalf("403 headers %v", r.header)
	}
}

// fetchTestLogs follows the logs endpoint's redirect without the token and reads the
// archive.
func fetchTestLogs(t *testing.T, g *GitHub, runID int64) *zip.Reader {
	t.Helper()
	r := ghCall(t, g, http.MethodGet, fmt.Sprintf("%s/actions/runs/%d/logs", g.testRepoAPI(), runID), "", nil, nil).want(t, http.StatusFound)
	loc := r.header.Get("Location")
	u, err := url.Parse(loc)
	if err != nil || u.Path != g.LogsStoragePath("octo-org", "octo-repo", runID) || u.Query().Get("sig") == "" {
		t.Fatalf("Location %q", loc)
	}
	// The storage URL refuses the token, and a forged signature.
	ghCall(t, g, http.MethodGet, loc, "", nil, nil).want(t, http.StatusForbidden)
	ghCall(t, g, http.MethodGet, strings.Replace(loc, "sig=", "sig=0", 1), "-", nil, nil).want(t, http.StatusForbidden)
	z := ghCall(t, g, http.MethodGet, loc, "-", nil, nil).want(t, http.StatusOK)
	zr, err := zip.NewReader(bytes.NewReader(z.body), int64(len(z.body)))
	if err != nil {
		t.Fatalf("the archive: %v", err)
	}
	return zr
}

func zipText(t *testing.T, zr *zip.Reader) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		if !f.Modified.IsZero() && f.Modified.Year() > 1980 {
			t.Errorf("%s has a modification time %v", f.Name, f.Modified)
		}
		out[f.Name] = string(b)
	}
	return out
}

var ghTestStamped = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z (.*)$`)

// logLines checks that every line of a log file is stamped and returns them unstamped.
func logLines(t *testing.T, name, text string) []string {
	t.Helper()
	text, ok := strings.CutPrefix(text, "\ufeff")
	if !ok || !strings.HasSuffix(text, "\n") {
		t.Fatalf("%s: %q does not start with a BOM and end with a newline", name, text)
	}
	var out []string
	var prev string
	for _, l := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		m := ghTestStamped.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("%s: line %q has no GitHub timestamp", name, l)
		}
		if ts := l[:28]; ts <= prev {
			t.Fatalf("%s: timestamp %s after %s", name, ts, prev)
		} else {
			prev = ts
		}
		out = append(out, m[1])
	}
	return out
}

func TestGitHubRunLogsArchive(t *testing.T) {
	g := newGitHubRepo(t)
	id := g.AddWorkflowRun("octo-org", "octo-repo", "release.yml", EmuWorkflowRun{CreatedAt: ghTestDay}, map[string][]string{
		"publish":              {"[releaser-audit] {\"seq\":1}", "", "done"},
		"build / linux: amd64": {"building"},
	})
	files := zipText(t, fetchTestLogs(t, g, id))
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range files {
			if !yield(n) {
				return
			}
		}
	})
	want := []string{"0_build  linux amd64.txt", "1_publish.txt",
		"build  linux amd64/1_Set up job.txt", "build  linux amd64/2_Run releaser.txt", "build  linux amd64/3_Complete job.txt", "build  linux amd64/system.txt",
		"publish/1_Set up job.txt", "publish/2_Run releaser.txt", "publish/3_Complete job.txt", "publish/system.txt"}
	if !slices.Equal(names, want) {
		t.Fatalf("archive entries\n got %q\nwant %q", names, want)
	}
	whole := logLines(t, "1_publish.txt", files["1_publish.txt"])
	if len(whole) != 6 || !slices.Equal(whole[2:5], []string{"[releaser-audit] {\"seq\":1}", "", "done"}) {
		t.Fatalf("publish log %q", whole)
	}
	step := logLines(t, "publish/2_Run releaser.txt", files["publish/2_Run releaser.txt"])
	if !slices.Equal(step, whole[2:5]) {
		t.Fatalf("step log %q", step)
	}
	// A step's lines carry the same timestamps in the step log as in the job log.
	if !strings.Contains(files["1_publish.txt"], strings.TrimPrefix(files["publish/2_Run releaser.txt"], "\ufeff")) {
		t.Fatalf("the step log is not part of the job log:\n%s\n%s", files["publish/2_Run releaser.txt"], files["1_publish.txt"])
	}
	for name, text := range files {
		logLines(t, name, text)
	}
}

func TestGitHubRunLogsShapes(t *testing.T) {
	g := newGitHubRepo(t)
	jobs := map[string][]string{"publish": {"x"}}
	onlySteps := g.AddWorkflowRun("octo-org", "octo-repo", "release.yml", EmuWorkflowRun{OmitJobLogs: true}, jobs)
	onlyJobs := g.AddWorkflowRun("octo-org", "octo-repo", "release.yml", EmuWorkflowRun{OmitStepLogs: true}, jobs)
	none := g.AddWorkflowRun("octo-org", "octo-repo", "release.yml", EmuWorkflowRun{}, nil)
	for _, tc := range []struct {
		id   int64
		want []string
	}{
		{onlySteps, []string{"publish/1_Set up job.txt", "publish/2_Run releaser.txt", "publish/3_Complete job.txt", "publish/system.txt"}},
		{onlyJobs, []string{"0_publish.txt"}},
		{none, nil},
	} {
		var got []string
		for _, f := range fetchTestLogs(t, g, tc.id).File {
			got = append(got, f.Name)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("run %d: %q, want %q", tc.id, got, tc.want)
		}
	}
}

func TestGitHubRunLogsExpireAndRerun(t *testing.T) {
	g := newGitHubRepo(t)
	id := g.AddWorkflowRun("octo-org", "octo-repo", "release.yml", EmuWorkflowRun{}, map[string][]string{"publish": {"attempt 1"}})
	logsURL := fmt.Sprintf("%s/actions/runs/%d/logs", g.testRepoAPI(), id)
	loc := ghCall(t, g, http.MethodGet, logsURL, "", nil, nil).want(t, http.StatusFound).header.Get("Location")

	g.AddWorkflowRun("octo-org", "octo-repo", "release.yml", EmuWorkflowRun{ID: id, Attempt: 2}, map[string][]string{"publish": {"attempt 2"}})
	if page, _ := listTestRuns(t, g, "release.yml", ""); len(page.WorkflowRuns) != 1 || page.WorkflowRuns[0].RunAttempt != 2 {
		t.Fatalf("after the re-run %+v", page)
	}
	if got := zipText(t, fetchTestLogs(t, g, id))["0_publish.txt"]; !strings.Contains(got, " attempt 2\n") {
		t.Fatalf("re-run log %q", got)
	}
	// The old link's signature no longer matches.
	ghCall(t, g, http.MethodGet, loc, "-", nil, nil).want(t, http.StatusForbidden)

	loc = ghCall(t, g, http.MethodGet, logsURL, "", nil, nil).want(t, http.StatusFound).header.Get("Location")
	g.ExpireLogs("octo-org", "octo-repo", id)
	ghCall(t, g, http.MethodGet, logsURL, "", nil, nil).wantBody(t, http.StatusGone, ghLogsGone)
	ghCall(t, g, http.MethodGet, loc, "-", nil, nil).want(t, http.StatusNotFound)
	// The run itself is still listed.
	if page, _ := listTestRuns(t, g, "release.yml", ""); len(page.WorkflowRuns) != 1 {
		t.Fatalf("after expiry %+v", page)
	}

	ghCall(t, g, http.MethodGet, g.testRepoAPI()+"/actions/runs/123456/logs", "", nil, nil).
		wantBody(t, http.StatusNotFound, `{"message":"Not Found","documentation_url":"`+ghDocRunLogs+`"}`)
	ghCall(t, g, http.MethodGet, g.testRepoAPI()+"/actions/runs/abc/logs", "", nil, nil).want(t, http.StatusNotFound)
	ghCall(t, g, http.MethodGet, logsURL, "-", nil, nil).want(t, http.StatusUnauthorized)
}

func TestGitHubLogNames(t *testing.T) {
	long := strings.Repeat("é", 89) + "😅x"
	for in, want := range map[string]string{
		"publish":               "publish",
		"build / linux":         "build  linux",
		"a:b/c":                 "abc",
		" padded ":              "padded",
		long:                    strings.Repeat("é", 89) + "\ufffd", // cut inside the surrogate pair, as C#'s Substring does
		strings.Repeat("x", 95): strings.Repeat("x", 90),
	} {
		if got := ghLogName(in); got != want {
			t.Errorf("ghLogName(%q) = %q, want %q", in, got, want)
		}
	}
}
