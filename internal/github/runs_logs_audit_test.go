package github_test

import (
	"bufio"
	"context"
	"io"
	"slices"
	"testing"
	"time"

	"github.com/releaserhq/releaser/internal/audit"
	"github.com/releaserhq/releaser/internal/github"
	"github.com/releaserhq/releaser/internal/testenv"
)

// TestRunLogsFeedAuditExtraction: the lines RunLogs streams are what the audit package
// reads releaser's mirrored events from, byte order mark and timestamps included, in
// every archive shape, and the listing finds the run.
func TestRunLogsFeedAuditExtraction(t *testing.T) {
	events := []string{`{"seq":1,"type":"run.start"}`, `{"seq":2,"type":"run.end"}`}
	jobs := map[string][]string{
		"publish": {audit.MirrorPrefix + events[0], "::group::not an event", "[releaser-audit] not JSON", audit.MirrorPrefix + events[1]},
		"build":   {"no events here"},
	}
	for _, shape := range []testenv.EmuWorkflowRun{{}, {OmitStepLogs: true}, {OmitJobLogs: true}} {
		gh := testenv.NewGitHub(t)
		gh.AddRepo("octo-org", "octo-repo")
		shape.CreatedAt = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
		id := gh.AddWorkflowRun("octo-org", "octo-repo", "release.yml", shape, jobs)
		c, err := github.New(gh.APIURL(), gh.Token(), nil, "releaser-tests")
		if err != nil {
			t.Fatal(err)
		}
		runs, err := c.WorkflowRuns(context.Background(), "octo-org", "octo-repo", "release.yml", shape.CreatedAt)
		if err != nil || len(runs) != 1 || runs[0].ID != id {
			t.Fatalf("runs %+v, %v", runs, err)
		}
		found := map[string][]string{}
		err = c.RunLogs(context.Background(), "octo-org", "octo-repo", id, func(job string, r io.Reader) error {
			sc := bufio.NewScanner(r)
			for sc.Scan() {
				if line, ok := audit.ExtractLine(sc.Text()); ok {
					found[job] = append(found[job], line)
				}
			}
			return sc.Err()
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(found) != 1 || !slices.Equal(found["publish"], events) {
			t.Errorf("%+v: extracted %q, want %q from publish", shape, found, events)
		}
	}
}
