package github

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/releaserhq/releaser/internal/testenv"
)

var stampedLine = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z (.*)$`)

var testJobs = map[string][]string{
	"build":   {"compiling", "[releaser-audit] {\"seq\":1}"},
	"publish": {"[releaser-audit] {\"seq\":2}", "", "uploaded demo-1.0.tar.gz"},
}

// jobLines is what RunLogs handed fn: each job's lines without their timestamps, and
// the jobs in the order fn saw them.
type jobLines struct {
	order []string
	lines map[string][]string
}

// collect runs RunLogs and checks that every line it streams is stamped as GitHub
// stamps them.
func collect(t *testing.T, c *Client, runID int64) (jobLines, error) {
	t.Helper()
	got := jobLines{lines: map[string][]string{}}
	err := c.RunLogs(context.Background(), owner, repo, runID, func(job string, r io.Reader) error {
		got.order = append(got.order, job)
		sc := bufio.NewScanner(r)
		for first := true; sc.Scan(); first = false {
			line := sc.Text()
			if first {
				line = strings.TrimPrefix(line, "\ufeff")
			}
			m := stampedLine.FindStringSubmatch(line)
			if m == nil {
				return fmt.Errorf("line %q is not stamped", line)
			}
			got.lines[job] = append(got.lines[job], m[1])
		}
		return sc.Err()
	})
	return got, err
}

func TestRunLogsStreamsEachJobOnce(t *testing.T) {
	setup := []string{"Current runner version: '2.328.0'", "Runner name: 'GitHub Actions 1000000'"}
	const cleanup = "Cleaning up orphan processes"
	for _, tc := range []struct {
		name string
		run  testenv.EmuWorkflowRun
		jobs map[string][]string
	}{
		{"whole and step logs", testenv.EmuWorkflowRun{}, testJobs},
		{"whole logs only", testenv.EmuWorkflowRun{OmitStepLogs: true}, testJobs},
		{"step logs only", testenv.EmuWorkflowRun{OmitJobLogs: true}, testJobs},
		{"no jobs", testenv.EmuWorkflowRun{}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			id := e.gh.AddWorkflowRun(owner, repo, "release.yml", tc.run, tc.jobs)
			got, err := collect(t, e.c, id)
			if err != nil {
				t.Fatal(err)
			}
			if len(tc.jobs) == 0 {
				if len(got.order) != 0 {
					t.Fatalf("fn called for %v", got.order)
				}
				return
			}
			if !slices.Equal(got.order, []string{"build", "publish"}) {
				t.Fatalf("jobs %q, want build then publish, once each", got.order)
			}
			for job, lines := range tc.jobs {
				want := slices.Concat(setup, lines, []string{cleanup})
				if !slices.Equal(got.lines[job], want) {
					t.Errorf("%s:\n got %q\nwant %q", job, got.lines[job], want)
				}
			}
		})
	}
}

// recordingTransport notes the Authorization header of every request by path.
type recordingTransport struct {
	mu   sync.Mutex
	auth map[string][]string
}

func (rt *recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	rt.mu.Lock()
	rt.auth[req.URL.Path] = append(rt.auth[req.URL.Path], req.Header.Get("Authorization"))
	rt.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

// TestRunLogsTokenStaysWithTheAPI: the storage URL is on the API's own origin here (as
// on GitHub Enterprise Server), and still never sees the token.
func TestRunLogsTokenStaysWithTheAPI(t *testing.T) {
	e := newEnv(t)
	rt := &recordingTransport{auth: map[string][]string{}}
	c, err := New(e.gh.APIURL(), e.gh.Token(), &http.Client{Transport: rt}, "releaser-tests")
	if err != nil {
		t.Fatal(err)
	}
	id := e.gh.AddWorkflowRun(owner, repo, "release.yml", testenv.EmuWorkflowRun{}, testJobs)
	if _, err := collect(t, c, id); err != nil {
		t.Fatal(err)
	}
	api := fmt.Sprintf("/api/v3/repos/%s/%s/actions/runs/%d/logs", owner, repo, id)
	storage := e.gh.LogsStoragePath(owner, repo, id)
	if got := rt.auth[api]; !slices.Equal(got, []string{"Bearer " + e.gh.Token()}) {
		t.Errorf("the API request carried %q", got)
	}
	if got := rt.auth[storage]; !slices.Equal(got, []string{""}) {
		t.Errorf("the storage request carried %q, want no Authorization", got)
	}
}

func TestRunLogsExpired(t *testing.T) {
	e := newEnv(t)
	id := e.gh.AddWorkflowRun(owner, repo, "release.yml", testenv.EmuWorkflowRun{}, testJobs)
	e.gh.ExpireLogs(owner, repo, id)
	got, err := collect(t, e.c, id)
	if !errors.Is(err, ErrLogsExpired) || !strings.Contains(err.Error(), fmt.Sprintf("workflow run %d of %s/%s", id, owner, repo)) {
		t.Fatalf("err = %v, want ErrLogsExpired naming the run", err)
	}
	var ae *APIError
	if errors.As(err, &ae) || len(got.order) != 0 || len(e.recordedWaits()) != 0 {
		t.Fatalf("an expiry is final: %v, jobs %v, waits %v", err, got.order, e.recordedWaits())
	}
}

// TestRunLogsRetried: a failed download asks the API again for a fresh link; fn sees
// each job once.
func TestRunLogsRetried(t *testing.T) {
	for _, tc := range []struct {
		name  string
		where func(e *env, id int64) string
		fault testenv.Fault
	}{
		{"storage 503", storagePath, testenv.Status(http.StatusServiceUnavailable, "<Error><Code>ServerBusy</Code></Error>")},
		{"storage reset", storagePath, testenv.Reset()},
		{"API 502", logsPath, testenv.Status(http.StatusBadGateway, `{"message":"Server Error"}`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			id := e.gh.AddWorkflowRun(owner, repo, "release.yml", testenv.EmuWorkflowRun{}, testJobs)
			e.gh.Faults().Add(tc.where(e, id), tc.fault)
			got, err := collect(t, e.c, id)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.order, []string{"build", "publish"}) || len(e.recordedWaits()) != 1 {
				t.Fatalf("jobs %v, waits %v", got.order, e.recordedWaits())
			}
			if n := e.gh.Requests(http.MethodGet, logsPath(e, id)); n != 2 {
				t.Fatalf("%d requests for the link, want 2", n)
			}
		})
	}
}

func storagePath(e *env, id int64) string { return e.gh.LogsStoragePath(owner, repo, id) }

func logsPath(_ *env, id int64) string {
	return fmt.Sprintf("/api/v3/repos/%s/%s/actions/runs/%d/logs", owner, repo, id)
}

func TestRunLogsRefusals(t *testing.T) {
	e := newEnv(t)
	id := e.gh.AddWorkflowRun(owner, repo, "release.yml", testenv.EmuWorkflowRun{}, testJobs)
	var ae *APIError
	ignore := func(string, io.Reader) error { return nil }
	if err := e.c.RunLogs(context.Background(), owner, repo, id, nil); err == nil || e.gh.Requests(http.MethodGet, logsPath(e, id)) != 0 {
		t.Fatalf("a nil fn: %v", err)
	}

	err := e.c.RunLogs(context.Background(), owner, repo, 424242, ignore)
	if !errors.As(err, &ae) || ae.Status != http.StatusNotFound || !strings.Contains(ae.Fix(), "no logs for workflow run 424242 in octo-org/octo-repo") {
		t.Fatalf("unknown run: %v", err)
	}
	if err := e.c.RunLogs(context.Background(), owner, "../x", id, ignore); err == nil {
		t.Fatal("a bad repository name was accepted")
	}

	e.gh.Faults().Add(storagePath(e, id), testenv.Status(http.StatusOK, "this is not a zip archive"))
	if err := e.c.RunLogs(context.Background(), owner, repo, id, ignore); err == nil || !strings.Contains(err.Error(), "not a readable zip file") {
		t.Fatalf("garbage archive: %v", err)
	}

	sentinel := errors.New("stop here")
	var seen []string
	err = e.c.RunLogs(context.Background(), owner, repo, id, func(job string, r io.Reader) error {
		seen = append(seen, job)
		return sentinel
	})
	if !errors.Is(err, sentinel) || !strings.Contains(err.Error(), `job "build"`) || !slices.Equal(seen, []string{"build"}) {
		t.Fatalf("fn's error: %v after %v", err, seen)
	}

	e.gh.DenyPermission(logsPath(e, id), "actions=read")
	err = e.c.RunLogs(context.Background(), owner, repo, id, ignore)
	if !errors.As(err, &ae) || ae.Status != http.StatusForbidden || !strings.Contains(ae.Fix(), "actions: read") || strings.Contains(err.Error(), e.gh.Token()) {
		t.Fatalf("denied: %v", err)
	}
}

// TestRunLogsTempFile: the archive is spooled to a temporary file that is gone when
// RunLogs returns, whatever happened.
func TestRunLogsTempFile(t *testing.T) {
	e := newEnv(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	id := e.gh.AddWorkflowRun(owner, repo, "release.yml", testenv.EmuWorkflowRun{}, testJobs)
	spooled := 0
	for _, fnErr := range []error{nil, errors.New("fn failed")} {
		err := e.c.RunLogs(context.Background(), owner, repo, id, func(string, io.Reader) error {
			entries, _ := os.ReadDir(tmp)
			for _, en := range entries {
				if info, err := en.Info(); err == nil && strings.HasSuffix(en.Name(), ".zip") && info.Size() > 0 {
					spooled++
				}
			}
			return fnErr
		})
		if !errors.Is(err, fnErr) {
			t.Fatalf("RunLogs: %v", err)
		}
		if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
			t.Fatalf("left behind: %v", entries)
		}
	}
	e.gh.ExpireLogs(owner, repo, id)
	if err := e.c.RunLogs(context.Background(), owner, repo, id, func(string, io.Reader) error { return nil }); !errors.Is(err, ErrLogsExpired) {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 0 || spooled != 3 {
		t.Fatalf("left behind %v; the archive was seen in TMPDIR %d times, want 3", entries, spooled)
	}
}
