package github

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/releaserhq/releaser/internal/testenv"
)

var runsDay = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

const runsPath = "/api/v3/repos/" + owner + "/" + repo + "/actions/workflows/release.yml/runs"

// addRuns adds runs 1..n of release.yml, perSecond of them created in each second from
// runsDay on (run n newest), and one run of another workflow.
func (e *env) addRuns(n, perSecond int) {
	for i := 1; i <= n; i++ {
		e.gh.AddWorkflowRun(owner, repo, "release.yml", testenv.EmuWorkflowRun{ID: int64(i), CreatedAt: runsDay.Add(time.Duration((i-1)/perSecond) * time.Second)}, nil)
	}
	e.gh.AddWorkflowRun(owner, repo, "ci.yml", testenv.EmuWorkflowRun{ID: 100_000, CreatedAt: runsDay.Add(time.Hour)}, nil)
}

// wantRunIDs fails unless runs are exactly ids from hi down to lo, newest first.
func wantRunIDs(t *testing.T, runs []WorkflowRun, hi, lo int64) {
	t.Helper()
	var want []int64
	for id := hi; id >= lo; id-- {
		want = append(want, id)
	}
	got := make([]int64, 0, len(runs))
	for _, r := range runs {
		got = append(got, r.ID)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("%d runs %v…, want %d runs from %d down to %d", len(got), got[:min(len(got), 5)], len(want), hi, lo)
	}
}

func TestWorkflowRunsFields(t *testing.T) {
	e := newEnv(t)
	e.gh.AddWorkflowRun(owner, repo, "release.yml", testenv.EmuWorkflowRun{ID: 7, Attempt: 2, Event: "push", HeadBranch: "v1.2.3",
		HeadSHA: strings.Repeat("c", 40), Conclusion: "failure", CreatedAt: runsDay}, nil)
	e.gh.AddWorkflowRun(owner, repo, "release.yml", testenv.EmuWorkflowRun{ID: 8, Status: "in_progress", CreatedAt: runsDay.Add(time.Second)}, nil)
	runs, err := e.c.WorkflowRuns(context.Background(), owner, repo, "release.yml", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 {
		t.Fatalf("runs %+v", runs)
	}
	want := WorkflowRun{ID: 7, Attempt: 2, Event: "push", HeadBranch: "v1.2.3", HeadSHA: strings.Repeat("c", 40), Status: "completed",
		Conclusion: "failure", CreatedAt: runsDay, HTMLURL: e.gh.URL() + "/" + owner + "/" + repo + "/actions/runs/7"}
	if got := runs[1]; got != want {
		t.Fatalf("run 7\n got %+v\nwant %+v", got, want)
	}
	if runs[0].ID != 8 || runs[0].Status != "in_progress" || runs[0].Conclusion != "" {
		t.Fatalf("run 8 %+v", runs[0])
	}
}

// TestWorkflowRunsSince: every page is read, since bounds the list on the server and to
// the exact instant here, and the workflow may be named several ways.
func TestWorkflowRunsSince(t *testing.T) {
	e := newEnv(t)
	e.addRuns(250, 1) // run i created at runsDay + (i-1) s
	for _, tc := range []struct {
		name, workflow string
		since          time.Time
		hi, lo         int64
		requests       int
	}{
		{"all", "release.yml", time.Time{}, 250, 1, 3},
		{"by path", ".github/workflows/release.yml", time.Time{}, 250, 1, 3},
		{"since a run", "release.yml", runsDay.Add(99 * time.Second), 250, 100, 2},
		{"since within a second", "release.yml", runsDay.Add(99*time.Second + time.Millisecond), 250, 101, 2},
		{"since in another zone", "release.yml", runsDay.Add(199 * time.Second).In(time.FixedZone("CET", 3600)), 250, 200, 1},
		{"since before all", "release.yml", runsDay.Add(-time.Hour), 250, 1, 3},
		{"since after all", "release.yml", runsDay.Add(time.Hour), 0, 1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := e.gh.Requests(http.MethodGet, runsPath)
			runs, err := e.c.WorkflowRuns(context.Background(), owner, repo, tc.workflow, tc.since)
			if err != nil {
				t.Fatal(err)
			}
			if runs == nil {
				t.Fatal("nil, want an empty list")
			}
			wantRunIDs(t, runs, tc.hi, tc.lo)
			if n := e.gh.Requests(http.MethodGet, runsPath) - before; n != tc.requests {
				t.Errorf("%d requests, want %d: the server should filter by created", n, tc.requests)
			}
		})
	}
	if _, err := e.c.WorkflowRuns(context.Background(), owner, repo, "100", time.Time{}); !hasStatus(err, http.StatusNotFound) {
		t.Fatalf("an unknown workflow id: %v", err)
	}
}

