package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/releaserhq/releaser/internal/artifact"
	"github.com/releaserhq/releaser/internal/audit"
	"github.com/releaserhq/releaser/internal/stages"
)

const manifestRel = "dist/releaser-manifest.json"

// TestExampleDryRun is the README's first command on the shipped example.
func TestExampleDryRun(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	// --allow-dirty: a developer's checkout may have uncommitted work; CI's
	// fresh clone is clean either way.
	res := runBin(t, root, nil, "run", "--dry-run", "--allow-dirty", "--config", "release.toml.example", "--json")
	if res.code != 0 {
		t.Fatalf("exit %d\n%s", res.code, res.all())
	}
	var out runResult
	if err := json.Unmarshal([]byte(res.stdout), &out); err != nil {
		t.Fatalf("--json output is not JSON: %v\n%s", err, res.stdout)
	}
	var names []string
	for _, s := range out.Stages {
		names = append(names, s.Name+"="+s.Result)
	}
	want := "build=dry run attest=dry run approve=dry run exchange=dry run publish=dry run finalize=dry run"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("stages:\n got %s\nwant %s", got, want)
	}
	m, err := artifact.ReadFile(out.Manifest)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[artifact.Kind]bool{}
	for _, a := range m.Artifacts {
		kinds[a.Kind] = true
		if sum := sha256sum(t, filepath.Join(filepath.Dir(out.Manifest), a.Path)); sum != "" && sum != a.Digests.SHA256 {
			t.Errorf("%s: manifest sha256 %s, sha256sum says %s", a.Name, a.Digests.SHA256, sum)
		}
	}
	for _, k := range []artifact.Kind{artifact.KindWheel, artifact.KindSdist, artifact.KindNpm, artifact.KindCrate, artifact.KindGem} {
		if !kinds[k] {
			t.Errorf("the example has no %s artifact", k)
		}
	}
	if _, err := audit.VerifyFile(out.AuditLog); err != nil {
		t.Errorf("audit log chain: %v", err)
	}

	// The dry run's provenance is signed with an ephemeral key: releaser
	// verify accepts it only when told it is a local bundle.
	var arts []string
	for _, a := range m.Artifacts {
		arts = append(arts, filepath.Join(filepath.Dir(out.Manifest), a.Path))
	}
	if res := runBin(t, root, nil, append([]string{"verify", "--config", "release.toml.example", "--allow-local"}, arts...)...); res.code != 0 {
		t.Errorf("verify --allow-local of the dry run's bundle: exit %d\n%s", res.code, res.all())
	}
	if res := runBin(t, root, nil, "verify", "--config", "release.toml.example", arts[0]); res.code == 0 || !strings.Contains(res.stdout, "signed locally") {
		t.Errorf("verify without --allow-local accepted a local bundle: exit %d\n%s", res.code, res.all())
	}
}

// sha256sum asks the coreutils tool, as an independent implementation; ""
// when it is not installed.
func sha256sum(t *testing.T, path string) string {
	t.Helper()
	if _, err := exec.LookPath("sha256sum"); err != nil {
		return ""
	}
	out, err := exec.Command("sha256sum", path).Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.Fields(string(out))[0]
}

