package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/releaserhq/releaser/internal/scaffold"
	"github.com/releaserhq/releaser/internal/stages"
	"github.com/releaserhq/releaser/internal/testenv"
	"github.com/releaserhq/releaser/internal/workflowlint"
)

// TestInitProjects: releaser init on a Python, npm, Rust and Ruby project
// writes a workflow that the lint refuses until the releaser pin is filled in
// and accepts afterwards, and a release.toml whose dry-run check passes.
func TestInitProjects(t *testing.T) {
	const sha = "0123456789abcdef0123456789abcdef01234567"
	for _, kind := range []string{"python", "npm", "rust", "ruby"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			testenv.CopyTree(t, filepath.Join("..", "..", "internal", "scaffold", "testdata", "projects", kind), dir)
			gitRun(t, dir, "init", "-q", "-b", "main")
			gitRun(t, dir, "config", "commit.gpgsign", "false")
			gitRun(t, dir, "remote", "add", "origin", "https://github.com/octo-org/"+kind+"-project.git")
			os.WriteFile(filepath.Join(dir, ".gitignore"), []byte("dist/\n.releaser/\ntarget/\n"), 0o644)

			res := runBin(t, dir, nil, "init", "--json")
			if res.code != 0 {
				t.Fatalf("init: exit %d\n%s", res.code, res.all())
			}
			var out initResult
			if err := json.Unmarshal([]byte(res.stdout), &out); err != nil {
				t.Fatalf("init --json: %v\n%s", err, res.stdout)
			}
			if strings.Join(out.Kinds, ",") != kind || strings.Join(out.Written, ",") != "release.toml,.github/workflows/release.yml" {
				t.Errorf("init found %v, wrote %v", out.Kinds, out.Written)
			}
			wf := filepath.Join(dir, ".github", "workflows", "release.yml")
			before, _ := os.ReadFile(wf)

			// Never overwrite without --force.
			os.WriteFile(wf, []byte("# mine\n"), 0o644)
			if res := runBin(t, dir, nil, "init"); res.code == 0 || !strings.Contains(res.all(), "--force") {
				t.Errorf("init over existing files: exit %d\n%s", res.code, res.all())
			}
			if b, _ := os.ReadFile(wf); string(b) != "# mine\n" {
				t.Errorf("init overwrote a file without --force")
			}
			if res := runBin(t, dir, nil, "init", "--force"); res.code != 0 {
				t.Fatalf("init --force: exit %d\n%s", res.code, res.all())
			}
			if b, _ := os.ReadFile(wf); string(b) != string(before) {
				t.Errorf("init --force wrote something else than init")
			}

			// The placeholder is refused, with its line, until filled in.
			res = runBin(t, dir, nil, "lint-workflow", "--json")
			var lint lintResult
			if err := json.Unmarshal([]byte(res.stdout), &lint); err != nil {
				t.Fatalf("lint-workflow --json: %v\n%s", err, res.all())
			}
			if res.code != 1 || len(lint.Findings) != 2 {
				t.Fatalf("lint of the unfilled workflow: exit %d, findings %+v", res.code, lint.Findings)
			}
			lines := strings.Split(string(before), "\n")
			for _, f := range lint.Findings {
				if f.Rule != "unpinned-uses" || f.Severity != workflowlint.SeverityError || f.Line < 1 || f.Line > len(lines) ||
					!strings.Contains(lines[f.Line-1], scaffold.Placeholder) || !strings.Contains(f.Message, "placeholder") {
					t.Errorf("finding %+v (line: %q)", f, lines[max(0, min(f.Line-1, len(lines)-1))])
				}
			}
			gitRun(t, dir, "add", "-A")
			gitRun(t, dir, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "release setup")
			if res := runBin(t, dir, nil, "check", "--json"); res.code != 1 || checkStatus(t, res.stdout, stages.CodeExchangeWorkflowLint) != stages.StatusFailed {
				t.Errorf("check with the unfilled workflow: exit %d\n%s", res.code, res.all())
			}

			// What the user does: the SHA of the chosen version, and the
			// version in the comment.
			filled := strings.ReplaceAll(string(before), scaffold.Placeholder+" # "+releaserVersion(), sha+" # v1.0.0")
			os.WriteFile(wf, []byte(filled), 0o644)
			gitRun(t, dir, "add", "-A")
			gitRun(t, dir, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "pin releaser")
			if res := runBin(t, dir, nil, "lint-workflow"); res.code != 0 || !strings.Contains(res.stdout, "no findings") {
				t.Errorf("lint of the filled-in workflow: exit %d\n%s", res.code, res.all())
			}

			// release.toml passes the doctor in dry-run terms: nothing failed.
			res = runBin(t, dir, nil, "check", "--json")
			var chk runResult
			if err := json.Unmarshal([]byte(res.stdout), &chk); err != nil {
				t.Fatalf("check --json: %v\n%s", err, res.all())
			}
			for _, s := range chk.Stages {
				for _, c := range s.Checks {
					if c.Status == stages.StatusFailed {
						t.Errorf("check: %s %s [%s] failed: %s — %s", s.Name, c.Name, c.Code, c.Detail, c.Fix)
					}
					if c.Code == stages.CodeExchangeWorkflowLint && c.Status != stages.StatusOK {
						t.Errorf("workflow lint in check: %+v", c)
					}
				}
			}
			if res.code != 0 {
				t.Errorf("check: exit %d\n%s", res.code, res.stderr)
			}
		})
	}
}

// TestLintWorkflowCommand: exit codes and output of the command itself; the
// rules are tested in internal/workflowlint.
func TestLintWorkflowCommand(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(content), 0o644)
		return p
	}
	bad := write("bad.yml", `on: pull_request_target
permissions: {}
jobs:
  x:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
`)
	res := runBin(t, dir, nil, "lint-workflow", bad)
	for _, want := range []string{"bad.yml:1:5", "dangerous-triggers", "bad.yml:7:15", "unpinned-uses", "why:", "fix:"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, res.all())
		}
	}
	if res.code != 1 || !strings.Contains(res.stderr, "error(s)") {
		t.Errorf("exit %d\n%s", res.code, res.all())
	}
	notYAML := write("not.yml", "jobs: [\n")
	if res := runBin(t, dir, nil, "lint-workflow", notYAML); res.code != 2 || !strings.Contains(res.stderr, "not.yml") {
		t.Errorf("invalid YAML: exit %d\n%s", res.code, res.all())
	}
	if res := runBin(t, dir, nil, "lint-workflow"); res.code != 2 || !strings.Contains(res.stderr, "releaser init") {
		t.Errorf("no workflow: exit %d\n%s", res.code, res.all())
	}
}

// checkStatus is the status of the check with code in a check --json output.
func checkStatus(t *testing.T, out, code string) stages.Status {
	t.Helper()
	var chk runResult
	if err := json.Unmarshal([]byte(out), &chk); err != nil {
		t.Fatalf("check --json: %v\n%s", err, out)
	}
	for _, s := range chk.Stages {
		for _, c := range s.Checks {
			if c.Code == code {
				return c.Status
			}
		}
	}
	return ""
}
