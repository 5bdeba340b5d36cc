package git

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// newRepo makes a repository with one commit and an annotated tag v1.0.0.
func newRepo(t *testing.T) Repo {
	t.Helper()
	dir := t.TempDir()
	for _, args := range [][]string{
		{"init", "-q", "-b", "main"},
		{"config", "user.email", "t@example.org"},
		{"config", "user.name", "t"},
		{"config", "commit.gpgsign", "false"},
		{"config", "tag.gpgsign", "false"},
	} {
		gitCmd(t, dir, args...)
	}
	if err := os.WriteFile(filepath.Join(dir, "a.txt"), []byte("a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	gitCmd(t, dir, "add", "a.txt")
	gitCmd(t, dir, "commit", "-q", "-m", "one")
	gitCmd(t, dir, "tag", "-a", "-m", "release", "v1.0.0")
	return Repo{Dir: dir}
}

func gitCmd(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_DATE=2024-01-02T03:04:05Z", "GIT_COMMITTER_DATE=2024-01-02T03:04:05Z")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

func TestRepo(t *testing.T) {
	ctx := context.Background()
	r := newRepo(t)
	head, err := r.Head(ctx)
	if err != nil || len(head) != 40 {
		t.Fatalf("Head = %q, %v", head, err)
	}
	c, ok, err := r.TagCommit(ctx, "v1.0.0")
	if err != nil || !ok || c != head {
		t.Fatalf("TagCommit(v1.0.0) = %q, %v, %v; want HEAD %s (annotated tag peeled)", c, ok, err, head)
	}
	if _, ok, err := r.TagCommit(ctx, "v9"); ok || err != nil {
		t.Fatalf("missing tag: ok=%v err=%v", ok, err)
	}
	if d, err := r.Dirty(ctx); err != nil || len(d) != 0 {
		t.Fatalf("clean tree reported dirty: %v %v", d, err)
	}
	if err := os.WriteFile(filepath.Join(r.Dir, "b.txt"), []byte("b"), 0o644); err != nil {
		t.Fatal(err)
	}
	if d, err := r.Dirty(ctx); err != nil || len(d) != 1 || d[0] != "?? b.txt" {
		t.Fatalf("untracked file: %q %v", d, err)
	}
	if tr, err := r.Tracked(ctx, "a.txt"); err != nil || len(tr) != 1 {
		t.Fatalf("Tracked = %v %v", tr, err)
	}
	ct, err := r.CommitTime(ctx)
	if err != nil || ct.Unix() != 1704164645 {
		t.Fatalf("CommitTime = %v %v", ct, err)
	}
}

func TestNotRepo(t *testing.T) {
	_, err := Repo{Dir: t.TempDir()}.Head(context.Background())
	if !errors.Is(err, ErrNotRepo) {
		t.Fatalf("want ErrNotRepo, got %v", err)
	}
}