func TestRunBuildAtTag(t *testing.T) {
	p := newProject(t, projectConfig)
	res := runBin(t, p.dir, []string{"MY_SECRET=canary-my-secret-0001"}, "run", "--to", "build", "--tag", "v1.0.0")
	if res.code != 0 {
		t.Fatalf("exit %d\n%s", res.code, res.all())
	}
	m, err := artifact.ReadFile(p.path(manifestRel))
	if err != nil {
		t.Fatal(err)
	}
	head := gitRun(t, p.dir, "rev-parse", "HEAD")
	if m.Release.Tag != "v1.0.0" || m.Release.Commit != head || m.Release.Version != "1.0.0" {
		t.Errorf("manifest release = %+v, want tag v1.0.0 at %s", m.Release, head)
	}
	if len(m.Artifacts) != 3 {
		t.Errorf("artifacts: %+v", m.Artifacts)
	}
	for _, a := range m.Artifacts {
		if sum := sha256sum(t, p.path("dist/"+a.Path)); sum != "" && sum != a.Digests.SHA256 {
			t.Errorf("%s: sha256 %s, sha256sum %s", a.Name, a.Digests.SHA256, sum)
		}
	}
	buildEnv := p.read("build-env.log")
	if !strings.Contains(buildEnv, "SOURCE_DATE_EPOCH=1714979289") {
		t.Errorf("build did not get SOURCE_DATE_EPOCH from the commit time")
	}
	if strings.Contains(buildEnv, "MY_SECRET") {
		t.Errorf("strip_env variable reached the build")
	}
	if _, err := audit.VerifyFile(p.path(".releaser/audit.jsonl")); err != nil {
		t.Errorf("audit chain: %v", err)
	}
	// --to build ran only the build stage.
	if strings.Contains(res.all(), "== attest") {
		t.Errorf("--to build ran later stages:\n%s", res.stdout)
	}
}

// TestSecretsStrippedFromBuild plants canary credentials in every variable a
// CI job could hold and checks none reaches the build or any output.
func TestSecretsStrippedFromBuild(t *testing.T) {
	p := newProject(t, projectConfig)
	canaries := map[string]string{
		"ACTIONS_ID_TOKEN_REQUEST_TOKEN": "canary-idtoken-request-token-1",
		"ACTIONS_ID_TOKEN_REQUEST_URL":   "https://canary.invalid/idtoken?x=canary-url-2",
		"ACTIONS_RUNTIME_TOKEN":          "canary-runtime-token-3",
		"GITHUB_TOKEN":                   "ghs_canaryGithubToken4",
		"GH_TOKEN":                       "gho_canaryGhToken5",
		"PYPI_ID_TOKEN":                  "canary-gitlab-id-token-6",
		"MY_SECRET":                      "canary-config-secret-7",
	}
	var env []string
	for k, v := range canaries {
		env = append(env, k+"="+v)
	}
	res := runBin(t, p.dir, env, "run", "--to", "build", "--tag", "v1.0.0")
	if res.code != 0 {
		t.Fatalf("exit %d\n%s", res.code, res.all())
	}
	outputs := map[string]string{
		"stdout": res.stdout, "stderr": res.stderr,
		"build environment": p.read("build-env.log"),
		"manifest":          p.read(manifestRel),
		"audit log":         p.read(".releaser/audit.jsonl"),
	}
	for name, content := range outputs {
		for k, v := range canaries {
			if strings.Contains(content, v) {
				t.Errorf("%s leaked into %s", k, name)
			}
		}
	}
}

