package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/releaserhq/releaser/internal/testenv"
)

// exchangeRegistry is one registry emulator as the exchange tests see it.
type exchangeRegistry interface {
	URL() string
	AddPublisher(testenv.Publisher)
	Issued() []string
	Secrets() []string
	Exchanges() int
	ReceivedJTIs() []string
	Faults() *testenv.Faults
}

// registryCase describes how to stand up one registry for the exchange tests.
type registryCase struct {
	kind     string
	name     string // as releaser prints it
	path     string // the exchange endpoint's path, for faults
	jobBound bool   // binds job_workflow_ref (else workflow_ref)
	start    func(t *testing.T, is *testenv.OIDCIssuer) exchangeRegistry
}

var exchangeRegistries = []registryCase{
	{kind: "pypi", name: "PyPI", path: "/_/oidc/mint-token", jobBound: true,
		start: func(t *testing.T, is *testenv.OIDCIssuer) exchangeRegistry { return testenv.NewPyPI(t, is) }},
	{kind: "npm", name: "npm", path: "/-/npm/v1/oidc/token/exchange/package/demo",
		start: func(t *testing.T, is *testenv.OIDCIssuer) exchangeRegistry { return testenv.NewNpm(t, is) }},
	{kind: "crates", name: "crates.io", path: "/api/v1/trusted_publishing/tokens",
		start: func(t *testing.T, is *testenv.OIDCIssuer) exchangeRegistry { return testenv.NewCrates(t, is) }},
	{kind: "rubygems", name: "RubyGems", path: "/api/v1/oidc/trusted_publisher/exchange_token", jobBound: true,
		start: func(t *testing.T, is *testenv.OIDCIssuer) exchangeRegistry { return testenv.NewRubyGems(t, is) }},
}

// exchangeEnv is a release job with the issuer's claims and the registry,
// registered as trusted publisher the way DefaultClaims need.
type exchangeEnv struct {
	t    *testing.T
	is   *testenv.OIDCIssuer
	reg  exchangeRegistry
	rc   registryCase
	p    *project
	conf string
}

func newExchangeEnv(t *testing.T, rc registryCase, registryExtra string, register bool) *exchangeEnv {
	t.Helper()
	is := testenv.NewOIDCIssuer(t)
	is.SetRef("refs/tags/v1.0.0")
	reg := rc.start(t, is)
	if register {
		reg.AddPublisher(testenv.DefaultPublisher("demo"))
	}
	conf := projectConfig + fmt.Sprintf(`
[identity]
issuer = %q
repository = "octo-org/octo-repo"
repository_owner_id = "65"
repository_id = "74"
workflow = "release.yml"
environment = "release"

[[registry]]
kind = %q
package = "demo"
url = %q
%s`, is.URL(), rc.kind, reg.URL(), registryExtra)
	return &exchangeEnv{t: t, is: is, reg: reg, rc: rc, p: newProject(t, conf), conf: conf}
}

func (e *exchangeEnv) env() []string {
	var env []string
	for k, v := range e.is.ActionsEnv() {
		env = append(env, k+"="+v)
	}
	return env
}

// brief is a run's output for a failure message, without the mask and
// audit-mirror lines that drown it.
func brief(res result) string { return withoutLines(res.all(), "::add-mask::", "[releaser-audit]") }

func (e *exchangeEnv) run(args ...string) result {
	e.t.Helper()
	if len(args) == 0 {
		args = []string{"run", "--only", "exchange"}
	}
	res := runBin(e.t, e.p.dir, e.env(), args...)
	e.assertNoLeaks(res, 0)
	return res
}

