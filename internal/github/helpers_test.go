package github

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/releaserhq/releaser/internal/testenv"
)

const (
	owner = "octo-org"
	repo  = "octo-repo"
)

// env is a GitHub emulator with one repository and a client for it whose waits are
// recorded instead of slept.
type env struct {
	t  *testing.T
	gh *testenv.GitHub
	c  *Client

	mu      sync.Mutex
	waits   []time.Duration
	retries []RetryInfo
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{t: t, gh: testenv.NewGitHub(t)}
	e.gh.AddRepo(owner, repo)
	e.c = e.client(e.gh.Token())
	return e
}

// client builds a client with token whose retries do not sleep.
func (e *env) client(token string) *Client {
	e.t.Helper()
	c, err := New(e.gh.APIURL(), token, nil, "releaser-tests")
	if err != nil {
		e.t.Fatalf("New: %v", err)
	}
	c.sleep = func(ctx context.Context, d time.Duration) error {
		e.mu.Lock()
		e.waits = append(e.waits, d)
		e.mu.Unlock()
		return ctx.Err()
	}
	c.SetRetry(RetryPolicy{OnRetry: func(ri RetryInfo) {
		e.mu.Lock()
		e.retries = append(e.retries, ri)
		e.mu.Unlock()
	}})
	return c
}

func (e *env) recordedWaits() []time.Duration {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]time.Duration(nil), e.waits...)
}

// draft creates (or finds) the draft release v1.2.3.
func (e *env) draft() *Release {
	e.t.Helper()
	rel, err := e.c.DraftRelease(context.Background(), owner, repo, "v1.2.3", "v1.2.3", "notes", false)
	if err != nil {
		e.t.Fatalf("DraftRelease: %v", err)
	}
	return rel
}

// file writes data to a temp file and returns its path and sha256.
func (e *env) file(name string, data []byte) (path, sum string) {
	e.t.Helper()
	path = filepath.Join(e.t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		e.t.Fatal(err)
	}
	s := sha256.Sum256(data)
	return path, hex.EncodeToString(s[:])
}

// assets is the release's assets as the emulator holds them.
func (e *env) assets(id int64) []testenv.EmuAsset {
	for _, r := range e.gh.Releases(owner, repo) {
		if r.ID == id {
			return r.Assets
		}
	}
	e.t.Fatalf("no release %d", id)
	return nil
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