// TestWorkflowRunsBeyondSearchCap: GitHub reaches only 1,000 runs per filtered query;
// the listing goes back in windows and keeps runs that share the boundary second once.
func TestWorkflowRunsBeyondSearchCap(t *testing.T) {
	e := newEnv(t)
	e.addRuns(2345, 3)
	for _, since := range []time.Time{{}, runsDay, runsDay.Add(100 * time.Second)} {
		runs, err := e.c.WorkflowRuns(context.Background(), owner, repo, "release.yml", since)
		if err != nil {
			t.Fatal(err)
		}
		lo := int64(1)
		if !since.IsZero() {
			lo = int64(since.Sub(runsDay)/time.Second)*3 + 1
		}
		wantRunIDs(t, runs, 2345, lo)
	}
}

func TestWorkflowRunsTooManyInOneSecond(t *testing.T) {
	e := newEnv(t)
	e.addRuns(1001, 1001)
	_, err := e.c.WorkflowRuns(context.Background(), owner, repo, "release.yml", time.Time{})
	if err == nil || !strings.Contains(err.Error(), "more than 1000 runs were created in the second 2026-11-25T10:00:00Z") {
		t.Fatalf("err = %v", err)
	}
}

func TestWorkflowRunsRetried(t *testing.T) {
	e := newEnv(t)
	e.addRuns(150, 1)
	e.gh.Faults().Add(runsPath, testenv.Status(http.StatusBadGateway, `{"message":"Server Error"}`))
	e.gh.Faults().Add(runsPath, testenv.Reset())
	runs, err := e.c.WorkflowRuns(context.Background(), owner, repo, "release.yml", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	wantRunIDs(t, runs, 150, 1)
	if len(e.recordedWaits()) != 2 {
		t.Fatalf("waits %v, want 2 retries", e.recordedWaits())
	}
}

func TestWorkflowRunsRefusals(t *testing.T) {
	e := newEnv(t)
	e.addRuns(1, 1)
	for _, w := range []string{"", "..", "a/release.yml", "release.yml@v1", "rel\nease.yml"} {
		if _, err := e.c.WorkflowRuns(context.Background(), owner, repo, w, time.Time{}); err == nil || !strings.Contains(err.Error(), "is not a workflow") {
			t.Errorf("workflow %q: %v", w, err)
		}
	}
	if e.gh.Requests(http.MethodGet, runsPath) != 0 {
		t.Fatal("a refused name was sent")
	}
	_, err := e.c.WorkflowRuns(context.Background(), owner, repo, "deploy.yml", time.Time{})
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusNotFound || !strings.Contains(ae.Fix(), "there is no workflow deploy.yml in octo-org/octo-repo") {
		t.Fatalf("unknown workflow: %v", err)
	}
	e.gh.DenyPermission(runsPath, "actions=read")
	_, err = e.c.WorkflowRuns(context.Background(), owner, repo, "release.yml", time.Time{})
	if !errors.As(err, &ae) || ae.Status != http.StatusForbidden || !strings.Contains(ae.Fix(), "actions: read") || strings.Contains(err.Error(), e.gh.Token()) {
		t.Fatalf("denied: %v", err)
	}
}

func TestCreatedFilter(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 600, time.FixedZone("X", -3600))
	for _, tc := range []struct {
		since, upper time.Time
		want         string
	}{
		{time.Time{}, time.Time{}, ""},
		{at, time.Time{}, ">=2026-01-02T04:04:05+00:00"},
		{time.Time{}, at.Truncate(time.Second), "<=2026-01-02T04:04:05+00:00"},
		{at, runsDay, "2026-01-02T04:04:05+00:00..2026-11-25T10:00:00+00:00"},
	} {
		if got := createdFilter(tc.since, tc.upper); got != tc.want {
			t.Errorf("createdFilter(%v, %v) = %q, want %q", tc.since, tc.upper, got, tc.want)
		}
	}
}