// TestBadInput: each mistake exits non-zero with a message naming where it is
// and the fix, and leaves no manifest behind.
func TestBadInput(t *testing.T) {
	tests := []struct {
		name   string
		setup  func(p *project) []string // returns extra args
		code   int
		output []string // substrings the output must contain
	}{
		{
			name: "unknown key",
			setup: func(p *project) []string {
				p.write("release.toml", strings.Replace(projectConfig, "[build]\n", "[build]\noutputdir = \"out\"\n", 1))
				return nil
			},
			code:   2,
			output: []string{"release.toml:6: build.outputdir: unknown key", `did you mean "output_dir"`},
		},
		{
			name: "wrong type",
			setup: func(p *project) []string {
				p.write("release.toml", strings.Replace(projectConfig, `version = "1.0.0"`, "version = 1.0", 1))
				return nil
			},
			code:   2,
			output: []string{"release.toml:3: project.version: wrong type: got a float, want a string"},
		},
		{
			name: "artifact glob escapes",
			setup: func(p *project) []string {
				p.write("release.toml", strings.Replace(projectConfig, `"*.txt"]`, `"../*.txt"]`, 1))
				return nil
			},
			code:   2,
			output: []string{"release.toml:6: build.artifacts[1]", "escapes output_dir"},
		},
		{
			name: "glob matches nothing",
			setup: func(p *project) []string {
				p.write("release.toml", strings.Replace(projectConfig, `"*.txt"]`, `"*.txt", "*.gem"]`, 1))
				gitCommitAll(t, p)
				return nil
			},
			code:   1,
			output: []string{`"*.gem" matched nothing`},
		},
		{
			name: "symlinked artifact",
			setup: func(p *project) []string {
				p.write("release.toml", strings.Replace(projectConfig, `argv = ["sh", "-c", "printf 'hello from argv\\n' > dist/hello.txt"]`,
					`argv = ["ln", "-s", "/etc/hostname", "dist/hello.txt"]`, 1))
				gitCommitAll(t, p)
				return nil
			},
			code:   1,
			output: []string{"hello.txt", "symlink"},
		},
		{
			name: "dirty tree",
			setup: func(p *project) []string {
				p.write("src/main.c", "int main(void) { return 1; }\n")
				return nil
			},
			code:   1,
			output: []string{"work tree is clean", "src/main.c", "commit or stash"},
		},
		{
			name: "tag does not match version",
			setup: func(p *project) []string {
				gitRun(t, p.dir, "tag", "-a", "-m", "v1.0.1", "v1.0.1")
				return []string{"--tag", "v1.0.1"}
			},
			code:   1,
			output: []string{"tag v1.0.1 names version 1.0.1, but the project version is 1.0.0"},
		},
		{
			name: "HEAD not at tag",
			setup: func(p *project) []string {
				p.write("src/extra.txt", "x\n")
				gitRun(t, p.dir, "add", "-A")
				gitRun(t, p.dir, "commit", "-q", "-m", "after the tag")
				return nil
			},
			code:   1,
			output: []string{"tag v1.0.0 is at", "git checkout v1.0.0"},
		},
		{
			name: "build command fails",
			setup: func(p *project) []string {
				p.write("release.toml", projectConfig+"\n[[build.command]]\nargv = [\"false\"]\n")
				gitCommitAll(t, p)
				return nil
			},
			code:   1,
			output: []string{"build command #3 (false) failed"},
		},
		{
			name: "missing program",
			setup: func(p *project) []string {
				p.write("release.toml", projectConfig+"\n[[build.command]]\nargv = [\"no-such-tool-xyz\"]\n")
				gitCommitAll(t, p)
				return nil
			},
			code:   1,
			output: []string{"no-such-tool-xyz: not found on PATH", "install no-such-tool-xyz"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newProject(t, projectConfig)
			// A manifest from an earlier build must not survive a failed one.
			ok := runBin(t, p.dir, nil, "run", "--to", "build", "--tag", "v1.0.0")
			if ok.code != 0 {
				t.Fatalf("first build: %s", ok.all())
			}
			extra := tt.setup(p)
			args := append([]string{"run", "--to", "build"}, extra...)
			if len(extra) == 0 {
				args = append(args, "--tag", "v1.0.0")
			}
			res := runBin(t, p.dir, nil, args...)
			if res.code != tt.code {
				t.Fatalf("exit %d, want %d\n%s", res.code, tt.code, res.all())
			}
			for _, s := range tt.output {
				if !strings.Contains(res.all(), s) {
					t.Errorf("output lacks %q:\n%s", s, res.all())
				}
			}
			if tt.code == 1 && strings.Contains(res.all(), "== build") && !strings.Contains(res.all(), "precondition") {
				// The build ran and failed: the old manifest must be gone.
				if p.exists(manifestRel) {
					t.Errorf("a manifest survived the failed build")
				}
			}
		})
	}
}

func gitCommitAll(t *testing.T, p *project) {
	t.Helper()
	gitRun(t, p.dir, "add", "-A")
	gitRun(t, p.dir, "commit", "-q", "-m", "change")
	gitRun(t, p.dir, "tag", "-f", "-a", "-m", "v1.0.0", "v1.0.0")
}

