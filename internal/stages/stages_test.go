package stages

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/releaserhq/releaser/internal/artifact"
	"github.com/releaserhq/releaser/internal/config"
	"github.com/releaserhq/releaser/internal/testenv"
	"github.com/releaserhq/releaser/internal/ui"
)

func TestSelect(t *testing.T) {
	all := All()
	tests := []struct {
		sel     Selection
		want    string
		wantErr string
	}{
		{Selection{}, "build attest approve exchange publish finalize", ""},
		{Selection{From: "exchange"}, "exchange publish finalize", ""},
		{Selection{To: "attest"}, "build attest", ""},
		{Selection{From: "attest", To: "publish"}, "attest approve exchange publish", ""},
		{Selection{Only: "approve"}, "approve", ""},
		{Selection{From: "build", To: "build"}, "build", ""},
		{Selection{From: "publish", To: "attest"}, "", "comes after"},
		{Selection{Only: "nope"}, "", `--only "nope": no such stage`},
		{Selection{From: "Build"}, "", "no such stage"},
		{Selection{Only: "build", To: "build"}, "", "cannot be combined"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%+v", tt.sel), func(t *testing.T) {
			got, err := Select(all, tt.sel)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("want error %q, got %v", tt.wantErr, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, s := range got {
				names = append(names, s.Name())
			}
			if strings.Join(names, " ") != tt.want {
				t.Errorf("got %v, want %s", names, tt.want)
			}
		})
	}
}

func TestOrderMatchesAll(t *testing.T) {
	for i, s := range All() {
		if s.Name() != Order[i] {
			t.Errorf("stage %d is %s, Order says %s", i, s.Name(), Order[i])
		}
	}
}

func TestBuildEnviron(t *testing.T) {
	env := NewEnv([]string{
		"PATH=/bin", "HOME=/home/u",
		"GITHUB_TOKEN=x", "gh_token=x", "ACTIONS_ID_TOKEN_REQUEST_URL=x", "ACTIONS_RUNTIME_TOKEN=x",
		"PYPI_ID_TOKEN=x", "SIGSTORE_ID_TOKEN=x", "GITHUB_ENV=/f", "MY_SECRET=x", "KEEP=1",
		"SOURCE_DATE_EPOCH=1",
	})
	got := strings.Join(env.BuildEnviron([]string{"MY_SECRET"}, map[string]string{"SOURCE_DATE_EPOCH": "2", "ADDED": "y"}), " ")
	want := "ADDED=y HOME=/home/u KEEP=1 PATH=/bin SOURCE_DATE_EPOCH=2"
	if got != want {
		t.Errorf("BuildEnviron:\n got %s\nwant %s", got, want)
	}
}

