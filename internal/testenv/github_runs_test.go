package testenv

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
)

const testRunID = 4242

type ghTestRun struct {
	ID         int64   `json:"id"`
	HeadBranch *string `json:"head_branch"`
	HeadSHA    string  `json:"head_sha"`
	Event      string  `json:"event"`
	Status     string  `json:"status"`
	RunAttempt int     `json:"run_attempt"`
	Actor      struct {
		Login string `json:"login"`
		ID    int64  `json:"id"`
	} `json:"actor"`
	TriggeringActor struct {
		Login string `json:"login"`
		ID    int64  `json:"id"`
	} `json:"triggering_actor"`
	PreviousAttemptURL *string `json:"previous_attempt_url"`
}

type ghTestApproval struct {
	Environments []struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	} `json:"environments"`
	State string `json:"state"`
	User  struct {
		Login string `json:"login"`
		ID    int64  `json:"id"`
		Type  string `json:"type"`
	} `json:"user"`
	Comment string `json:"comment"`
}

type ghTestPending struct {
	Environment struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	} `json:"environment"`
	WaitTimer             int     `json:"wait_timer"`
	WaitTimerStartedAt    *string `json:"wait_timer_started_at"`
	CurrentUserCanApprove bool    `json:"current_user_can_approve"`
	Reviewers             []struct {
		Type     string `json:"type"`
		Reviewer struct {
			Login string `json:"login"`
			Slug  string `json:"slug"`
		} `json:"reviewer"`
	} `json:"reviewers"`
}

func (g *GitHub) testRunURL() string {
	return fmt.Sprintf("%s/actions/runs/%d", g.testRepoAPI(), testRunID)
}

func TestGitHubRun(t *testing.T) {
	g := newGitHubRepo(t)
	g.AddRun("octo-org", "octo-repo", testRunID, "carol", "", 0)
	g.SetRunEvent("octo-org", "octo-repo", testRunID, "", "v1.2.3", "")
	var run ghTestRun
	ghCall(t, g, http.MethodGet, g.testRunURL(), "", nil, nil).want(t, http.StatusOK).decode(t, &run)
	if run.ID != testRunID || run.RunAttempt != 1 || run.Event != "push" || run.HeadBranch == nil || *run.HeadBranch != "v1.2.3" || len(run.HeadSHA) != 40 ||
		run.Actor.Login != "carol" || run.TriggeringActor.Login != "carol" || run.Actor.ID != run.TriggeringActor.ID || run.Status != "in_progress" || run.PreviousAttemptURL != nil {
		t.Fatalf("run %+v", run)
	}
	g.AddRun("octo-org", "octo-repo", testRunID, "carol", "dave", 2)
	g.SetPending("octo-org", "octo-repo", testRunID, "release")
	ghCall(t, g, http.MethodGet, g.testRunURL(), "", nil, nil).want(t, http.StatusOK).decode(t, &run)
	if run.RunAttempt != 2 || run.TriggeringActor.Login != "dave" || run.Actor.Login != "carol" || run.Status != "waiting" || run.PreviousAttemptURL == nil {
		t.Fatalf("re-run %+v", run)
	}
}

func TestGitHubRunApprovalsAndPending(t *testing.T) {
	g := newGitHubRepo(t)
	g.AddEnvironment("octo-org", "octo-repo", EmuEnvironment{Name: "gate-1", WaitTimer: 3,
		Reviewers: []EmuReviewer{{Type: "User", Login: "alice", ID: 11}, {Type: "Team", Login: "octo-org/release-team"}}})
	g.AddEnvironment("octo-org", "octo-repo", EmuEnvironment{Name: "gate-2"})
	g.AddRun("octo-org", "octo-repo", testRunID, "carol", "", 1)
	ghCall(t, g, http.MethodGet, g.testRunURL()+"/approvals", "", nil, nil).wantBody(t, http.StatusOK, `[]`)
	ghCall(t, g, http.MethodGet, g.testRunURL()+"/pending_deployments", "", nil, nil).wantBody(t, http.StatusOK, `[]`)

	g.SetPending("octo-org", "octo-repo", testRunID, "gate-1", "gate-2")
	r := ghCall(t, g, http.MethodGet, g.testRunURL()+"/pending_deployments", "", nil, nil).want(t, http.StatusOK)
	var raw []json.RawMessage
	r.decode(t, &raw)
	wantKeys(t, "pending deployment", raw[0], "environment", "wait_timer", "wait_timer_started_at", "current_user_can_approve", "reviewers")
	wantKeys(t, "pending deployment's environment", json.RawMessage(mustField(t, raw[0], "environment")), "id", "node_id", "name", "url", "html_url")
	var pending []ghTestPending
	r.decode(t, &pending)
	if len(pending) != 2 || pending[0].Environment.Name != "gate-1" || pending[0].WaitTimer != 3 || pending[0].WaitTimerStartedAt == nil ||
		pending[0].CurrentUserCanApprove || len(pending[0].Reviewers) != 2 || pending[0].Reviewers[0].Reviewer.Login != "alice" ||
		pending[0].Reviewers[1].Reviewer.Slug != "release-team" || pending[1].Environment.Name != "gate-2" || len(pending[1].Reviewers) != 0 {
		t.Fatalf("pending %s", r.body)
	}

	g.Approve("octo-org", "octo-repo", testRunID, "alice", 11, "ship it", "gate-1")
	g.Reject("octo-org", "octo-repo", testRunID, "bob", 0, "", "gate-2", "gate-3") // gate-3 is not an environment of the repository
	ghCall(t, g, http.MethodGet, g.testRunURL()+"/pending_deployments", "", nil, nil).wantBody(t, http.StatusOK, `[]`)
	r = ghCall(t, g, http.MethodGet, g.testRunURL()+"/approvals", "", nil, nil).want(t, http.StatusOK)
	r.decode(t, &raw)
	wantKeys(t, "approval", raw[0], "environments", "state", "user", "comment")
	var approvals []ghTestApproval
	r.decode(t, &approvals)
	if len(approvals) != 2 || approvals[0].State != "approved" || approvals[0].User.Login != "alice" || approvals[0].User.ID != 11 ||
		approvals[0].User.Type != "User" || approvals[0].Comment != "ship it" || len(approvals[0].Environments) != 1 ||
		approvals[0].Environments[0].Name != "gate-1" || approvals[0].Environments[0].ID != pending[0].Environment.ID ||
		approvals[1].State != "rejected" || approvals[1].User.Login != "bob" || approvals[1].User.ID == 0 ||
		len(approvals[1].Environments) != 2 || approvals[1].Environments[1].Name != "gate-3" || approvals[1].Environments[1].ID == 0 {
		t.Fatalf("approvals %s", r.body)
	}
}