// TestAuditTamper: an edited, deleted or reordered line is found, with its
// line number, both by `releaser audit` and by a run that would append.
func TestAuditTamper(t *testing.T) {
	p := newProject(t, projectConfig)
	if res := runBin(t, p.dir, nil, "run", "--to", "build", "--tag", "v1.0.0"); res.code != 0 {
		t.Fatal(res.all())
	}
	logPath := p.path(".releaser/audit.jsonl")
	orig := p.read(".releaser/audit.jsonl")
	lines := strings.SplitAfter(strings.TrimSuffix(orig, "\n"), "\n")
	if len(lines) < 5 {
		t.Fatalf("audit log too short: %d lines", len(lines))
	}
	if res := runBin(t, p.dir, nil, "audit", logPath); res.code != 0 {
		t.Fatalf("intact log refused: %s", res.all())
	}
	tests := []struct {
		name   string
		mutate func([]string) []string
		line   string
	}{
		{"edited", func(l []string) []string {
			l[2] = strings.Replace(l[2], `"stage":"build"`, `"stage":"bui1d"`, 1)
			return l
		}, "line 3"},
		{"deleted", func(l []string) []string { return append(l[:3:3], l[4:]...) }, "line 4"},
		{"reordered", func(l []string) []string { l[1], l[2] = l[2], l[1]; return l }, "line 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mutated := strings.Join(tt.mutate(append([]string(nil), lines...)), "") + "\n"
			if err := os.WriteFile(logPath, []byte(mutated), 0o600); err != nil {
				t.Fatal(err)
			}
			res := runBin(t, p.dir, nil, "audit", logPath)
			if res.code != 1 || !strings.Contains(res.all(), tt.line) {
				t.Errorf("audit: exit %d, want 1 naming %s:\n%s", res.code, tt.line, res.all())
			}
			res = runBin(t, p.dir, nil, "run", "--to", "build", "--tag", "v1.0.0")
			if res.code == 0 || !strings.Contains(res.all(), tt.line) || !strings.Contains(res.all(), "move it aside") {
				t.Errorf("run appended to a tampered log: exit %d\n%s", res.code, res.all())
			}
			if got := p.read(".releaser/audit.jsonl"); got != mutated {
				t.Errorf("the tampered log was modified")
			}
		})
	}
}

// TestWorkflowCommandInjection: a tag name that tries to smuggle workflow
// commands into the job log is neutralised.
func TestWorkflowCommandInjection(t *testing.T) {
	p := newProject(t, projectConfig)
	summary, output := p.path("summary.md"), p.path("output.txt")
	evil := "v1.0.0\n::add-mask::hello\n::set-env name=NODE_OPTIONS::--require=/tmp/x\n##[set-output name=a;]b"
	env := []string{"GITHUB_ACTIONS=true", "CI=true", "GITHUB_REF=refs/tags/" + evil,
		"GITHUB_STEP_SUMMARY=" + summary, "GITHUB_OUTPUT=" + output}
	res := runBin(t, p.dir, env, "run", "--to", "build")
	if res.code != 1 {
		t.Fatalf("exit %d, want 1 (tag does not match)\n%s", res.code, res.all())
	}
	allowed := regexp.MustCompile(`^::(group|endgroup|error|warning|notice|stop-commands|[0-9a-f]{32})::|^::(error|warning|notice) `)
	for _, stream := range []string{res.stdout, res.stderr} {
		for _, line := range strings.FieldsFunc(stream, func(r rune) bool { return r == '\n' || r == '\r' }) {
			trimmed := strings.TrimLeft(line, " \t")
			if strings.HasPrefix(trimmed, "##[") || (strings.HasPrefix(trimmed, "::") && !allowed.MatchString(trimmed)) {
				t.Errorf("injected workflow command reached the log: %q", line)
			}
		}
	}
	if !strings.Contains(res.stdout, "::group::build") {
		t.Errorf("no ::group:: for the stage in Actions mode:\n%s", res.stdout)
	}
	sum := p.read("summary.md")
	if strings.Contains(sum, "\n::") || !strings.Contains(sum, "| build |") {
		t.Errorf("step summary:\n%s", sum)
	}
	if out := p.read("output.txt"); !strings.Contains(out, "result<<") || !strings.Contains(out, "failed") {
		t.Errorf("GITHUB_OUTPUT:\n%s", out)
	}
}

