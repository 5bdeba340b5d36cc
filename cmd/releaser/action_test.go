package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/releaserhq/releaser/internal/testenv"
	"go.yaml.in/yaml/v3"
)

// actionFile is action.yml as far as these tests look at it.
type actionFile struct {
	Name    string
	Inputs  map[string]actionInput
	Outputs map[string]actionInput
	Runs    struct {
		Using string
		Steps []actionStep
	}
}

type actionInput struct {
	Description string
	Default     *string
	Value       string
}

type actionStep struct {
	ID    string
	Uses  string
	Run   string
	Shell string
	Env   map[string]string
	With  map[string]string
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func readAction(t *testing.T) (actionFile, yaml.Node) {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(repoRoot(t), "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var a actionFile
	if err := yaml.Unmarshal(src, &a); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	var n yaml.Node
	if err := yaml.Unmarshal(src, &n); err != nil {
		t.Fatal(err)
	}
	return a, n
}

var pinned = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40}$`)

// TestActionDeclaration holds action.yml to its promises: every input and
// output declared and described, outputs exactly those releaser sets, third-
// party code only at a full commit SHA, and no input interpolated into a
// script.
func TestActionDeclaration(t *testing.T) {
	a, doc := readAction(t)
	if a.Runs.Using != "composite" {
		t.Fatalf("runs.using = %q, want composite", a.Runs.Using)
	}
	for _, name := range []string{"config", "stages", "dry-run", "tag"} {
		in, ok := a.Inputs[name]
		if !ok {
			t.Errorf("input %q not declared", name)
			continue
		}
		if strings.TrimSpace(in.Description) == "" || in.Default == nil {
			t.Errorf("input %q needs a description and a default", name)
		}
	}
	var outs []string
	for name, out := range a.Outputs {
		outs = append(outs, name)
		if strings.TrimSpace(out.Description) == "" {
			t.Errorf("output %q has no description", name)
		}
		if want := "${{ steps.run.outputs." + name + " }}"; out.Value != want {
			t.Errorf("output %q: value %q, want %q", name, out.Value, want)
		}
	}
	slices.Sort(outs)
	want := slices.Clone(actionOutputs)
	slices.Sort(want)
	if !slices.Equal(outs, want) {
		t.Errorf("action.yml outputs %v, releaser run sets %v", outs, want)
	}

	// Every uses: is pinned, with the version in a comment.
	var walk func(n *yaml.Node)
	uses := 0
	walk = func(n *yaml.Node) {
		for i := 0; n.Kind == yaml.MappingNode && i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Value == "uses" {
				uses++
				if !pinned.MatchString(v.Value) {
					t.Errorf("line %d: uses: %s is not pinned to a full commit SHA", v.Line, v.Value)
				}
				if !regexp.MustCompile(`^# v\d`).MatchString(v.LineComment) {
					t.Errorf("line %d: uses: %s has no `# vX.Y.Z` comment naming the version", v.Line, v.Value)
				}
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(&doc)
	if uses == 0 {
		t.Error("found no uses: at all; is the walk broken?")
	}

	// Scripts get inputs through env only, and run only scripts of this
	// checkout.
	inputsUsed := map[string]bool{}
	for i, s := range a.Runs.Steps {
		if s.Run == "" {
			continue
		}
		if strings.Contains(s.Run, "${{") {
			t.Errorf("step %d: run: interpolates an expression into the script: %q", i, s.Run)
		}
		if s.Shell != "bash" {
			t.Errorf("step %d: shell %q, want bash", i, s.Shell)
		}
		m := regexp.MustCompile(`^"\$GITHUB_ACTION_PATH/(scripts/[a-z-]+)"$`).FindStringSubmatch(strings.TrimSpace(s.Run))
		if m == nil {
			t.Errorf("step %d: run: %q — steps must only run a script from the action's own checkout", i, s.Run)
			continue
		}
		if fi, err := os.Stat(filepath.Join(repoRoot(t), m[1])); err != nil || fi.Mode()&0o111 == 0 {
			t.Errorf("step %d runs %s, which is missing or not executable", i, m[1])
		}
		for _, v := range s.Env {
			for _, m := range regexp.MustCompile(`inputs\.([a-z-]+)`).FindAllStringSubmatch(v, -1) {
				inputsUsed[m[1]] = true
			}
		}
	}
	for name := range a.Inputs {
		if !inputsUsed[name] {
			t.Errorf("input %q is declared but never reaches releaser", name)
		}
	}
}

