package github

import (
	"fmt"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/releaserhq/releaser/internal/testenv"
)

const runID = 987654321

func TestRun(t *testing.T) {
	e := newEnv(t)
	e.gh.AddRun(owner, repo, runID, "carol", "", 1)
	e.gh.SetRunEvent(owner, repo, runID, "push", "v1.2.3", "0123456789abcdef0123456789abcdef01234567")
	run, err := e.c.Run(t.Context(), owner, repo, runID)
	if err != nil {
		t.Fatal(err)
	}
	if run.ID != runID || run.Attempt != 1 || run.Actor != "carol" || run.TriggeringActor != "carol" || run.ActorID == 0 ||
		run.TriggeringActorID != run.ActorID || run.Event != "push" || run.HeadBranch != "v1.2.3" || run.HeadSHA != "0123456789abcdef0123456789abcdef01234567" {
		t.Fatalf("run %+v", run)
	}
	// dave re-runs it.
	e.gh.AddRun(owner, repo, runID, "carol", "dave", 2)
	run, err = e.c.Run(t.Context(), owner, repo, runID)
	if err != nil {
		t.Fatal(err)
	}
	if run.Attempt != 2 || run.Actor != "carol" || run.TriggeringActor != "dave" || run.TriggeringActorID == run.ActorID {
		t.Fatalf("re-run %+v", run)
	}
}

func TestRunApprovals(t *testing.T) {
	e := newEnv(t)
	e.gh.AddEnvironment(owner, repo, testenv.EmuEnvironment{Name: "gate-1"})
	e.gh.AddRun(owner, repo, runID, "carol", "", 1)
	got, err := e.c.RunApprovals(t.Context(), owner, repo, runID)
	if err != nil || got == nil || len(got) != 0 {
		t.Fatalf("no approvals yet: %#v, %v", got, err)
	}
	e.gh.Approve(owner, repo, runID, "alice", 11, "lgtm", "gate-1")
	e.gh.Approve(owner, repo, runID, "bob", 12, "", "gate-2", "release")
	e.gh.Reject(owner, repo, runID, "eve", 13, "not today", "release")
	got, err = e.c.RunApprovals(t.Context(), owner, repo, runID)
	if err != nil {
		t.Fatal(err)
	}
	want := []Approval{
		{User: "alice", UserID: 11, State: "approved", Comment: "lgtm", Environments: []string{"gate-1"}},
		{User: "bob", UserID: 12, State: "approved", Environments: []string{"gate-2", "release"}},
		{User: "eve", UserID: 13, State: "rejected", Comment: "not today", Environments: []string{"release"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("\n got %+v\nwant %+v", got, want)
	}
}

// TestRunApprovalsAllPages: should GitHub page the review history, every page is read.
func TestRunApprovalsAllPages(t *testing.T) {
	e := newEnv(t)
	e.gh.AddRun(owner, repo, runID, "carol", "", 1)
	for i := range 150 {
		e.gh.Approve(owner, repo, runID, fmt.Sprintf("user%d", i), int64(100+i), "", "gate-1")
	}
	got, err := e.c.RunApprovals(t.Context(), owner, repo, runID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 150 || got[0].User != "user0" || got[149].User != "user149" || got[149].UserID != 249 {
		t.Fatalf("%d approvals", len(got))
	}
	if n := e.gh.Requests(http.MethodGet, fmt.Sprintf("/api/v3/repos/octo-org/octo-repo/actions/runs/%d/approvals", runID)); n != 2 {
		t.Fatalf("%d page requests, want 2", n)
	}
}

func TestPendingDeployments(t *testing.T) {
	e := newEnv(t)
	e.gh.AddEnvironment(owner, repo, testenv.EmuEnvironment{Name: "gate-1", WaitTimer: 5,
		Reviewers: []testenv.EmuReviewer{{Type: "User", Login: "alice", ID: 11}, {Type: "Team", Login: "octo-org/release-team", ID: 77}}})
	e.gh.AddEnvironment(owner, repo, testenv.EmuEnvironment{Name: "gate-2", Reviewers: []testenv.EmuReviewer{{Type: "User", Login: "bob", ID: 12}}})
	e.gh.AddRun(owner, repo, runID, "carol", "", 1)
	before := time.Now().Add(-time.Second).Truncate(time.Second)
	e.gh.SetPending(owner, repo, runID, "gate-1", "gate-2")
	got, err := e.c.PendingDeployments(t.Context(), owner, repo, runID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].WaitTimerStartedAt.Before(before) {
		t.Fatalf("pending %+v", got)
	}
	got[0].WaitTimerStartedAt, got[1].WaitTimerStartedAt = time.Time{}, time.Time{}
	want := []PendingDeployment{
		{Environment: "gate-1", WaitTimer: 5, Reviewers: []Reviewer{{Type: "User", Login: "alice", ID: 11}, {Type: "Team", Login: "octo-org/release-team", ID: 77}}},
		{Environment: "gate-2", Reviewers: []Reviewer{{Type: "User", Login: "bob", ID: 12}}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("\n got %+v\nwant %+v", got, want)
	}
	// Approving an environment takes it off the list.
	e.gh.Approve(owner, repo, runID, "alice", 11, "", "gate-1")
	got, err = e.c.PendingDeployments(t.Context(), owner, repo, runID)
	if err != nil || len(got) != 1 || got[0].Environment != "gate-2" {
		t.Fatalf("after approving gate-1: %+v, %v", got, err)
	}
}

// TestApproveWhilePolling: approvals that arrive while releaser polls are seen, with
// the emulator changed and read from different goroutines (run with -race).
func TestApproveWhilePolling(t *testing.T) {
	e := newEnv(t)
	e.gh.AddRun(owner, repo, runID, "carol", "", 1)
	e.gh.SetPending(owner, repo, runID, "gate-1", "gate-2")
	polled := make(chan int)
	done := make(chan error, 1)
	go func() {
		defer close(polled)
		for range 1000 {
			as, err := e.c.RunApprovals(t.Context(), owner, repo, runID)
			if err != nil {
				done <- err
				return
			}
			ps, err := e.c.PendingDeployments(t.Context(), owner, repo, runID)
			if err != nil {
				done <- err
				return
			}
			if len(as) == 2 && len(ps) == 0 {
				done <- nil
				return
			}
			select {
			case polled <- len(as):
			case <-t.Context().Done():
				return
			}
		}
		done <- fmt.Errorf("approvals never seen after 1000 polls")
	}()
	// Approve only after a poll has seen the state before it.
	for i, who := range []string{"alice", "bob"} {
		for n := range polled {
			if n == i {
				break
			}
		}
		e.gh.Approve(owner, repo, runID, who, int64(11+i), "", fmt.Sprintf("gate-%d", i+1))
	}
	go func() {
		for range polled { // keep the poller moving until it sees both
		}
	}()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