func TestStageSelection(t *testing.T) {
	p := newProject(t, projectConfig)
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"run", "--only", "bogus"}, 2, `--only "bogus": no such stage; stages are build, attest`},
		{[]string{"run", "--from", "publish", "--to", "build"}, 2, "--from publish comes after --to build"},
		{[]string{"run", "--only", "build", "--from", "build"}, 2, "cannot be combined"},
		{[]string{"run", "--allow-dirty"}, 2, "--allow-dirty is only for --dry-run"},
		{[]string{"run", "--only", "attest", "--tag", "v1.0.0"}, 1, "run the build stage first"},
		{[]string{"run", "--tag", "v1.0.0"}, 1, "ID token for Sigstore [attest/id-token]: the release job signs keyless"},
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{[]string{"run", "extra-arg"}, 2, "run takes no arguments"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			res := runBin(t, p.dir, nil, tt.args...)
			if res.code != tt.code || !strings.Contains(res.all(), tt.want) {
				t.Errorf("exit %d (want %d), output lacks %q:\n%s", res.code, tt.code, tt.want, res.all())
			}
		})
	}
}

func TestDryRunWithoutTag(t *testing.T) {
	p := newProject(t, projectConfig)
	res := runBin(t, p.dir, nil, "run", "--dry-run")
	if res.code != 0 {
		t.Fatalf("exit %d\n%s", res.code, res.all())
	}
	for _, want := range []string{"needs CI", "would be tagged v1.0.0", "signed with an ephemeral key", "nothing was sent anywhere"} {
		if !strings.Contains(res.all(), want) {
			t.Errorf("output lacks %q", want)
		}
	}
	// The same without --dry-run: a real release needs the tag.
	res = runBin(t, p.dir, nil, "run")
	if res.code != 1 || !strings.Contains(res.all(), "release tag") {
		t.Errorf("real run without a tag: exit %d\n%s", res.code, res.all())
	}
}

func TestCheckTable(t *testing.T) {
	p := newProject(t, projectConfig)
	res := runBin(t, p.dir, nil, "check", "--tag", "v1.0.0")
	if res.code != 0 {
		t.Fatalf("exit %d\n%s", res.code, res.all())
	}
	for _, want := range []string{"precondition", "work tree is clean", "ok", "HEAD is at the tag", "attest", "needs CI context", "ID token for Sigstore"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("check table lacks %q:\n%s", want, res.stdout)
		}
	}
	if p.exists("dist") || p.exists(".releaser") {
		t.Errorf("check wrote files; it must be read-only")
	}
	// Grouped by stage: each stage's name starts its group, once.
	for _, st := range stages.Order {
		if n := strings.Count(res.stdout, "\n"+st+" "); n != 1 {
			t.Errorf("stage %s heads %d rows, want 1:\n%s", st, n, res.stdout)
		}
	}
	if !strings.Contains(res.stdout, "build/clean-tree") || !strings.Contains(res.stdout, "needs a GitHub token") {
		t.Errorf("check table lacks codes or the needs-token status:\n%s", res.stdout)
	}

	res = runBin(t, p.dir, nil, "check", "--json")
	var out runResult
	if err := json.Unmarshal([]byte(res.stdout), &out); err != nil || len(out.Stages) != 6 {
		t.Fatalf("check --json: %v\n%s", err, res.stdout)
	}
	total := 0
	for _, s := range out.Stages {
		for _, c := range s.Checks {
			total++
			if _, ok := stages.LookupCode(c.Code); !ok {
				t.Errorf("check %q has code %q, which docs/TROUBLESHOOTING.md does not explain", c.Name, c.Code)
			}
		}
	}
	sum := 0
	for _, n := range out.Counts {
		sum += n
	}
	if sum != total || out.Counts[stages.StatusNeedsToken] == 0 || out.Counts[stages.StatusOK] == 0 {
		t.Errorf("counts %v do not add up to the %d checks", out.Counts, total)
	}

	// A failed precondition: exit 1, the row has its fix, the summary says so.
	p.write("src/notes.txt", "changed\n")
	res = runBin(t, p.dir, nil, "check", "--tag", "v1.0.0")
	if res.code != 1 || !strings.Contains(res.stdout, "failed") || !strings.Contains(res.stdout, "— fix: ") || !strings.Contains(res.all(), "1 failed") {
		t.Errorf("dirty tree: exit %d\n%s", res.code, res.all())
	}
}

