package workflowlint

import (
	"sort"
	"strconv"
	"strings"
	"testing"
)

const sha = "11bd71901bbe5b1630ceea73d27597364c9af683"

// rulesOf summarises findings as sorted "rule/severity" strings.
func rulesOf(fs []Finding) string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Rule+"/"+string(f.Severity))
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

func mustLint(t *testing.T, src string, opts Options) []Finding {
	t.Helper()
	fs, err := Lint("w.yml", []byte(src), opts)
	if err != nil {
		t.Fatalf("Lint: %v\n%s", err, src)
	}
	return fs
}

func TestUnpinnedUses(t *testing.T) {
	tests := []struct {
		uses     string
		want     string // rulesOf
		inMsg    string
		inFix    string
		wantNone bool
	}{
		{uses: "actions/setup-go@" + sha + " # v5.2.0", wantNone: true},
		{uses: "actions/setup-go@" + strings.ToUpper(sha) + " # v5", wantNone: true},
		{uses: "./.github/actions/build", wantNone: true},
		{uses: "docker://alpine@sha256:" + strings.Repeat("ab", 32), wantNone: true},
		{uses: "docker://alpine:3.20@sha256:" + strings.Repeat("0f", 32), wantNone: true},
		{uses: "actions/setup-go@v5", want: "unpinned-uses/error", inMsg: `pinned to "v5", a tag or branch`},
		{uses: "owner/repo/path/to/action@main", want: "unpinned-uses/error", inMsg: `"main"`},
		{uses: "actions/setup-go@3041bf5", want: "unpinned-uses/error", inMsg: "short SHA"},
		{uses: "actions/setup-go", want: "unpinned-uses/error", inMsg: "no @ref"},
		{uses: "actions/setup-go@", want: "unpinned-uses/error", inMsg: "empty @ref"},
		{uses: "docker://alpine:3.20", want: "unpinned-uses/error", inMsg: "not pinned by digest"},
		{uses: "docker://alpine@sha256:abc", want: "unpinned-uses/error", inMsg: "not pinned by digest"},
		{uses: "actions/setup-go@<sha> # v5.2.0", want: "unpinned-uses/error", inMsg: "placeholder not filled in", inFix: "version named in the comment"},
		{uses: "actions/setup-go@FILL_ME_IN # v5.2.0", want: "unpinned-uses/error", inMsg: "placeholder not filled in"},
		{uses: "actions/setup-go@todo # v5.2.0", want: "unpinned-uses/error", inMsg: "placeholder not filled in"},
		{uses: "actions/setup-go@xxxxxxxx # v5.2.0", want: "unpinned-uses/error", inMsg: "placeholder not filled in"},
		{uses: "actions/setup-go@replace-me # v5.2.0", want: "unpinned-uses/error", inMsg: "placeholder not filled in"},
		{uses: "actions/setup-go@" + sha, want: "unpinned-uses/warning", inMsg: "no comment says which version", inFix: "# vX.Y.Z"},
		{uses: "actions/setup-go@" + sha + " # pinned by hand", want: "unpinned-uses/warning"},
	}
	for _, tt := range tests {
		t.Run(tt.uses, func(t *testing.T) {
			fs := mustLint(t, steps("      - uses: "+tt.uses), Options{})
			if tt.wantNone {
				if len(fs) != 0 {
					t.Fatalf("findings %v, want none", fs)
				}
				return
			}
			if got := rulesOf(fs); got != tt.want {
				t.Fatalf("got %q, want %q: %v", got, tt.want, fs)
			}
			if !strings.Contains(fs[0].Message, tt.inMsg) || !strings.Contains(fs[0].Fix, tt.inFix) {
				t.Errorf("message %q / fix %q, want them to contain %q / %q", fs[0].Message, fs[0].Fix, tt.inMsg, tt.inFix)
			}
		})
	}
}