// runActionStep runs scripts/action-run the way the composite step does,
// with the binary TestMain built through scripts/action-build.
func runActionStep(t *testing.T, dir string, inputs map[string]string) (result, map[string]string) {
	t.Helper()
	runnerTemp := filepath.Dir(filepath.Dir(filepath.Dir(binary))) // <tmp>/releaser-action/bin/releaser
	outFile := filepath.Join(t.TempDir(), "github_output")
	if err := os.WriteFile(outFile, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{"GITHUB_ACTIONS=true", "CI=true", "RUNNER_TEMP=" + runnerTemp,
		"GITHUB_ACTION_PATH=" + repoRoot(t), "GITHUB_OUTPUT=" + outFile}
	for k, v := range inputs {
		env = append(env, "RELEASER_INPUT_"+strings.ToUpper(strings.ReplaceAll(k, "-", "_"))+"="+v)
	}
	res := runCmd(t, dir, env, filepath.Join(repoRoot(t), "scripts", "action-run"))
	return res, testenv.ReadGitHubOutput(t, outFile)
}

func TestActionRunStep(t *testing.T) {
	p := newProject(t, projectConfig)

	res, outs := runActionStep(t, p.dir, map[string]string{"config": "release.toml", "stages": "..build", "tag": "v1.0.0"})
	if res.code != 0 {
		t.Fatalf("build through the action: exit %d\n%s", res.code, res.all())
	}
	if outs["result"] != "ok" || outs["release-url"] != "" || !strings.HasSuffix(outs["manifest"], "releaser-manifest.json") || outs["audit-log"] == "" {
		t.Errorf("outputs after the build: %q", outs)
	}
	var arts []artifactOutput
	if err := json.Unmarshal([]byte(outs["artifacts"]), &arts); err != nil {
		t.Fatalf("artifacts output is not JSON: %v: %q", err, outs["artifacts"])
	}
	var names []string
	for _, a := range arts {
		names = append(names, a.Name)
		if len(a.SHA256) != 64 || a.Size <= 0 || a.Published == nil || len(a.Published) != 0 {
			t.Errorf("artifact output %+v", a)
		}
	}
	if got := strings.Join(names, " "); got != "demo-1.0.0.tar.gz hello.txt notes.txt" {
		t.Errorf("artifacts output names %q", got)
	}
	if !strings.Contains(res.all(), "stage build") && !strings.Contains(res.all(), "build") {
		t.Errorf("no build stage in the output:\n%s", res.all())
	}

	// A range runs just that range; the dry-run input is passed on.
	res, outs = runActionStep(t, p.dir, map[string]string{"config": "release.toml", "stages": "build..attest", "dry-run": "true", "tag": "v1.0.0"})
	if res.code != 0 || outs["result"] != "ok" || !strings.Contains(res.all(), "dry run") || strings.Contains(res.all(), "approve") {
		t.Errorf("stages build..attest, dry run: exit %d, outputs %q\n%s", res.code, outs, res.all())
	}

	tests := []struct {
		name   string
		inputs map[string]string
		code   int
		want   string
	}{
		{"bad dry-run value", map[string]string{"dry-run": "yes"}, 2, `input dry-run must be "true" or "false"`},
		{"unknown stage", map[string]string{"stages": "deploy", "dry-run": "true"}, 2, "deploy"},
		{"missing config", map[string]string{"config": "nope.toml", "dry-run": "true"}, 2, "nope.toml"},
		// An input is an argv word, never shell: this stays a file name.
		{"input is not code", map[string]string{"config": `x"; touch pwned; echo "`, "dry-run": "true"}, 2, "touch pwned"},
		{"stage range input is not code", map[string]string{"stages": "$(touch pwned)..build", "dry-run": "true"}, 2, "$(touch pwned)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, _ := runActionStep(t, p.dir, tc.inputs)
			if res.code != tc.code || !strings.Contains(res.all(), tc.want) {
				t.Errorf("exit %d (want %d), output lacks %q:\n%s", res.code, tc.code, tc.want, res.all())
			}
			if p.exists("pwned") {
				t.Fatal("an input ran as shell code")
			}
		})
	}
}
