package scaffold

import (
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

var reUsesPinned = regexp.MustCompile(`^[A-Za-z0-9-]+/[A-Za-z0-9._/-]+@[0-9a-f]{40}$`)

// The workflow parses and has the hardened shape, checked on the parsed YAML
// (not the text) for every sample and several numbers of approvers.
func TestWorkflowShape(t *testing.T) {
	const sha = "0123456789abcdef0123456789abcdef01234567"
	for _, name := range samples {
		for _, approvers := range []int{0, 1, 2, 3} {
			for _, ref := range []string{Placeholder, sha} {
				t.Run(fmt.Sprintf("%s/%d/%s", name, approvers, ref[:4]), func(t *testing.T) {
					withRemote(t, goldenRemotes[name])
					p, err := Detect(sample(name))
					if err != nil {
						t.Fatal(err)
					}
					o := DefaultOptions()
					o.Approvers, o.ReleaserRef, o.ReleaserVersion = approvers, ref, "v1.2.3"
					files, err := Render(p, o)
					if err != nil {
						t.Fatal(err)
					}
					var wf map[string]any
					if err := yaml.Unmarshal(files[1].Content, &wf); err != nil {
						t.Fatalf("workflow does not parse: %v\n%s", err, files[1].Content)
					}
					checkWorkflow(t, wf, p, o)
					if ref == sha && strings.Contains(string(files[1].Content), Placeholder) {
						t.Error("a pinned workflow still mentions the placeholder")
					}
				})
			}
		}
	}
}

func checkWorkflow(t *testing.T, wf map[string]any, p *Project, o Options) {
	t.Helper()
	if perms, ok := wf["permissions"].(map[string]any); !ok || len(perms) != 0 {
		t.Errorf("top-level permissions = %#v, want {}", wf["permissions"])
	}
	wantOn := map[string]any{"push": map[string]any{"tags": []any{"v*"}}}
	if !reflect.DeepEqual(wf["on"], wantOn) {
		t.Errorf("on = %#v, want push of v* tags only", wf["on"])
	}
	jobs := asMap(t, wf["jobs"], "jobs")
	wantJobs := []string{"build", "publish"}
	var gates []any
	for n := 1; n <= o.Approvers; n++ {
		wantJobs = append(wantJobs, fmt.Sprintf("gate-%d", n))
		gates = append(gates, fmt.Sprintf("gate-%d", n))
	}
	if got := slices.Sorted(maps.Keys(jobs)); !slices.Equal(got, slices.Sorted(slices.Values(wantJobs))) {
		t.Errorf("jobs = %v, want %v", got, wantJobs)
	}

	for name, j := range jobs {
		job := asMap(t, j, name)
		perms, ok := job["permissions"].(map[string]any)
		if !ok {
			t.Errorf("job %s has no permissions map: %#v", name, job["permissions"])
		}
		if _, ok := perms["id-token"]; ok != (name == "publish") {
			t.Errorf("job %s: id-token permission present = %v", name, ok)
		}
		for i, s := range asList(t, job["steps"], name+".steps") {
			step := asMap(t, s, fmt.Sprintf("%s.steps[%d]", name, i))
			if uses, ok := step["uses"].(string); ok {
				if !reUsesPinned.MatchString(uses) && uses != "releaserhq/releaser@"+o.ReleaserRef {
					t.Errorf("job %s uses %q: neither a 40-hex pin nor the releaser ref", name, uses)
				}
				if uses == "releaserhq/releaser@"+Placeholder && reUsesPinned.MatchString(uses) {
					t.Errorf("the placeholder %q passes as a pin", uses)
				}
			}
			if run, ok := step["run"].(string); ok && strings.Contains(run, "${{") {
				t.Errorf("job %s runs %q: an expression in a script is a template-injection risk", name, run)
			}
		}
	}

	build := asMap(t, jobs["build"], "build")
	if !reflect.DeepEqual(build["permissions"], map[string]any{"contents": "read"}) {
		t.Errorf("build permissions = %#v", build["permissions"])
	}
	steps := asList(t, build["steps"], "build.steps")
	checkCheckout(t, "build", steps[0])
	setups := map[string]bool{}
	for _, s := range steps {
		if uses, _ := asMap(t, s, "step")["uses"].(string); strings.HasPrefix(uses, "actions/setup-") {
			setups[strings.SplitN(uses, "@", 2)[0]] = true
		}
	}
	wantSetups := map[string]bool{}
	if slices.Contains(p.Kinds, Python) {
		wantSetups["actions/setup-python"] = true
	}
	if slices.Contains(p.Kinds, Npm) {
		wantSetups["actions/setup-node"] = true
	}
	if !reflect.DeepEqual(setups, wantSetups) {
		t.Errorf("setup steps %v, want %v", setups, wantSetups)
	}
	checkReleaser(t, "build", steps[len(steps)-2], o, "build", false)
	upload := asMap(t, steps[len(steps)-1], "upload")
	if !strings.HasPrefix(upload["uses"].(string), "actions/upload-artifact@") {
		t.Errorf("build's last step = %#v, want upload-artifact", upload)
	}
	if with := asMap(t, upload["with"], "upload.with"); with["name"] != "dist" || with["path"] != "dist/" {
		t.Errorf("upload with = %#v", with)
	}

	for n := 1; n <= o.Approvers; n++ {
		name := fmt.Sprintf("gate-%d", n)
		gate := asMap(t, jobs[name], name)
		if gate["needs"] != "build" || gate["environment"] != gateEnvironment(n) {
			t.Errorf("%s needs %#v, environment %#v", name, gate["needs"], gate["environment"])
		}
		if perms := asMap(t, gate["permissions"], name+".permissions"); len(perms) != 0 {
			t.Errorf("%s permissions = %#v, want {}", name, perms)
		}
		if !reflect.DeepEqual(gate["steps"], []any{map[string]any{"run": "echo approved"}}) {
			t.Errorf("%s steps = %#v", name, gate["steps"])
		}
	}

	publish := asMap(t, jobs["publish"], "publish")
	var wantNeeds any = "build"
	if o.Approvers > 0 {
		wantNeeds = gates
	}
	if !reflect.DeepEqual(publish["needs"], wantNeeds) {
		t.Errorf("publish needs %#v, want %#v", publish["needs"], wantNeeds)
	}
	if publish["environment"] != o.Environment {
		t.Errorf("publish environment = %#v, want %q", publish["environment"], o.Environment)
	}
	wantPerms := map[string]any{"contents": "write", "id-token": "write", "attestations": "write", "actions": "read"}
	if !reflect.DeepEqual(publish["permissions"], wantPerms) {
		t.Errorf("publish permissions = %#v, want %#v", publish["permissions"], wantPerms)
	}
	steps = asList(t, publish["steps"], "publish.steps")
	if len(steps) != 3 {
		t.Fatalf("publish has %d steps, want checkout, download, releaser", len(steps))
	}
	checkCheckout(t, "publish", steps[0])
	download := asMap(t, steps[1], "download")
	if !strings.HasPrefix(download["uses"].(string), "actions/download-artifact@") ||
		!reflect.DeepEqual(download["with"], map[string]any{"name": "dist", "path": "dist/"}) {
		t.Errorf("publish download step = %#v", download)
	}
	checkReleaser(t, "publish", steps[2], o, "attest..finalize", true)
}

func checkCheckout(t *testing.T, job string, s any) {
	t.Helper()
	step := asMap(t, s, job+" checkout")
	uses, _ := step["uses"].(string)
	with, _ := step["with"].(map[string]any)
	if !strings.HasPrefix(uses, "actions/checkout@") || with["persist-credentials"] != false || with["fetch-tags"] != true {
		t.Errorf("%s's first step = %#v, want checkout without persisted credentials, with tags", job, step)
	}
}

func checkReleaser(t *testing.T, job string, s any, o Options, stages string, token bool) {
	t.Helper()
	step := asMap(t, s, job+" releaser")
	if step["uses"] != "releaserhq/releaser@"+o.ReleaserRef {
		t.Errorf("%s releaser step uses %#v", job, step["uses"])
	}
	if !reflect.DeepEqual(step["with"], map[string]any{"stages": stages}) {
		t.Errorf("%s releaser with = %#v, want stages %q", job, step["with"], stages)
	}
	var wantEnv any
	if token {
		wantEnv = map[string]any{"GITHUB_TOKEN": "${{ github.token }}"}
	}
	if !reflect.DeepEqual(step["env"], wantEnv) {
		t.Errorf("%s releaser env = %#v, want %#v", job, step["env"], wantEnv)
	}
}

func asMap(t *testing.T, v any, what string) map[string]any {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("%s = %#v, want a mapping", what, v)
	}
	return m
}

func asList(t *testing.T, v any, what string) []any {
	t.Helper()
	l, ok := v.([]any)
	if !ok || len(l) == 0 {
		t.Fatalf("%s = %#v, want a non-empty list", what, v)
	}
	return l
}

// The version comment sits beside the releaser ref, where update tools look.
func TestWorkflowReleaserComment(t *testing.T) {
	p := &Project{Kinds: []Kind{Rust}, Names: map[Kind]string{Rust: "c"}, VersionFrom: "Cargo.toml"}
	o := DefaultOptions()
	o.ReleaserVersion = "v1.4.0"
	files, err := Render(p, o)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(files[1].Content), "uses: releaserhq/releaser@"+Placeholder+" # v1.4.0\n"); n != 2 {
		t.Errorf("%d releaser steps with the version comment, want 2", n)
	}
	for _, want := range []string{"Pin releaser", "owner OWNER, repository REPO", "FILL IN OWNER and REPO", "crates.io", "release-gate-1, release-gate-2, release"} {
		if !strings.Contains(string(files[1].Content), want) {
			t.Errorf("the workflow's instructions lack %q", want)
		}
	}
}