func TestExitCode(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{nil, ExitOK},
		{errors.New("x"), ExitPrecondition},
		{&PreconditionError{Stage: "build"}, ExitPrecondition},
		{fmt.Errorf("publish: %w", &RemoteError{Service: "pypi", Err: errors.New("503")}), ExitRemote},
		{fmt.Errorf("x: %w", ErrNotAvailable), ExitPrecondition},
	}
	for _, tt := range tests {
		if got := ExitCode(tt.err); got != tt.want {
			t.Errorf("ExitCode(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
}

func TestValidTagName(t *testing.T) {
	for tag, want := range map[string]bool{
		"v1.2.3": true, "release/1.0": true, "v1.0.0-rc.1+build.5": true,
		"": false, "v1 2": false, "v1\n::set-env": false, "a..b": false, "-v1": false,
		"v1.lock": false, "v1^": false, "v1:2": false, "a//b": false, "v1@{0}": false, "v\x7f": false,
	} {
		if got := validTagName(tag); got != want {
			t.Errorf("validTagName(%q) = %v, want %v", tag, got, want)
		}
	}
}

// fakeStage records what the runner did with it.
type fakeStage struct {
	name   string
	checks []Check
	err    error
	ran    *[]string
}

func (f fakeStage) Name() string                            { return f.name }
func (f fakeStage) Check(context.Context, *Release) []Check { return f.checks }
func (f fakeStage) Run(context.Context, *Release) (Outcome, error) {
	*f.ran = append(*f.ran, f.name)
	return Outcome{Summary: f.name + " ran"}, f.err
}

func testRelease(dry bool) (*Release, *bytes.Buffer) {
	var out bytes.Buffer
	cfg, err := config.Parse("t.toml", []byte("[project]\nname='x'\nversion='1.0.0'\n[build]\nartifacts=['*']\n[[build.command]]\nargv=['true']\n"))
	if err != nil {
		panic(err)
	}
	u := ui.New(ui.Options{Mode: ui.ModePlain, Stdout: &out, Stderr: &out, Getenv: func(string) string { return "" }})
	return &Release{Config: cfg, DryRun: dry, UI: u, Env: NewEnv(nil)}, &out
}

func TestRunnerStopsAtFirstFailure(t *testing.T) {
	tests := []struct {
		name     string
		dry      bool
		stages   func(ran *[]string) []Stage
		wantRan  string
		wantRes  string
		wantCode int
	}{
		{"all pass", false, func(ran *[]string) []Stage {
			return []Stage{fakeStage{name: "a", ran: ran}, fakeStage{name: "b", ran: ran}}
		}, "a b", "a=done b=done", 0},
		{"precondition fails", false, func(ran *[]string) []Stage {
			return []Stage{fakeStage{name: "a", ran: ran},
				fakeStage{name: "b", ran: ran, checks: []Check{{Name: "c", Status: StatusFailed}}},
				fakeStage{name: "c", ran: ran}}
		}, "a", "a=done b=precondition failed c=not run", 1},
		{"needs CI fails a real run", false, func(ran *[]string) []Stage {
			return []Stage{fakeStage{name: "a", ran: ran, checks: []Check{{Name: "token", Status: StatusNeedsCI}}}}
		}, "", "a=precondition failed", 1},
		{"needs CI is fine in a dry run", true, func(ran *[]string) []Stage {
			return []Stage{fakeStage{name: "a", ran: ran, checks: []Check{{Name: "token", Status: StatusNeedsCI}}}}
		}, "a", "a=dry run", 0},
		{"needs a token fails a real run", false, func(ran *[]string) []Stage {
			return []Stage{fakeStage{name: "a", ran: ran, checks: []Check{{Name: "token", Status: StatusNeedsToken}}}}
		}, "", "a=precondition failed", 1},
		{"needs a token is fine in a dry run", true, func(ran *[]string) []Stage {
			return []Stage{fakeStage{name: "a", ran: ran, checks: []Check{{Name: "token", Status: StatusNeedsToken}}}}
		}, "a", "a=dry run", 0},
		{"remote failure", false, func(ran *[]string) []Stage {
			return []Stage{fakeStage{name: "a", ran: ran, err: &RemoteError{Service: "pypi", Err: errors.New("503")}},
				fakeStage{name: "b", ran: ran}}
		}, "a", "a=failed b=not run", 3},
		{"not available stops a real run", false, func(ran *[]string) []Stage {
			return []Stage{NotAvailable{StageName: "x", Issue: 9}, fakeStage{name: "b", ran: ran}}
		}, "", "x=not available b=not run", 1},
		{"not available continues a dry run", true, func(ran *[]string) []Stage {
			return []Stage{NotAvailable{StageName: "x", Issue: 9}, fakeStage{name: "b", ran: ran}}
		}, "b", "x=not available b=dry run", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ran []string
			r, out := testRelease(tt.dry)
			rep := Run(context.Background(), r, tt.stages(&ran))
			if got := strings.Join(ran, " "); got != tt.wantRan {
				t.Errorf("ran %q, want %q", got, tt.wantRan)
			}
			var res []string
			for _, s := range rep.Stages {
				res = append(res, s.Name+"="+s.Result)
			}
			if got := strings.Join(res, " "); got != tt.wantRes {
				t.Errorf("results %q, want %q", got, tt.wantRes)
			}
			if rep.ExitCode != tt.wantCode {
				t.Errorf("exit code %d, want %d\n%s", rep.ExitCode, tt.wantCode, out)
			}
		})
	}
}

// TestFailedChecksShowTheirCode: a check that stops its stage prints its
// code after its name, on the console and in the error; the others do not.
func TestFailedChecksShowTheirCode(t *testing.T) {
	checks := []Check{
		{Name: "work tree is clean", Code: CodeBuildCleanTree, Status: StatusFailed, Detail: "2 uncommitted change(s)"},
		{Name: "tag matches version", Code: CodeBuildTagMatchesVersion, Status: StatusOK, Detail: "v1 = version 1"},
		{Name: "release tag", Code: CodeBuildReleaseTag, Status: StatusNeedsCI, Detail: "no release tag given"},
	}
	tests := []struct {
		dry       bool
		printed   []string
		unprinted []string
		err       string
	}{
		{false,
			[]string{"[FAILED] work tree is clean [build/clean-tree]: 2 uncommitted", "[ok] tag matches version: v1", "[needs CI] release tag [build/release-tag]: no release"},
			[]string{"[build/tag-matches-version]"},
			"stage a: 2 preconditions failed"},
		{true,
			[]string{"[FAILED] work tree is clean [build/clean-tree]: 2 uncommitted", "[needs CI] release tag: no release"},
			[]string{"[build/tag-matches-version]", "[build/release-tag]"},
			"stage a: precondition failed: work tree is clean [build/clean-tree]: 2 uncommitted change(s)"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("dry run %v", tt.dry), func(t *testing.T) {
			var ran []string
			r, out := testRelease(tt.dry)
			rep := Run(context.Background(), r, []Stage{fakeStage{name: "a", ran: &ran, checks: checks}})
			for _, s := range tt.printed {
				if !strings.Contains(out.String(), s) {
					t.Errorf("output lacks %q:\n%s", s, out)
				}
			}
			for _, s := range tt.unprinted {
				if strings.Contains(out.String(), s) {
					t.Errorf("output has %q:\n%s", s, out)
				}
			}
			if rep.Err == nil || rep.Err.Error() != tt.err {
				t.Errorf("error %v, want %q", rep.Err, tt.err)
			}
		})
	}
}

func TestCheckFails(t *testing.T) {
	for _, tt := range []struct {
		status    Status
		real, dry bool
	}{
		{StatusOK, false, false}, {StatusWarning, false, false}, {StatusSkipped, false, false},
		{StatusFailed, true, true}, {StatusNeedsCI, true, false}, {StatusNeedsToken, true, false},
	} {
		c := Check{Status: tt.status}
		if c.Fails(false) != tt.real || c.Fails(true) != tt.dry {
			t.Errorf("%s: Fails(real) = %v, Fails(dry) = %v", tt.status, c.Fails(false), c.Fails(true))
		}
	}
}

const exampleRepoOwner, exampleRepo = "releaserhq", "hello-releaser"

// exampleRelease is release.toml.example at its tag, with env as the
// process environment and no `gh auth token`.
func exampleRelease(t *testing.T, dry bool, env []string) *Release {
	t.Helper()
	cfg, err := config.Load(filepath.Join("..", "..", "release.toml.example"))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	u := ui.New(ui.Options{Mode: ui.ModePlain, Stdout: &out, Stderr: &out, Getenv: func(string) string { return "" }})
	return &Release{Config: cfg, DryRun: dry, Tag: cfg.Tag(), Env: NewEnv(env), UI: u,
		ManifestPath: filepath.Join(t.TempDir(), "releaser-manifest.json"), ghAuth: func() string { return "" }}
}

// exampleGitHub is a GitHub emulator holding the example's repository, with
// every protection the approve and finalize stages look for set wrong.
func exampleGitHub(t *testing.T) *testenv.GitHub {
	g := testenv.NewGitHub(t)
	g.AddRepo(exampleRepoOwner, exampleRepo)
	// release-gate-1 is missing; release-gate-2 has no reviewers, lets admins
	// bypass and accepts any ref; release lets reviewers approve their own
	// run and deploys from a branch.
	g.AddEnvironment(exampleRepoOwner, exampleRepo, testenv.EmuEnvironment{Name: "release-gate-2", CanAdminsBypass: true})
	g.AddEnvironment(exampleRepoOwner, exampleRepo, testenv.EmuEnvironment{Name: "release",
		Reviewers:        []testenv.EmuReviewer{{Type: "Team", Login: "releaserhq/release-team"}},
		DeploymentPolicy: "custom", Policies: []testenv.EmuPolicy{{Name: "main", Type: "branch"}}})
	return g
}

// withManifest gives the release a manifest, so the publish and finalize
// checks go past "not built yet".
func withManifest(r *Release) *Release {
	r.Manifest = &artifact.Manifest{Version: artifact.SchemaVersion,
		Release: artifact.Release{Name: r.Config.Project.Name, Version: r.Config.Project.Version, Tag: r.Tag, Commit: strings.Repeat("a", 40)},
		Artifacts: []artifact.Artifact{{Name: "hello_releaser-1.2.3-py3-none-any.whl", Path: "hello_releaser-1.2.3-py3-none-any.whl", Size: 1,
			Kind: artifact.KindWheel, Digests: artifact.Digests{SHA256: strings.Repeat("b", 64)}}}}
	return r
}

// TestEveryCheckHasACode runs every stage's checks on the shipped example
// in the situations releaser meets (laptop, CI without permissions, a
// GitHub that answers, one that refuses the token): every check carries a
// catalogued code of its own stage.
func TestEveryCheckHasACode(t *testing.T) {
	g := exampleGitHub(t)
	g.AddRelease(exampleRepoOwner, exampleRepo, "v1.2.3", true)
	api := "GITHUB_API_URL=" + g.APIURL()
	scenarios := []struct {
		name  string
		env   []string
		setup func(*Release) *Release
	}{
		{"laptop", nil, nil},
		{"laptop without a tag", nil, func(r *Release) *Release { r.Tag = ""; return r }},
		{"CI without permissions", []string{"GITHUB_ACTIONS=true", "CI=true"}, func(r *Release) *Release {
			r.Config.Attest.TrustedRoot = "no-such-trusted_root.json"
			return r
		}},
		{"GitHub answers", []string{api, "GITHUB_TOKEN=" + g.Token(), "GITHUB_RUN_ID=7"}, func(r *Release) *Release {
			r.Config.Approval.WaitTimer = 5
			return withManifest(r)
		}},
		{"GitHub refuses the token", []string{api, "GITHUB_TOKEN=ghs_refused"}, withManifest},
		{"GitHub answers, nothing built", []string{api, "GITHUB_TOKEN=" + g.Token()}, nil},
		{"outside git, repository unknown, registry unknown", nil, func(r *Release) *Release {
			r.Config.Dir, r.Config.Project.Root = t.TempDir(), "."
			r.Config.GitHub.Repository, r.Config.Identity.Repository = "", ""
			r.Config.Registry = append(r.Config.Registry, config.Registry{Kind: "nope", Package: "x"})
			return r
		}},
		{"features off", nil, func(r *Release) *Release {
			off := false
			r.Config.Attest.Enabled, r.Config.GitHub.Release = &off, &off
			r.Config.Approval.Required, r.Config.Registry = 0, nil
			return r
		}},
	}
	seen := map[string]bool{}
	for _, sc := range scenarios {
		for _, dry := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s dry=%v", sc.name, dry), func(t *testing.T) {
				r := exampleRelease(t, dry, sc.env)
				if sc.setup != nil {
					r = sc.setup(r)
				}
				for _, s := range All() {
					for _, c := range s.Check(context.Background(), r) {
						d, ok := LookupCode(c.Code)
						if !ok || d.Stage != s.Name() {
							t.Errorf("%s: check %q (%s) has code %q, not one of the stage's", s.Name(), c.Name, c.Status, c.Code)
						}
						seen[c.Code] = true
					}
				}
			})
		}
	}
	// With an ID token: the exchange's own checks.
	is := testenv.NewOIDCIssuer(t)
	is.SetRef("refs/tags/v1.0.0")
	pypi := testenv.NewPyPI(t, is)
	pypi.AddPublisher(testenv.DefaultPublisher("demo"))
	for _, sc := range []struct {
		name  string
		setup func(*Release)
	}{
		{"token ok", func(*Release) {}},
		{"other workflow", func(r *Release) { r.Config.Registry[0].Workflow = "other.yml" }},
		{"issuer unreachable", func(r *Release) { r.Config.Identity.Issuer = "http://127.0.0.1:1" }},
		{"unknown registry kind", func(r *Release) {
			r.Config.Registry = append(r.Config.Registry, config.Registry{Kind: "nope", Package: "x"})
		}},
		// PyPI answering 404 for its audience: Trusted Publishing is off there.
		{"no audience", func(*Release) { pypi.Faults().Add("/_/oidc/audience", testenv.Status(404, "")) }},
	} {
		r, _ := exchangeRelease(t, is, pypi.URL())
		sc.setup(r)
		for _, c := range (Exchange{}).Check(context.Background(), r) {
			if d, ok := LookupCode(c.Code); !ok || d.Stage != "exchange" {
				t.Errorf("exchange, %s: check %q (%s) has code %q", sc.name, c.Name, c.Status, c.Code)
			}
			seen[c.Code] = true
		}
	}
	for _, c := range (NotAvailable{StageName: "x", Issue: 1}).Check(context.Background(), nil) {
		if c.Code != CodeNotAvailable {
			t.Errorf("NotAvailable's check has code %q", c.Code)
		}
		seen[c.Code] = true
	}

	// Every kind is reached: a new code needs a scenario here too.
	for _, d := range Codes() {
		if !seen[d.Code] {
			t.Errorf("no scenario reaches %s", d.Code)
		}
	}
}