func TestManifestMergeAndVerify(t *testing.T) {
	p := newProject(t, projectConfig)
	if res := runBin(t, p.dir, nil, "run", "--to", "build", "--tag", "v1.0.0"); res.code != 0 {
		t.Fatal(res.all())
	}
	// Two "jobs" each handing on part of the output.
	jobs := t.TempDir()
	full, err := artifact.ReadFile(p.path(manifestRel))
	if err != nil {
		t.Fatal(err)
	}
	var inputs []string
	for i, part := range [][]artifact.Artifact{full.Artifacts[:2], full.Artifacts[1:]} {
		dir := filepath.Join(jobs, "job"+string(rune('a'+i)))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, a := range part {
			data, _ := os.ReadFile(p.path("dist/" + a.Path))
			if err := os.WriteFile(filepath.Join(dir, a.Name), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		m := *full
		m.Artifacts = part
		path := filepath.Join(dir, "releaser-manifest.json")
		if err := m.WriteFile(path); err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, path)
	}
	out := filepath.Join(jobs, "releaser-manifest.json")
	res := runBin(t, jobs, nil, append([]string{"manifest", "merge", "-o", out}, inputs...)...)
	if res.code != 0 || !strings.Contains(res.stdout, "3 artifacts") {
		t.Fatalf("merge: exit %d\n%s", res.code, res.all())
	}
	if res := runBin(t, jobs, nil, "manifest", "verify", "--manifest", out); res.code != 0 {
		t.Fatalf("verify merged: %s", res.all())
	}
	// A changed byte is a hard error naming the file.
	name := full.Artifacts[0].Name
	if err := os.WriteFile(filepath.Join(jobs, "joba", name), []byte("tampered"), 0o644); err != nil {
		t.Fatal(err)
	}
	res = runBin(t, jobs, nil, "manifest", "verify", "--manifest", out)
	if res.code != 1 || !strings.Contains(res.all(), name) {
		t.Errorf("tampered artifact: exit %d\n%s", res.code, res.all())
	}
}

func TestHelpAndVersion(t *testing.T) {
	for _, cmd := range []string{"run", "check", "digest", "audit", "version"} {
		res := runBin(t, t.TempDir(), nil, cmd, "--help")
		if res.code != 0 || !strings.Contains(res.stdout, "Examples:") || !strings.Contains(res.stdout, "releaser "+cmd) {
			t.Errorf("%s --help: exit %d\n%s", cmd, res.code, res.all())
		}
	}
	res := runBin(t, t.TempDir(), nil, "version")
	if res.code != 0 || !strings.HasPrefix(res.stdout, "releaser ") {
		t.Errorf("version: %s", res.all())
	}
	res = runBin(t, t.TempDir(), nil)
	if res.code != 2 || !strings.Contains(res.stderr, "Usage:") {
		t.Errorf("no arguments: exit %d\n%s", res.code, res.all())
	}
}

func TestDigestMatchesSha256sum(t *testing.T) {
	f := filepath.Join(t.TempDir(), "blob")
	if err := os.WriteFile(f, []byte(strings.Repeat("releaser", 100000)), 0o644); err != nil {
		t.Fatal(err)
	}
	res := runBin(t, t.TempDir(), nil, "digest", f)
	if res.code != 0 {
		t.Fatal(res.all())
	}
	if sum := sha256sum(t, f); sum != "" && !strings.HasPrefix(res.stdout, sum+"  "+f) {
		t.Errorf("digest output %q does not start with sha256sum's %s", res.stdout, sum)
	}
}