// assertNoLeaks searches every output and every file the run wrote for every
// secret the emulators handed out, and checks each secret that reached the
// job was masked for the runner first.
func (e *exchangeEnv) assertNoLeaks(res result, lost int) {
	e.t.Helper()
	holders := []testenv.SecretHolder{e.is, e.reg}
	var masked []string
	var unmasked strings.Builder
	sc := bufio.NewScanner(strings.NewReader(res.stdout))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if m, ok := strings.CutPrefix(sc.Text(), "::add-mask::"); ok {
			masked = append(masked, m)
			continue
		}
		unmasked.WriteString(sc.Text() + "\n")
	}
	testenv.AssertNoSecrets(e.t, "stdout", []byte(unmasked.String()), holders...)
	testenv.AssertNoSecrets(e.t, "stderr", []byte(res.stderr), holders...)
	err := filepath.WalkDir(e.p.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(e.p.dir, path)
		testenv.AssertNoSecrets(e.t, rel, b, holders...)
		return nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
	// Every ID token served and every upload token minted reached this job
	// (but the first lost ones, whose responses were dropped): each must have
	// been masked.
	issued := e.reg.Issued()
	for _, s := range append(e.is.Minted(), issued[min(lost, len(issued)):]...) {
		if !slices.Contains(masked, s) {
			e.t.Errorf("a token the job received was never masked with ::add-mask:: (%d bytes)", len(s))
		}
	}
}

// auditEvents returns the audit log's events of one type.
func (e *exchangeEnv) auditEvents(typ string) []map[string]any {
	e.t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(e.p.read(".releaser/audit.jsonl")), "\n") {
		var ev map[string]any
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			e.t.Fatalf("audit line %q: %v", line, err)
		}
		if ev["type"] == typ {
			out = append(out, ev)
		}
	}
	return out
}

