package buildinfo

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/releaserhq/releaser/internal/workflowlint"
)

var workflows = []string{".github/workflows/ci.yml", ".github/workflows/release.yml"}

// TestWorkflowsLintClean holds releaser's own workflows to releaser's
// workflow lint: not one finding, warnings included.
func TestWorkflowsLintClean(t *testing.T) {
	root := moduleRoot(t)
	for _, name := range workflows {
		t.Run(filepath.Base(name), func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join(root, name))
			if err != nil {
				t.Fatal(err)
			}
			findings, err := workflowlint.Lint(name, src, workflowlint.Options{})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range findings {
				t.Errorf("%s (%s)\n  fix: %s", f, f.Severity, f.Fix)
			}
		})
	}
}

// step is the part of a workflow step these tests read.
type step struct {
	Uses string            `yaml:"uses"`
	Run  string            `yaml:"run"`
	With map[string]string `yaml:"with"`
	Env  map[string]string `yaml:"env"`
}

type workflow struct {
	Permissions yaml.Node `yaml:"permissions"`
	Jobs        map[string]struct {
		Needs       any               `yaml:"needs"`
		Environment string            `yaml:"environment"`
		Permissions map[string]string `yaml:"permissions"`
		Steps       []step            `yaml:"steps"`
	} `yaml:"jobs"`
}

func readWorkflow(t *testing.T, name string) workflow {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(moduleRoot(t), name))
	if err != nil {
		t.Fatal(err)
	}
	var wf workflow
	if err := yaml.Unmarshal(src, &wf); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return wf
}

// TestReleaseWorkflowShape checks what the lint cannot know: that the
// release workflow runs releaser's own action from the tagged commit with
// .github/release.toml, hands the config's output directory from the build
// job to the publishing job, and gates publishing on one job per approval
// environment.
func TestReleaseWorkflowShape(t *testing.T) {
	wf := readWorkflow(t, ".github/workflows/release.yml")
	cfg := loadReleaseConfig(t)
	outDir := cfg.Build.OutputDir + "/"

	localAction := func(job string, want string) {
		t.Helper()
		for _, s := range wf.Jobs[job].Steps {
			if s.Uses == "./" {
				if s.With["config"] != ".github/release.toml" || s.With["stages"] != want {
					t.Errorf("%s: uses: ./ with %v; want config .github/release.toml, stages %s", job, s.With, want)
				}
				return
			}
		}
		t.Errorf("%s: no step runs releaser's action from this commit (uses: ./)", job)
	}
	localAction("build", "build")
	localAction("publish", "attest..finalize")

	handsOver := func(job, action string) {
		t.Helper()
		for _, s := range wf.Jobs[job].Steps {
			if strings.HasPrefix(s.Uses, action+"@") {
				if s.With["path"] != outDir || s.With["name"] != "dist" {
					t.Errorf("%s: %s with %v; want name dist, path %s (the config's output_dir)", job, action, s.With, outDir)
				}
				return
			}
		}
		t.Errorf("%s: no %s step", job, action)
	}
	handsOver("build", "actions/upload-artifact")
	handsOver("publish", "actions/download-artifact")

	if p := wf.Jobs["build"].Permissions; len(p) != 1 || p["contents"] != "read" {
		t.Errorf("build job permissions = %v, want only contents: read", p)
	}
	if wf.Jobs["publish"].Environment != cfg.Identity.Environment {
		t.Errorf("publish job environment = %q, config's identity.environment = %q", wf.Jobs["publish"].Environment, cfg.Identity.Environment)
	}
	// Every approval environment but the publishing job's own is a gate job
	// the publishing job needs.
	needs := map[string]bool{}
	if list, ok := wf.Jobs["publish"].Needs.([]any); ok {
		for _, n := range list {
			needs[n.(string)] = true
		}
	}
	gates := 0
	for _, env := range cfg.Approval.Environments {
		if env == cfg.Identity.Environment {
			continue
		}
		gates++
		found := false
		for name, j := range wf.Jobs {
			if j.Environment == env && needs[name] {
				found = true
			}
		}
		if !found {
			t.Errorf("no job the publishing job needs is bound to approval environment %q", env)
		}
	}
	if gates < cfg.Approval.Required {
		t.Errorf("%d gate environments for approval.required = %d: one person per gate", gates, cfg.Approval.Required)
	}
}

// TestCIWorkflowRunsTheSuite: CI runs exactly .ci/run, with the toolchain
// go.mod names.
func TestCIWorkflowRunsTheSuite(t *testing.T) {
	wf := readWorkflow(t, ".github/workflows/ci.yml")
	var runs []string
	for _, s := range wf.Jobs["test"].Steps {
		if strings.HasPrefix(s.Uses, "actions/setup-go@") && (s.With["go-version-file"] != "go.mod" || s.With["cache"] != "false") {
			t.Errorf("setup-go with %v; want go-version-file: go.mod, cache: false", s.With)
		}
		if s.Run != "" {
			runs = append(runs, strings.TrimSpace(s.Run))
		}
	}
	if len(runs) != 1 || runs[0] != ".ci/run" {
		t.Errorf("the test job runs %q; want exactly .ci/run", runs)
	}
	var top map[string]string
	if err := wf.Permissions.Decode(&top); err != nil || len(top) != 1 || top["contents"] != "read" {
		t.Errorf("ci.yml permissions = %v (%v), want contents: read only", top, err)
	}
}
