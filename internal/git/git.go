// Package git answers the few questions releaser asks of the work tree, by
// running the git command line (the one the user's CI already trusts).
package git

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// Repo is a git work tree.
type Repo struct {
	Dir string
}

// ErrNotRepo is returned when Dir is not inside a git work tree.
var ErrNotRepo = errors.New("not a git work tree")

// exitError carries git's exit status so callers can tell "no" from "broken".
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

func (r Repo) run(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = r.Dir
	// A user's system config must not change what these plumbing commands print.
	cmd.Env = append(cmd.Environ(), "GIT_CONFIG_NOSYSTEM=1", "LC_ALL=C", "GIT_TERMINAL_PROMPT=0")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if errors.Is(err, exec.ErrNotFound) {
			return "", fmt.Errorf("git is not installed or not on PATH: %w", err)
		}
		if strings.Contains(msg, "not a git repository") {
			return "", fmt.Errorf("%s: %w", r.Dir, ErrNotRepo)
		}
		code := -1
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		}
		return "", &exitError{code: code, msg: fmt.Sprintf("git %s: %v: %s", strings.Join(args, " "), err, msg)}
	}
	return strings.TrimRight(stdout.String(), "\n"), nil
}

// Top returns the root of the work tree.
func (r Repo) Top(ctx context.Context) (string, error) {
	return r.run(ctx, "rev-parse", "--show-toplevel")
}

// Head returns the full commit id HEAD points at.
func (r Repo) Head(ctx context.Context) (string, error) {
	return r.run(ctx, "rev-parse", "--verify", "HEAD^{commit}")
}

// TagCommit returns the commit a tag points at (peeling annotated tags), or
// ok=false when the tag does not exist.
func (r Repo) TagCommit(ctx context.Context, tag string) (commit string, ok bool, err error) {
	out, err := r.run(ctx, "rev-parse", "--verify", "--quiet", "refs/tags/"+tag+"^{commit}")
	var ee *exitError
	if errors.As(err, &ee) && ee.code == 1 {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return out, true, nil
}

// Dirty lists changed and untracked, not ignored, paths (git status --porcelain).
func (r Repo) Dirty(ctx context.Context) ([]string, error) {
	out, err := r.run(ctx, "status", "--porcelain", "--untracked-files=normal")
	if err != nil || out == "" {
		return nil, err
	}
	return strings.Split(out, "\n"), nil
}

// Tracked lists files git tracks under path.
func (r Repo) Tracked(ctx context.Context, path string) ([]string, error) {
	out, err := r.run(ctx, "ls-files", "--", path)
	if err != nil || out == "" {
		return nil, err
	}
	return strings.Split(out, "\n"), nil
}

// CommitTime is the committer time of HEAD, the natural SOURCE_DATE_EPOCH.
func (r Repo) CommitTime(ctx context.Context) (time.Time, error) {
	out, err := r.run(ctx, "log", "-1", "--format=%ct", "HEAD")
	if err != nil {
		return time.Time{}, err
	}
	sec, err := strconv.ParseInt(out, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("git log: unexpected commit time %q", out)
	}
	return time.Unix(sec, 0).UTC(), nil
}