func TestUsesVersionComment(t *testing.T) {
	tests := []struct {
		name, src string
		want      string
	}{
		{"one-line flow mapping carries the comment", steps("      - {uses: a/b@" + sha + ", with: {x: y}} # v1.2.3"), ""},
		{"multi-line flow mapping", steps("      - {", "          uses: a/b@"+sha+",  # v1", "        }"), ""},
		{"comment on another line does not count", steps("      # v1.2.3", "      - uses: a/b@"+sha), "unpinned-uses/warning"},
		{"reusable workflow without comment",
			"permissions: {}\njobs:\n  call:\n    uses: o/r/.github/workflows/w.yml@" + sha + "\n", "unpinned-uses/warning"},
		{"reusable workflow on a tag",
			"permissions: {}\njobs:\n  call:\n    uses: o/r/.github/workflows/w.yml@v1\n", "unpinned-uses/error"},
		{"local reusable workflow", "permissions: {}\njobs:\n  call:\n    uses: ./.github/workflows/w.yml\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := rulesOf(mustLint(t, tt.src, Options{})); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestTriggers(t *testing.T) {
	job := "permissions: {}\njobs:\n  j:\n    steps:\n      - run: x\n"
	tests := []struct {
		on   string
		want int
	}{
		{"on: push\n", 0},
		{"on: pull_request_target\n", 1},
		{"on: [push, workflow_run, pull_request_target]\n", 2},
		{"on:\n  - pull_request\n  - workflow_run\n", 1},
		{"on:\n  pull_request_target:\n    types: [opened]\n  workflow_run:\n    workflows: [ci]\n", 2},
		{"on: {pull_request: {}, push: {tags: ['v*']}}\n", 0},
		{"'on': workflow_run\n", 1},
		{"\"on\": {pull_request_target: {}}\n", 1},
		{"true: pull_request_target\n", 1},
		{"True: [workflow_run]\n", 1},
		{"\"true\": workflow_run\n", 0}, // a quoted "true" is a string, not YAML 1.1's on
		{"x-triggers: &t [workflow_run]\non: *t\n", 1},
	}
	for _, tt := range tests {
		t.Run(tt.on, func(t *testing.T) {
			fs := mustLint(t, tt.on+job, Options{})
			if got := len(at(fs, ruleDangerousTriggers)); got != tt.want {
				t.Errorf("%d dangerous-triggers findings, want %d: %v", got, tt.want, fs)
			}
		})
	}
}

func TestPermissions(t *testing.T) {
	body := "jobs:\n  j:\n    steps:\n      - run: x\n"
	tests := []struct {
		top  string
		want string
	}{
		{"", "excessive-permissions/error"},
		{"permissions: {}\n", ""},
		{"permissions: read-all\n", ""},
		{"permissions:\n  contents: read\n  actions: read\n", ""},
		{"permissions: write-all\n", "excessive-permissions/error id-token-scope/error"},
		{"permissions:\n  contents: write\n  issues: write\n", "excessive-permissions/error excessive-permissions/error"},
		{"permissions: {contents: none}\n", ""},
		{"x-perms: &p {packages: write}\npermissions: *p\n", "excessive-permissions/error"},
	}
	for _, tt := range tests {
		t.Run(tt.top, func(t *testing.T) {
			if got := rulesOf(mustLint(t, tt.top+body, Options{})); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	t.Run("job write-all", func(t *testing.T) {
		fs := mustLint(t, "permissions: {}\njobs:\n  j:\n    permissions: write-all\n    steps:\n      - run: x\n", Options{})
		if got := rulesOf(fs); got != "excessive-permissions/error" {
			t.Errorf("got %q", got)
		}
	})
	t.Run("job-level writes are fine", func(t *testing.T) {
		fs := mustLint(t, "permissions: {}\njobs:\n  j:\n    permissions: {contents: write, packages: write}\n    steps:\n      - run: x\n", Options{})
		if len(fs) != 0 {
			t.Errorf("findings %v", fs)
		}
	})
}

func TestIDTokenScopeAndPublishJob(t *testing.T) {
	two := "permissions: {}\njobs:\n" +
		"  build:\n    permissions: {id-token: write}\n    steps: [{run: make}]\n" +
		"  publish:\n    environment: release\n    permissions: {id-token: write}\n    steps: [{run: make publish}]\n"
	tests := []struct {
		name string
		src  string
		opts Options
		want []string // "rule line:col"
	}{
		{"several, none named: all flagged", two, Options{}, []string{"id-token-scope 4:19", "id-token-scope 8:19"}},
		{"several, one named: the others flagged", two, Options{PublishJob: "publish"}, []string{"id-token-scope 4:19"}},
		{"named job without environment", two, Options{PublishJob: "build"},
			[]string{"publish-without-environment 3:3", "id-token-scope 8:19"}},
		{"single id-token job is the publishing one", "permissions: {}\njobs:\n  p:\n    environment: {name: release}\n    permissions: {id-token: write}\n", Options{}, nil},
		{"empty environment name", "permissions: {}\njobs:\n  p:\n    environment: {name: ''}\n    permissions: {id-token: write}\n", Options{},
			[]string{"publish-without-environment 3:3"}},
		{"empty environment string", "permissions: {}\njobs:\n  p:\n    environment: \"\"\n    permissions: {id-token: write}\n", Options{},
			[]string{"publish-without-environment 3:3"}},
		{"a reusable workflow call cannot have an environment", "permissions: {}\njobs:\n  p:\n    permissions: {id-token: write}\n    uses: ./.github/workflows/publish.yml\n", Options{}, nil},
		{"job write-all is not an id-token request", "permissions: {}\njobs:\n  p:\n    environment: release\n    permissions: {id-token: write}\n  q:\n    permissions: write-all\n", Options{},
			[]string{"excessive-permissions 7:18"}},
		{"no id-token job: nothing publishes", "permissions: {}\njobs:\n  build:\n    steps: [{run: make}]\n", Options{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, f := range mustLint(t, tt.src, tt.opts) {
				got = append(got, f.Rule+" "+strings.Join(at([]Finding{f}, f.Rule), ""))
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	t.Run("unknown publishing job is an error", func(t *testing.T) {
		_, err := Lint("w.yml", []byte(two), Options{PublishJob: "release"})
		if err == nil || !strings.Contains(err.Error(), `"release" is not in the workflow`) || !strings.Contains(err.Error(), "build, publish") {
			t.Errorf("err = %v", err)
		}
	})
}

func TestArtipacked(t *testing.T) {
	checkout := "      - uses: actions/checkout@" + sha + " # v4.2.2\n"
	tests := []struct {
		name string
		src  string
		want int
	}{
		{"read-only job, no secrets", "permissions: {}\njobs:\n  j:\n    permissions: {contents: read}\n    steps:\n" + checkout + "      - run: make\n", 0},
		{"no permissions anywhere: the default token", "on: push\njobs:\n  j:\n    steps:\n" + checkout, 1},
		{"write inherited from the top level", "permissions: {contents: write}\njobs:\n  j:\n    steps:\n" + checkout, 1},
		{"job permissions override a writing top level", "permissions: {contents: write}\njobs:\n  j:\n    permissions: {contents: read}\n    steps:\n" + checkout, 0},
		{"id-token in the job", "permissions: {}\njobs:\n  j:\n    environment: e\n    permissions: {id-token: write}\n    steps:\n" + checkout, 1},
		{"later step uses a secret in env", "permissions: {}\njobs:\n  j:\n    steps:\n" + checkout + "      - run: make\n        env: {TOKEN: '${{ secrets.TOKEN }}'}\n", 1},
		{"later step uses github.token in with", "permissions: {}\njobs:\n  j:\n    steps:\n" + checkout + "      - uses: ./x\n        with: {token: '${{ github.token }}'}\n", 1},
		{"later step uses secrets in run", "permissions: {}\njobs:\n  j:\n    steps:\n" + checkout + "      - run: curl -H \"${{ secrets['API_KEY'] }}\" x\n", 1},
		{"the checkout step's own token input", "permissions: {}\njobs:\n  j:\n    steps:\n" + checkout + "        with: {token: '${{ secrets.PAT }}'}\n", 1},
		{"job env uses a secret", "permissions: {}\njobs:\n  j:\n    env: {T: '${{ secrets.T }}'}\n    steps:\n" + checkout, 1},
		{"only an earlier step uses a secret", "permissions: {}\njobs:\n  j:\n    steps:\n      - run: echo ${{ secrets.X }}\n" + checkout, 0},
		{"secrets named in plain text are not a reference", "permissions: {}\njobs:\n  j:\n    steps:\n" + checkout + "      - run: echo secrets.X github.token\n", 0},
		{"persist-credentials false", "on: push\njobs:\n  j:\n    steps:\n" + checkout + "        with: {persist-credentials: false}\n", 0},
		{"persist-credentials 'false' as a string", "on: push\njobs:\n  j:\n    steps:\n" + checkout + "        with: {persist-credentials: 'false'}\n", 0},
		{"persist-credentials False", "on: push\njobs:\n  j:\n    steps:\n" + checkout + "        with: {persist-credentials: False}\n", 0},
		{"persist-credentials true", "on: push\njobs:\n  j:\n    steps:\n" + checkout + "        with: {persist-credentials: true}\n", 1},
		{"persist-credentials from an expression", "on: push\njobs:\n  j:\n    steps:\n" + checkout + "        with: {persist-credentials: '${{ inputs.p }}'}\n", 1},
		{"other actions are not checkout", "on: push\njobs:\n  j:\n    steps:\n      - uses: actions/checkout-extra@" + sha + " # v1\n", 0},
		{"checkout by tag is checkout too", "on: push\njobs:\n  j:\n    steps:\n      - uses: Actions/Checkout@v4\n", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := mustLint(t, tt.src, Options{})
			if got := len(at(fs, ruleArtipacked)); got != tt.want {
				t.Errorf("%d artipacked findings, want %d: %v", got, tt.want, fs)
			}
		})
	}
}

func TestTemplateInjectionSeverity(t *testing.T) {
	tests := []struct {
		expr string
		want string // severity, "" for no finding
	}{
		{"github.event.issue.title", "error"},
		{"github.event.issue.body", "error"},
		{"github.event.pull_request.body", "error"},
		{"github.event.comment.body", "error"},
		{"github.event.review.body", "error"},
		{"github.event.review_comment.body", "error"},
		{"github.event.discussion.body", "error"},
		{"github.event.pull_request.head.ref", "error"},
		{"github.event.pull_request.head.label", "error"},
		{"github.event.pull_request.head.repo.default_branch", "error"},
		{"github.head_ref", "error"},
		{"github.event.commits[0].message", "error"},
		{"github.event.commits.*.author.email", "error"},
		{"github.event.head_commit.message", "error"},
		{"github.event.head_commit.author.name", "error"},
		{"github.event.pages[1].page_name", "error"},
		{"github.event.workflow_run.head_branch", "error"},
		{"github.event.workflow_run.head_commit.message", "error"},
		{"github.event.release.name", "error"},
		{"github.event.release.body", "error"},
		{"github.event.release.tag_name", "error"},
		{"github.ref_name", "error"},
		{"github.ref", "error"},
		{"github.event['issue']['title']", "error"},
		{"github.event[ 'issue' ].title", "error"},
		{"GitHub.Event.Issue.Title", "error"},
		{"format('{0}-{1}', github.sha, github.event.issue.title)", "error"},
		{"toJSON(github.event)", "error"},
		{"toJSON(github.event.pull_request.head)", "error"},
		{"github.event.*.title", "error"},
		{"github.event[format('{0}', 'issue')].title", "error"},
		{"github.event.issue.title || 'none'", "error"},
		{"inputs.version", "warning"},
		{"github.event.inputs.version", "warning"},
		{"steps.meta.outputs.tags", "warning"},
		{"inputs.version && github.head_ref", "error"},
		{"github.sha", ""},
		{"github.ref_type", ""},
		{"github.event_name", ""},
		{"github.repository", ""},
		{"github.event.pull_request.number", ""},
		{"github.event.pull_request.head.sha", ""},
		{"github.event.issue.number", ""},
		{"env.TAG", ""},
		{"matrix.os", ""},
		{"runner.temp", ""},
		{"secrets.TOKEN", ""},
		{"needs.build.result", ""},
		{"steps.meta.conclusion", ""},
		{"'github.event.issue.title'", ""},
		{"fromJSON(steps.meta.conclusion).title", ""},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			fs := mustLint(t, steps("      - run: echo \"${{ "+tt.expr+" }}\""), Options{})
			got := ""
			for _, f := range fs {
				if f.Rule == ruleTemplateInjection {
					got = string(f.Severity)
				}
			}
			if got != tt.want {
				t.Errorf("severity %q, want %q: %v", got, tt.want, fs)
			}
		})
	}
}

func TestTemplateInjectionFix(t *testing.T) {
	tests := []struct{ expr, inFix string }{
		{"github.ref_name", `"$GITHUB_REF_NAME"`},
		{"github.head_ref", `"$GITHUB_HEAD_REF"`},
		{"github.event.issue.title", "env: ISSUE_TITLE: ${{ github.event.issue.title }}"},
		{"github.event['issue']['title']", `use "$ISSUE_TITLE"`},
		{"steps.meta.outputs.version", "env: OUTPUTS_VERSION: ${{ steps.meta.outputs.version }}"},
	}
	for _, tt := range tests {
		fs := mustLint(t, steps("      - run: echo ${{ "+tt.expr+" }}"), Options{})
		if len(fs) != 1 || !strings.Contains(fs[0].Fix, tt.inFix) {
			t.Errorf("%s: findings %v; want one whose fix contains %q", tt.expr, fs, tt.inFix)
		}
	}
}

func TestTemplateInjectionNamesEachReferenceOnce(t *testing.T) {
	fs := mustLint(t, steps("      - run: echo ${{ github.ref != '' && github.ref || github.head_ref }}"), Options{})
	if len(fs) != 1 || !strings.Contains(fs[0].Message, "expands github.ref, github.head_ref (") {
		t.Errorf("findings %v", fs)
	}
}

func TestOnlyRunIsCheckedForInjection(t *testing.T) {
	src := steps(
		"      - uses: actions/github-script@"+sha+" # v7",
		"        with:",
		"          title: ${{ github.event.issue.title }}",
		"        env:",
		"          TITLE: ${{ github.event.issue.title }}",
		"      - if: github.event.issue.title != ''",
		`        run: echo "$TITLE"`,
		"        name: ${{ github.event.issue.title }}")
	if fs := mustLint(t, src, Options{}); len(fs) != 0 {
		t.Errorf("findings %v, want none", fs)
	}
}

func TestAnchorsAndMergeKeys(t *testing.T) {
	src := "permissions: {}\n" +
		"jobs:\n" +
		"  build:\n" +
		"    permissions: &ro {contents: read}\n" +
		"    steps:\n" +
		"      - &co\n" +
		"        uses: actions/checkout@v4\n" +
		"        with: {persist-credentials: false}\n" +
		"  publish:\n" +
		"    <<: {environment: release}\n" +
		"    permissions:\n" +
		"      <<: *ro\n" +
		"      id-token: write\n" +
		"    steps:\n" +
		"      - *co\n"
	fs := mustLint(t, src, Options{})
	// The checkout is reached twice, from two jobs: one finding per job, both at the anchor.
	var got []string
	for _, f := range fs {
		got = append(got, f.Rule+" "+strings.Join(at([]Finding{f}, f.Rule), "")+" "+f.Message[:strings.Index(f.Message, ",")])
	}
	want := []string{`unpinned-uses 7:15 job "build"`, `unpinned-uses 7:15 job "publish"`}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestMergeCycleAndBlowUpTerminate(t *testing.T) {
	// A recursive anchor, and merges that would double at every level if expanded naively.
	var b strings.Builder
	b.WriteString("x0: &a0 {k: v}\n")
	for i := 1; i < 40; i++ {
		b.WriteString("x" + strconv.Itoa(i) + ": &a" + strconv.Itoa(i) + " {<<: [*a" + strconv.Itoa(i-1) + ", *a" + strconv.Itoa(i-1) + "]}\n")
	}
	b.WriteString("loop: &l [*l]\npermissions: {}\njobs:\n  j:\n    <<: *a39\n    steps: *l\n")
	if _, err := Lint("w.yml", []byte(b.String()), Options{}); err != nil {
		t.Fatal(err)
	}
}
