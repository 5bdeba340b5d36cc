package github

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"

	gogithub "github.com/google/go-github/v60/github"
)

// ErrLogsExpired is what RunLogs returns (wrapped with the run) when GitHub answers 410
// Gone: the run is still listed but its logs are past the repository's retention
// period (90 days unless changed) or were deleted.
var ErrLogsExpired = errors.New("its logs have expired or were deleted (GitHub keeps run logs for the repository's retention period, 90 days by default)")

// RunLogs downloads the log archive of workflow run runID of owner/repo and calls fn
// for every job's log in it, in the order GitHub numbered the jobs, with job the job's
// name as the archive spells it (GitHub drops "/" and ":" and cuts long names). r
// streams the job's log as GitHub wrote it: lines that each start with a timestamp
// ("2026-11-25T10:00:00.1234567Z "), the first possibly behind a byte order mark.
//
// The archive goes to a temporary file, never into memory, and is deleted before
// RunLogs returns. The API answers with a redirect to a pre-signed storage URL, which
// is fetched without the token (it needs none and must never see it). Failed downloads
// are retried with a fresh redirect (GitHub's expires after a minute); fn runs only
// after the whole archive arrived, once per job. An error from fn ends RunLogs with
// that error, wrapped with the run and job. A 410 is ErrLogsExpired.
func (c *Client) RunLogs(ctx context.Context, owner, repo string, runID int64, fn func(job string, r io.Reader) error) error {
	if err := checkRun(owner, repo, runID); err != nil {
		return err
	}
	if fn == nil {
		return errors.New("GitHub: RunLogs needs a function to hand the job logs to")
	}
	ep := endpoint{need: "actions: read", missing: fmt.Sprintf("GitHub has no logs for workflow run %d in %s/%s: check the run id and "+
		"the repository; a token without access to the repository also sees 404", runID, owner, repo)}
	op := fmt.Sprintf("download the logs of workflow run %d of %s/%s", runID, owner, repo)
	f, err := os.CreateTemp("", "releaser-run-logs-*.zip")
	if err != nil {
		return fmt.Errorf("GitHub: %s: %w", op, err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	err = c.withRetry(ctx, op, func(ctx context.Context, _ int) error {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return err
		}
		if err := f.Truncate(0); err != nil {
			return err
		}
		return c.fetchRunLogs(ctx, owner, repo, runID, f)
	})
	if errors.Is(err, ErrLogsExpired) {
		return fmt.Errorf("GitHub: workflow run %d of %s/%s: %w", runID, owner, repo, err)
	}
	if err != nil {
		return ep.annotate(err)
	}
	size, err := f.Seek(0, io.SeekCurrent)
	if err != nil {
		return fmt.Errorf("GitHub: %s: %w", op, err)
	}
	zr, err := zip.NewReader(f, size)
	if err != nil {
		return fmt.Errorf("GitHub: %s: the archive (%d bytes) is not a readable zip file: %w", op, size, err)
	}
	for _, jl := range jobLogs(zr) {
		r := jl.open()
		err := fn(jl.name, r)
		r.Close()
		if err != nil {
			return fmt.Errorf("workflow run %d of %s/%s, job %q: %w", runID, owner, repo, jl.name, err)
		}
	}
	return nil
}

// fetchRunLogs asks the API where the archive is and downloads it into dst. The API
// request goes through a client that never follows redirects: the token rides on every
// request the go-github transport sends, so following the redirect would hand it to
// the storage host (the client's same-origin rule does not help: GitHub Enterprise
// Server may store logs on its own origin).
func (c *Client) fetchRunLogs(ctx context.Context, owner, repo string, runID int64, dst io.Writer) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	guard := newStallGuard(c.stall, cancel)
	defer guard.stop()
	req, err := c.bulk.NewRequest("GET", fmt.Sprintf("%s/actions/runs/%d/logs", repoPath(owner, repo), runID), nil)
	if err != nil {
		return err
	}
	hc := c.bulk.Client()
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := hc.Do(req.WithContext(ctx))
	if err != nil {
		return stalledOr(ctx, err)
	}
	defer resp.Body.Close()
	body := resp.Body
	switch {
	case resp.StatusCode == http.StatusGone:
		return ErrLogsExpired
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		loc, err := resp.Location()
		if err != nil {
			return &transportError{msg: "GitHub answered the logs request with a redirect without a usable Location"}
		}
		rc, err := c.fetchStorage(ctx, loc.String())
		if err != nil {
			return stalledOr(ctx, err)
		}
		defer rc.Close()
		body = rc
	case resp.StatusCode == http.StatusOK:
		// The archive itself, without a redirect (UNCONFIRMED that any GitHub does
		// this; the docs promise a 302).
	default:
		return gogithub.CheckResponse(resp)
	}
	n, err := io.Copy(dst, &meteredReader{r: body, guard: guard, size: math.MaxInt64})
	if err != nil {
		return stalledOr(ctx, &transportError{msg: "reading the log archive: " + unwrapURL(err).Error()})
	}
	if n == 0 {
		return &transportError{msg: "the log archive arrived empty"}
	}
	return nil
}