func mustField(t *testing.T, raw json.RawMessage, key string) []byte {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m[key] == nil {
		t.Fatalf("%s has no %q", raw, key)
	}
	return m[key]
}

// TestGitHubUserIDs: one login has one ID wherever it appears.
func TestGitHubUserIDs(t *testing.T) {
	g := newGitHubRepo(t)
	g.AddEnvironment("octo-org", "octo-repo", EmuEnvironment{Name: "gate", Reviewers: []EmuReviewer{{Type: "User", Login: "alice", ID: 11}}})
	g.AddRun("octo-org", "octo-repo", testRunID, "Alice", "", 1)
	g.Approve("octo-org", "octo-repo", testRunID, "alice", 0, "", "gate")
	var run ghTestRun
	ghCall(t, g, http.MethodGet, g.testRunURL(), "", nil, nil).want(t, http.StatusOK).decode(t, &run)
	var approvals []ghTestApproval
	ghCall(t, g, http.MethodGet, g.testRunURL()+"/approvals", "", nil, nil).want(t, http.StatusOK).decode(t, &approvals)
	if run.Actor.ID != 11 || approvals[0].User.ID != 11 {
		t.Fatalf("actor id %d, approver id %d, want 11", run.Actor.ID, approvals[0].User.ID)
	}
}

func TestGitHubRunNotFound(t *testing.T) {
	g := newGitHubRepo(t)
	for _, tc := range []struct{ path, doc string }{
		{"", ghDocGetRun}, {"/approvals", ghDocApprovals}, {"/pending_deployments", ghDocPending},
	} {
		ghCall(t, g, http.MethodGet, g.testRunURL()+tc.path, "", nil, nil).
			wantBody(t, http.StatusNotFound, `{"message":"Not Found","documentation_url":"`+tc.doc+`"}`)
	}
	ghCall(t, g, http.MethodGet, g.testRepoAPI()+"/actions/runs/abc", "", nil, nil).want(t, http.StatusNotFound)
	ghCall(t, g, http.MethodGet, g.testRepoAPI()+"/actions/workflows", "", nil, nil).want(t, http.StatusNotFound)
}

func TestGitHubApprovalsPaginate(t *testing.T) {
	g := newGitHubRepo(t)
	g.AddRun("octo-org", "octo-repo", testRunID, "carol", "", 1)
	for i := range 31 {
		g.Approve("octo-org", "octo-repo", testRunID, fmt.Sprintf("u%d", i), int64(i+1), "", "gate")
	}
	var p1, p2 []ghTestApproval
	r := ghCall(t, g, http.MethodGet, g.testRunURL()+"/approvals", "", nil, nil).want(t, http.StatusOK)
	r.decode(t, &p1)
	ghCall(t, g, http.MethodGet, g.testRunURL()+"/approvals?page=2", "", nil, nil).want(t, http.StatusOK).decode(t, &p2)
	if len(p1) != 30 || p1[0].User.Login != "u0" || len(p2) != 1 || p2[0].User.Login != "u30" || r.header.Get("Link") == "" {
		t.Fatalf("pages of %d and %d", len(p1), len(p2))
	}
}

// TestGitHubApproveWhileReading: a test may approve while releaser reads (run with -race).
func TestGitHubApproveWhileReading(t *testing.T) {
	g := newGitHubRepo(t)
	g.AddRun("octo-org", "octo-repo", testRunID, "carol", "", 1)
	g.SetPending("octo-org", "octo-repo", testRunID, "gate-1", "gate-2")
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range 20 {
			g.Approve("octo-org", "octo-repo", testRunID, fmt.Sprintf("u%d", i), 0, "", fmt.Sprintf("gate-%d", i%2+1))
		}
	}()
	for range 20 {
		ghCall(t, g, http.MethodGet, g.testRunURL()+"/approvals", "", nil, nil).want(t, http.StatusOK)
		ghCall(t, g, http.MethodGet, g.testRunURL()+"/pending_deployments", "", nil, nil).want(t, http.StatusOK)
	}
	wg.Wait()
	var approvals []ghTestApproval
	ghCall(t, g, http.MethodGet, g.testRunURL()+"/approvals", "", nil, nil).want(t, http.StatusOK).decode(t, &approvals)
	if len(approvals) != 20 || len(g.Pending("octo-org", "octo-repo", testRunID)) != 0 {
		t.Fatalf("%d approvals, pending %v", len(approvals), g.Pending("octo-org", "octo-repo", testRunID))
	}
}