func TestExchangeE2E(t *testing.T) {
	type want struct {
		code      int
		mention   []string // in stdout+stderr
		exchanges int      // successful exchanges at the registry
		sent      int      // JWTs the registry received; -1 = don't care
		lost      int      // tokens minted whose response never reached the job
	}
	cases := []struct {
		name         string
		unregistered bool // nothing registered at the registry
		setup        func(e *exchangeEnv)
		extra        string // appended to the [[registry]] entry
		want         func(rc registryCase) want
	}{
		{name: "success", want: func(registryCase) want { return want{code: 0, exchanges: 1, sent: 1} }},
		{name: "wrong audience", setup: func(e *exchangeEnv) { e.is.ServeTampered(testenv.WrongAudience) },
			want: func(registryCase) want {
				return want{code: 1, mention: []string{"audience is", "https://example.invalid"}, sent: 0}
			}},
		{name: "expired token", setup: func(e *exchangeEnv) { e.is.ServeTampered(testenv.Expired) },
			want: func(registryCase) want { return want{code: 1, mention: []string{"the ID token expired at"}, sent: 0} }},
		{name: "bad signature", setup: func(e *exchangeEnv) { e.is.ServeTampered(testenv.BadSignature) },
			want: func(registryCase) want {
				return want{code: 1, mention: []string{"signature does not verify", "do not release from this runner"}, sent: 0}
			}},
		{name: "unknown key id", setup: func(e *exchangeEnv) { e.is.ServeTampered(testenv.UnknownKID) },
			want: func(registryCase) want {
				return want{code: 1, mention: []string{"which issuer", "does not publish"}, sent: 0}
			}},
		{name: "alg none", setup: func(e *exchangeEnv) { e.is.ServeTampered(testenv.AlgNone) },
			want: func(registryCase) want { return want{code: 1, mention: []string{`signed with alg "none"`}, sent: 0} }},
		{name: "wrong repository", setup: func(e *exchangeEnv) { e.is.Set("repository", "evil-org/octo-repo") },
			want: func(registryCase) want {
				return want{code: 1, mention: []string{`repository "evil-org/octo-repo"`, "octo-org/octo-repo"}, sent: 0}
			}},
		{name: "wrong owner id", setup: func(e *exchangeEnv) { e.is.Set("repository_owner_id", "66") },
			want: func(registryCase) want {
				return want{code: 1, mention: []string{`repository_owner_id is "66"`, "re-register the trusted publisher"}, sent: 0}
			}},
		{name: "reusable workflow", setup: func(e *exchangeEnv) {
			e.is.UseReusableWorkflow("octo-org/octo-repo/.github/workflows/publish.yml@refs/tags/v1.0.0")
		}, want: func(rc registryCase) want {
			if !rc.jobBound { // binds the caller, release.yml: accepted
				return want{code: 0, exchanges: 1, sent: 1}
			}
			return want{code: 1, mention: []string{
				rc.name + " matches the workflow file in job_workflow_ref, which is publish.yml",
				"reusable workflow octo-org/octo-repo/.github/workflows/publish.yml",
				"register publish.yml as the trusted publisher's workflow at " + rc.name,
				`set workflow = "publish.yml" in this [[registry]] entry`}, sent: 0}
		}},
		{name: "reusable workflow registered", extra: `workflow = "publish.yml"`, setup: func(e *exchangeEnv) {
			e.is.UseReusableWorkflow("octo-org/octo-repo/.github/workflows/publish.yml@refs/tags/v1.0.0")
			p := testenv.DefaultPublisher("demo")
			p.Workflow = "publish.yml"
			e.reg.AddPublisher(p)
		}, want: func(rc registryCase) want {
			if !rc.jobBound { // told the wrong file: refused locally, with the fix
				return want{code: 1, sent: 0, mention: []string{
					rc.name + " matches the workflow file in workflow_ref, which is release.yml", `set workflow = "release.yml"`}}
			}
			return want{code: 0, exchanges: 1, sent: 1}
		}},
		{name: "missing environment", setup: func(e *exchangeEnv) { e.is.Delete("environment") },
			want: func(registryCase) want {
				return want{code: 1, mention: []string{"the job has no environment", "add `environment: release`"}, sent: 0}
			}},
		{name: "pull_request_target", setup: func(e *exchangeEnv) { e.is.Set("event_name", "pull_request_target") },
			want: func(registryCase) want {
				return want{code: 1, mention: []string{"started by pull_request_target", "never publish"}, sent: 0}
			}},
		{name: "self-hosted runner", setup: func(e *exchangeEnv) { e.is.Set("runner_environment", "self-hosted") },
			want: func(registryCase) want {
				return want{code: 1, mention: []string{`runner_environment is "self-hosted"`}, sent: 0}
			}},
		{name: "no trusted publisher at the registry", unregistered: true,
			want: func(rc registryCase) want {
				return want{code: 1, sent: 1, mention: []string{rc.name + ": HTTP 4", "fix:"}}
			}},
		{name: "500 then success", setup: func(e *exchangeEnv) {
			e.reg.Faults().Add(e.rc.path, testenv.Status(500, "Internal Server Error"))
		}, want: func(registryCase) want {
			return want{code: 0, exchanges: 1, sent: 1, mention: []string{"attempt 1 failed (HTTP 500); retrying"}}
		}},
		{name: "429 with Retry-After", setup: func(e *exchangeEnv) {
			e.reg.Faults().Add(e.rc.path, testenv.TooManyRequests("1"))
		}, want: func(registryCase) want {
			return want{code: 0, exchanges: 1, sent: 1, mention: []string{"attempt 1 failed (HTTP 429); retrying in 1s"}}
		}},
		{name: "response lost, retried with a fresh token", setup: func(e *exchangeEnv) {
			e.reg.Faults().Add(e.rc.path, testenv.LostResponse())
		}, want: func(registryCase) want {
			return want{code: 0, exchanges: 2, sent: 2, lost: 1, mention: []string{"attempt 1 failed (no response)"}}
		}},
		{name: "replayed ID token never sent twice", setup: func(e *exchangeEnv) {
			e.reg.Faults().Add(e.rc.path, testenv.LostResponse())
			e.is.ServeTampered(testenv.Replay)
		}, want: func(registryCase) want {
			return want{code: 1, exchanges: 1, sent: 1, lost: 1, mention: []string{"already sent", "registries refuse a reused token"}}
		}},
	}
	for _, rc := range exchangeRegistries {
		t.Run(rc.kind, func(t *testing.T) {
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					e := newExchangeEnv(t, rc, tc.extra, !tc.unregistered)
					if tc.setup != nil {
						tc.setup(e)
					}
					w := tc.want(rc)
					res := runBin(t, e.p.dir, e.env(), "run", "--only", "exchange")
					e.assertNoLeaks(res, w.lost)
					if res.code != w.code {
						t.Fatalf("exit %d, want %d\n%s", res.code, w.code, brief(res))
					}
					out := res.all()
					for _, m := range w.mention {
						if !strings.Contains(out, m) {
							t.Errorf("output does not say %q:\n%s", m, brief(res))
						}
					}
					if got := e.reg.Exchanges(); got != w.exchanges {
						t.Errorf("registry minted %d tokens, want %d", got, w.exchanges)
					}
					jtis := e.reg.ReceivedJTIs()
					if w.sent >= 0 && len(jtis) != w.sent {
						t.Errorf("registry received %d ID tokens, want %d", len(jtis), w.sent)
					}
					if len(slices.Compact(slices.Sorted(slices.Values(jtis)))) != len(jtis) {
						t.Errorf("an ID token was sent twice: %v", jtis)
					}
					if w.code == 0 {
						minted := e.auditEvents("token.minted")
						if len(minted) != 1 {
							t.Fatalf("audit log has %d token.minted events", len(minted))
						}
						data, _ := minted[0]["data"].(map[string]any)
						claims, _ := data["claims"].(map[string]any)
						if data["registry"] != rc.kind || data["audience"] == "" || data["expires"] == nil ||
							claims["repository"] != "octo-org/octo-repo" || claims["jti"] == "" {
							t.Errorf("token.minted event lacks registry, audience, expiry or claims: %v", data)
						}
					}
				})
			}
		})
	}
}