// TestNeedsToken: a check that only lacks a GitHub token says so; a token
// GitHub refuses, or no token in CI, is a failure.
func TestNeedsToken(t *testing.T) {
	g := exampleGitHub(t)
	api := "GITHUB_API_URL=" + g.APIURL()
	tests := []struct {
		name   string
		env    []string
		ghAuth string
		noTag  bool
		want   map[string]Status // check code → status
	}{
		{"laptop without a token", nil, "", false, map[string]Status{
			CodeApproveGitHubToken: StatusNeedsToken, CodePublishGitHubToken: StatusNeedsToken, CodeFinalizeGitHubRelease: StatusNeedsToken}},
		{"laptop without a token or a tag", nil, "", true, map[string]Status{
			CodeApproveGitHubToken: StatusNeedsToken, CodePublishGitHubToken: StatusNeedsToken, CodeFinalizeGitHubRelease: StatusNeedsCI}},
		{"laptop with gh logged in", []string{api}, g.Token(), false, map[string]Status{
			CodeApproveEnvironment: StatusFailed, CodeApproveAdminBypass: StatusFailed, CodeFinalizeImmutableReleases: StatusFailed,
			CodePublishGitHubToken: StatusNeedsToken}},
		{"CI without a token", []string{"GITHUB_ACTIONS=true"}, "", false, map[string]Status{
			CodeApproveGitHubToken: StatusFailed, CodePublishGitHubToken: StatusFailed, CodeFinalizeGitHubRelease: StatusFailed}},
		{"refused token", []string{api, "GITHUB_TOKEN=ghs_refused"}, "", false, map[string]Status{
			CodeApproveEnvironment: StatusFailed, CodeApproveRuleset: StatusFailed, CodePublishGitHubToken: StatusOK,
			CodeFinalizeImmutableReleases: StatusFailed}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := withManifest(exampleRelease(t, false, tt.env))
			r.ghAuth = func() string { return tt.ghAuth }
			if tt.noTag {
				r.Tag = ""
			}
			got := map[string][]Status{}
			for _, s := range All() {
				for _, c := range s.Check(context.Background(), r) {
					got[c.Code] = append(got[c.Code], c.Status)
					if c.Status == StatusNeedsToken && tt.want[c.Code] != StatusNeedsToken {
						t.Errorf("%s: %q needs a token: %s", s.Name(), c.Name, c.Detail)
					}
				}
			}
			for code, want := range tt.want {
				if len(got[code]) == 0 || !slices.Contains(got[code], want) {
					t.Errorf("%s: %v, want %s", code, got[code], want)
				}
			}
		})
	}
}
