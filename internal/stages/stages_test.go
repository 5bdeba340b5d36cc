package stages

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/releaserhq/releaser/internal/config"
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