// TestExchangeRevokesCratesToken: the crates.io token is revoked when the
// pipeline ends — after success, after a later stage fails, and after a
// later registry in the same stage refuses.
func TestExchangeRevokesCratesToken(t *testing.T) {
	crates := exchangeRegistries[2]
	tests := []struct {
		name  string
		args  []string
		extra func(e *exchangeEnv) string // more [[registry]] entries
		code  int
	}{
		{name: "after success", args: []string{"run", "--only", "exchange"}},
		{name: "after a later stage fails", args: []string{"run", "--from", "exchange"}, code: 1},
		{name: "after a later registry refuses", args: []string{"run", "--only", "exchange"}, code: 1,
			extra: func(e *exchangeEnv) string {
				npm := testenv.NewNpm(t, e.is) // nothing registered: refuses
				return fmt.Sprintf("\n[[registry]]\nkind = \"npm\"\npackage = \"demo\"\nurl = %q\n", npm.URL())
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newExchangeEnv(t, crates, "", true)
			if tt.extra != nil {
				e.p.write("release.toml", e.conf+tt.extra(e))
				gitCommitAll(t, e.p)
			}
			res := e.run(tt.args...)
			if res.code != tt.code {
				t.Fatalf("exit %d, want %d\n%s", res.code, tt.code, brief(res))
			}
			c := e.reg.(*testenv.Crates)
			issued := c.Issued()
			if len(issued) != 1 {
				t.Fatalf("crates.io issued %d tokens", len(issued))
			}
			if !slices.Equal(c.Revoked(), issued) || len(c.Active()) != 0 {
				t.Errorf("token not revoked: %d revoked, %d active", len(c.Revoked()), len(c.Active()))
			}
			ev := e.auditEvents("token.revoke")
			if len(ev) != 1 || ev[0]["data"].(map[string]any)["revoked"] != true {
				t.Errorf("audit log token.revoke events: %v", ev)
			}
			if !strings.Contains(res.all(), "revoked the crates.io token") {
				t.Errorf("revocation not reported:\n%s", brief(res))
			}
		})
	}
}

