//go:build releaserbench

package benchkit

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Project makes dir a git repository holding release.toml (config) and a
// .gitignore for releaser's directories, committed and tagged tag, and
// returns the commit.
func Project(t testing.TB, dir, config, tag string) string {
	t.Helper()
	Must(t, os.MkdirAll(dir, 0o755))
	Must(t, os.WriteFile(filepath.Join(dir, "release.toml"), []byte(config), 0o644))
	return Commit(t, dir, tag)
}

// Commit makes dir, holding a project, a git repository with a .gitignore
// for releaser's directories, commits everything (at a fixed date: the
// builds' SOURCE_DATE_EPOCH), tags it tag (annotated) and returns the
// commit.
func Commit(t testing.TB, dir, tag string) string {
	t.Helper()
	Must(t, os.WriteFile(filepath.Join(dir, ".gitignore"), []byte("dist/\n.releaser/\n"), 0o644))
	for _, args := range [][]string{
		{"init", "-q", "-b", "main"},
		{"add", "-A"},
		{"-c", "commit.gpgsign=false", "commit", "-q", "-m", "release " + tag},
		{"-c", "tag.gpgsign=false", "tag", "-a", "-m", tag, tag},
	} {
		git(t, dir, args...)
	}
	return git(t, dir, "rev-parse", "HEAD")
}

func git(t testing.TB, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=bench", "GIT_AUTHOR_EMAIL=bench@example.org",
		"GIT_COMMITTER_NAME=bench", "GIT_COMMITTER_EMAIL=bench@example.org",
		"GIT_AUTHOR_DATE=2024-05-06T07:08:09Z", "GIT_COMMITTER_DATE=2024-05-06T07:08:09Z")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// Environ is the calling environment plus extra, for a releaser process:
// bench/run may itself run inside CI, whose variables must not leak into
// a run that is meant to look local (or like the emulated job).
func Environ(extra map[string]string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "GITHUB_") || strings.HasPrefix(k, "ACTIONS_") || strings.HasPrefix(k, "RUNNER_") || k == "CI" || k == "GITLAB_CI" {
			continue
		}
		env = append(env, kv)
	}
	for k, v := range extra {
		env = append(env, k+"="+v)
	}
	return env
}
