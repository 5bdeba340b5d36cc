package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The end-to-end tests drive the real binary, built once for the package.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "releaser-e2e-")
	if err != nil {
		panic(err)
	}
	// Built exactly as the GitHub Action builds it (scripts/action-build), so
	// every end-to-end test also proves the action's build step.
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "releaser-action", "bin", "releaser")
	build := exec.Command(filepath.Join(root, "scripts", "action-build"))
	build.Env = append(os.Environ(), "GITHUB_ACTION_PATH="+root, "RUNNER_TEMP="+dir, "GITHUB_PATH=")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		panic("building releaser with scripts/action-build: " + err.Error())
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	stdout, stderr string
	code           int
}

func (r result) all() string { return r.stdout + r.stderr }

// baseEnv is a clean, non-CI environment: tests must not inherit the CI
// variables of the machine running them.
func baseEnv() []string {
	env := []string{"HOME=" + os.Getenv("HOME"), "PATH=" + os.Getenv("PATH"), "LANG=C"}
	for _, k := range []string{"GOPATH", "GOCACHE", "GOMODCACHE", "GOFLAGS", "GOPROXY", "TMPDIR"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return env
}

func runBin(t *testing.T, dir string, env []string, args ...string) result {
	t.Helper()
	return runCmd(t, dir, env, binary, args...)
}

// runCmd runs a program in the clean environment plus env; a non-zero exit
// is a result, anything else that stops it a test failure.
func runCmd(t *testing.T, dir string, env []string, prog string, args ...string) result {
	t.Helper()
	cmd := exec.Command(prog, args...)
	cmd.Dir = dir
	cmd.Env = append(baseEnv(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run releaser: %v", err)
	}
	return result{stdout: stdout.String(), stderr: stderr.String(), code: code}
}

func gitRun(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(baseEnv(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.org",
		"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.org",
		"GIT_AUTHOR_DATE=2024-05-06T07:08:09Z", "GIT_COMMITTER_DATE=2024-05-06T07:08:09Z")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// project is a small git repository whose build writes three artifacts with
// plain shell tools, tagged v1.0.0.
type project struct {
	dir string
	t   *testing.T
}

const projectConfig = `[project]
name = "demo"
version = "1.0.0"

[build]
artifacts = ["*.tar.gz", "*.txt"]
strip_env = ["MY_SECRET"]

[[build.command]]
name = "package"
shell = "mkdir -p dist && tar -C src -czf dist/demo-1.0.0.tar.gz . && cp src/notes.txt dist/ && env > \"$RELEASER_OUTPUT_DIR/../build-env.log\""

[[build.command]]
argv = ["sh", "-c", "printf 'hello from argv\\n' > dist/hello.txt"]
`

func newProject(t *testing.T, config string) *project {
	t.Helper()
	dir := t.TempDir()
	gitRun(t, dir, "init", "-q", "-b", "main")
	gitRun(t, dir, "config", "commit.gpgsign", "false")
	gitRun(t, dir, "config", "tag.gpgsign", "false")
	p := &project{dir: dir, t: t}
	p.write("release.toml", config)
	p.write(".gitignore", "dist/\n.releaser/\nbuild-env.log\n")
	p.write("src/notes.txt", "release notes\n")
	p.write("src/main.c", "int main(void) { return 0; }\n")
	gitRun(t, dir, "add", "-A")
	gitRun(t, dir, "commit", "-q", "-m", "initial")
	gitRun(t, dir, "tag", "-a", "-m", "v1.0.0", "v1.0.0")
	return p
}

func (p *project) write(rel, content string) {
	p.t.Helper()
	path := filepath.Join(p.dir, rel)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		p.t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		p.t.Fatal(err)
	}
}

func (p *project) path(rel string) string { return filepath.Join(p.dir, rel) }

func (p *project) exists(rel string) bool {
	_, err := os.Stat(p.path(rel))
	return err == nil
}

func (p *project) read(rel string) string {
	p.t.Helper()
	b, err := os.ReadFile(p.path(rel))
	if err != nil {
		p.t.Fatal(err)
	}
	return string(b)
}

// withoutLines drops the lines of out that start with one of prefixes: the
// ::add-mask:: lines that must name a token to hide it, the audit mirror.
func withoutLines(out string, prefixes ...string) string {
	var b strings.Builder
	for _, l := range strings.Split(out, "\n") {
		keep := true
		for _, p := range prefixes {
			keep = keep && !strings.HasPrefix(l, p)
		}
		if keep {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}