// TestExchangeCheckRows: `releaser check` in the release job shows one row
// per registry, naming the claim a registry would refuse and the fix.
func TestExchangeCheckRows(t *testing.T) {
	is := testenv.NewOIDCIssuer(t)
	is.SetRef("refs/tags/v1.0.0")
	is.UseReusableWorkflow("octo-org/octo-repo/.github/workflows/publish.yml@refs/tags/v1.0.0")
	conf := projectConfig + fmt.Sprintf(`
[identity]
issuer = %q
repository = "octo-org/octo-repo"
workflow = "release.yml"
environment = "release"
`, is.URL())
	for _, rc := range exchangeRegistries {
		reg := rc.start(t, is)
		conf += fmt.Sprintf("\n[[registry]]\nkind = %q\npackage = \"demo\"\nurl = %q\n", rc.kind, reg.URL())
	}
	p := newProject(t, conf)
	// The running workflow, as the publishing job's checkout has it: one
	// action not pinned to a commit.
	p.write(".github/workflows/release.yml", `on: {push: {tags: ["v*"]}}
permissions: {}
jobs:
  publish:
    runs-on: ubuntu-latest
    environment: release
    permissions: {id-token: write, contents: write}
    steps:
      - uses: actions/checkout@v4
        with: {persist-credentials: false}
`)
	gitCommitAll(t, p)
	env := []string{"GITHUB_WORKSPACE=" + p.dir, "GITHUB_JOB=publish"}
	for k, v := range is.ActionsEnv() {
		env = append(env, k+"="+v)
	}
	res := runBin(t, p.dir, env, "check", "--json")
	if res.code != 1 {
		t.Fatalf("exit %d, want 1\n%s", res.code, res.all())
	}
	var out struct {
		Stages []struct {
			Name   string `json:"name"`
			Checks []struct {
				Name, Status, Detail, Fix string
			} `json:"checks"`
		} `json:"stages"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &out); err != nil {
		t.Fatalf("check --json: %v\n%s", err, res.stdout)
	}
	rows := map[string]string{}
	for _, s := range out.Stages {
		if s.Name != "exchange" {
			continue
		}
		for _, c := range s.Checks {
			rows[c.Name] = c.Status + " | " + c.Detail + " | " + c.Fix
		}
	}
	want := map[string][]string{
		"ID token for PyPI (demo)":      {"failed", "job_workflow_ref", "publish.yml", `workflow = "publish.yml"`},
		"ID token for RubyGems (demo)":  {"failed", "job_workflow_ref", "publish.yml"},
		"ID token for npm (demo)":       {"ok", "workflow_ref from octo-org/octo-repo/.github/workflows/release.yml"},
		"ID token for crates.io (demo)": {"ok", "workflow_ref from octo-org/octo-repo/.github/workflows/release.yml"},
		"release workflow lint":         {"failed", ".github/workflows/release.yml:9:", "unpinned-uses", "releaser lint-workflow"},
	}
	if len(rows) != len(want) {
		t.Errorf("exchange rows: %v", rows)
	}
	for name, parts := range want {
		row, ok := rows[name]
		if !ok {
			t.Errorf("no row %q in %v", name, rows)
			continue
		}
		for _, part := range parts {
			if !strings.Contains(row, part) {
				t.Errorf("row %q = %q, does not say %q", name, row, part)
			}
		}
	}
}

// TestExchangeOutsideCI: a local dry run says what the release job will
// need and ask, without any token; a job without id-token permission is told
// how to get one.
func TestExchangeOutsideCI(t *testing.T) {
	e := newExchangeEnv(t, exchangeRegistries[0], "", true)
	res := runBin(t, e.p.dir, nil, "run", "--dry-run", "--only", "exchange")
	if res.code != 0 {
		t.Fatalf("local dry run: exit %d\n%s", res.code, res.all())
	}
	for _, s := range []string{"needs CI", "no ID token outside CI", "job_workflow_ref naming release.yml", "environment release",
		"would: POST a fresh, locally verified ID token to " + e.reg.URL() + "/_/oidc/mint-token"} {
		if !strings.Contains(res.all(), s) {
			t.Errorf("local dry run does not say %q:\n%s", s, brief(res))
		}
	}
	if e.is.IDTokenRequests() != 0 {
		t.Errorf("a local dry run requested ID tokens")
	}

	res = runBin(t, e.p.dir, []string{"GITHUB_ACTIONS=true", "GITHUB_REF=refs/tags/v1.0.0"}, "run", "--only", "exchange")
	if res.code != 1 || !strings.Contains(res.all(), "permissions: id-token: write") || !strings.Contains(res.all(), "forks") {
		t.Errorf("job without id-token permission: exit %d\n%s", res.code, brief(res))
	}
}

// TestExchangeGitLab: on GitLab CI the ID token comes from the variable the
// job declared under id_tokens:, and its GitLab claims are judged by the same
// policy.
func TestExchangeGitLab(t *testing.T) {
	is := testenv.NewOIDCIssuer(t)
	pypi := testenv.NewPyPI(t, is)
	conf := projectConfig + fmt.Sprintf(`
[identity]
provider = "gitlab"
issuer = %q
repository = "group/project"
workflow = ".gitlab-ci.yml"
environment = "release"
allowed_events = ["push"]

[[registry]]
kind = "pypi"
package = "demo"
url = %q
`, is.URL(), pypi.URL())
	p := newProject(t, conf)
	gitlab := map[string]any{
		"project_path": "group/project", "namespace_path": "group", "namespace_id": "5", "project_id": "6",
		"ci_config_ref_uri": "gitlab.com/group/project//.gitlab-ci.yml@refs/tags/v1.0.0",
		"ref_path":          "refs/tags/v1.0.0", "pipeline_source": "push", "runner_environment": "gitlab-hosted",
		"environment": "release", "sub": "project_path:group/project:ref_type:tag:ref:v1.0.0",
	}
	for _, c := range []string{"repository", "repository_owner", "repository_owner_id", "repository_id", "workflow_ref", "job_workflow_ref", "event_name", "ref"} {
		gitlab[c] = nil
	}
	env := []string{"GITLAB_CI=true", "CI=true", "CI_COMMIT_TAG=v1.0.0"}
	checkRow := func(res result) string {
		t.Helper()
		var out struct {
			Stages []struct {
				Name   string
				Checks []struct{ Name, Status, Detail, Fix string }
			}
		}
		if err := json.Unmarshal([]byte(res.stdout), &out); err != nil {
			t.Fatalf("check --json: %v\n%s", err, res.all())
		}
		for _, s := range out.Stages {
			for _, c := range s.Checks {
				if s.Name == "exchange" && c.Name == "ID token for PyPI (demo)" {
					return c.Status + " | " + c.Detail + " | " + c.Fix
				}
			}
		}
		t.Fatalf("no exchange row:\n%s", res.stdout)
		return ""
	}

	tok := is.Mint("pypi", gitlab)
	row := checkRow(runBin(t, p.dir, append(env, "PYPI_ID_TOKEN="+tok), "check", "--json"))
	if !strings.HasPrefix(row, "ok | ") || !strings.Contains(row, "gitlab.com/group/project//.gitlab-ci.yml") {
		t.Errorf("GitLab token: %s", row)
	}

	gitlab["environment"] = "staging"
	row = checkRow(runBin(t, p.dir, append(env, "PYPI_ID_TOKEN="+is.Mint("pypi", gitlab)), "check", "--json"))
	if !strings.HasPrefix(row, "failed | ") || !strings.Contains(row, `"staging"`) {
		t.Errorf("GitLab token from another environment: %s", row)
	}

	row = checkRow(runBin(t, p.dir, env, "check", "--json"))
	if !strings.HasPrefix(row, "failed | ") || !strings.Contains(row, "PYPI_ID_TOKEN") || !strings.Contains(row, "id_tokens:") {
		t.Errorf("no ID token variable: %s", row)
	}
}
