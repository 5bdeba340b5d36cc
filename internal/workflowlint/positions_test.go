package workflowlint

import (
	"fmt"
	"strings"
	"testing"
)

// steps wraps step lines in a workflow that is otherwise clean, so that the steps start
// on line 6: "      - run: " puts a run: value at column 14.
func steps(lines ...string) string {
	return "permissions: {}\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n" + strings.Join(lines, "\n") + "\n"
}

// at renders findings of one rule as "line:col", to compare with hand-counted positions.
func at(fs []Finding, rule string) []string {
	var out []string
	for _, f := range fs {
		if f.Rule == rule {
			out = append(out, fmt.Sprintf("%d:%d", f.Line, f.Column))
		}
	}
	return out
}

// TestTemplateInjectionPositions: every expected position below was counted by hand from
// the source text, not copied from the lint's output.
// (FuzzLint starts from these sources too.)
var injectionPositionTests = []struct {
	name string
	src  string
	want []string
}{
	{"literal block", steps(
		"      - run: |",
		`          echo "${{ github.head_ref }}"`), []string{"7:17"}},
	{"folded block", steps(
		"      - run: >",
		"          echo",
		"          ${{ github.head_ref }}"), []string{"8:11"}},
	{"strip literal block, blank and more-indented lines", steps(
		"      - run: |-",
		"          if true; then",
		"",
		"            echo ${{ github.ref }}",
		"          fi"), []string{"9:18"}},
	{"keep literal block with explicit indentation", steps(
		"      - run: |+2",
		"            echo ${{ github.ref }}",
		""), []string{"7:18"}},
	{"plain", steps(
		"      - run: echo ${{ github.ref_name }}"), []string{"6:19"}},
	{"double-quoted", steps(
		`      - run: "echo ${{ github.ref_name }}"`), []string{"6:20"}},
	{"single-quoted with escaped quotes", steps(
		`      - run: 'echo ''${{ github.ref_name }}'''`), []string{"6:22"}},
	{"double-quoted, escape before it", steps(
		`      - run: "a\tb ${{ github.ref }}"`), []string{"6:20"}},
	{"double-quoted, $ written as \\x24", steps(
		`      - run: "\x24{{ github.ref }}"`), []string{"6:15"}},
	{"double-quoted, $ written as \\u0024", steps(
		`      - run: "go \u0024{{ github.ref }}"`), []string{"6:18"}},
	{"double-quoted, escaped line break inside ${{", steps(
		`      - run: "echo $\`,
		`          {{ github.ref }}"`), []string{"6:20"}},
	{"anchor and tag before a literal block", steps(
		"      - run: &s !!str |",
		"          ${{ github.ref }}"), []string{"7:11"}},
	{"anchor on its own line before a double-quoted scalar", steps(
		"      - run: &s",
		`          "x ${{ github.ref }}"`), []string{"7:14"}},
	{"multi-line plain", steps(
		"      - run: echo one",
		"          ${{ github.ref }}"), []string{"7:11"}},
	{"characters, not bytes", steps(
		"      - run: échø ${{ github.ref }}"), []string{"6:19"}},
	{"tab inside the script", steps(
		"      - run: echo\t${{ github.ref }}"), []string{"6:19"}},
	{"second expression on the line", steps(
		"      - run: echo ${{ github.sha }} ${{ github.ref }}"), []string{"6:37"}},
	{"${{ inside a string literal is not an expression start", steps(
		"      - run: echo ${{ '${{' }} ${{ github.ref }}"), []string{"6:32"}},
	{"flow mapping step", steps(
		`      - {run: "echo ${{ github.ref }}"}`), []string{"6:21"}},
	{"aliased script points at its anchor", steps(
		`      - env: {SCRIPT: &script "echo ${{ github.ref }}"}`,
		"        run: echo hi",
		"      - run: *script"), []string{"6:37"}},
	{"CRLF line endings", strings.ReplaceAll(steps(
		"      - run: |",
		`          echo "${{ github.head_ref }}"`), "\n", "\r\n"), []string{"7:17"}},
	{"CR line endings", strings.ReplaceAll(steps(
		"      - run: >",
		"          echo",
		"          ${{ github.head_ref }}"), "\n", "\r"), []string{"8:11"}},
	{"comment on the header line is not scanned", steps(
		"      - run: | # ${{ github.ref }} in a comment",
		"          echo ${{ github.sha }} ${{ github.ref }}"), []string{"7:34"}},
	{"safe expressions only", steps(
		"      - run: echo ${{ github.sha }} ${{ matrix.os }} ${{ env.TAG }} ${{ secrets.X }}"), nil},
}

func TestTemplateInjectionPositions(t *testing.T) {
	for _, tt := range injectionPositionTests {
		t.Run(tt.name, func(t *testing.T) {
			fs, err := Lint("w.yml", []byte(tt.src), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if got := at(fs, ruleTemplateInjection); fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("template-injection at %v, want %v\nall findings: %v", got, tt.want, fs)
			}
		})
	}
}

// TestPositions pins hand-counted positions of the other rules.
func TestPositions(t *testing.T) {
	tests := []struct {
		name, rule, src string
		want            []string
	}{
		{"uses: plain", ruleUnpinnedUses, steps(
			"      - uses: actions/checkout@v4",
			"        with: {persist-credentials: false}"), []string{"6:15"}},
		{"uses: quoted points at the quote", ruleUnpinnedUses, steps(
			`      - uses: "actions/checkout@v4"`,
			"        with: {persist-credentials: false}"), []string{"6:15"}},
		{"uses: in a flow mapping", ruleUnpinnedUses, steps(
			"      - {uses: a/b@v1}"), []string{"6:16"}},
		{"uses: behind an anchor points at the scalar", ruleUnpinnedUses, steps(
			"      - uses: &u a/b@v1"), []string{"6:18"}},
		{"write-all behind a tag points at the scalar", ruleExcessivePerms,
			"permissions: {}\njobs:\n  j:\n    permissions: !!str write-all\n", []string{"4:24"}},
		{"uses: after a name", ruleUnpinnedUses, steps(
			"      - name: Set up",
			"        uses: a/b@v1"), []string{"7:15"}},
		{"trigger, list form", ruleDangerousTriggers,
			"on: [push, pull_request_target]\n" + steps("      - run: x"), []string{"1:12"}},
		{"trigger, string form", ruleDangerousTriggers,
			"on: workflow_run\n" + steps("      - run: x"), []string{"1:5"}},
		{"trigger, quoted on key", ruleDangerousTriggers,
			"\"on\": pull_request_target\n" + steps("      - run: x"), []string{"1:7"}},
		{"trigger, on written as true", ruleDangerousTriggers,
			"true: [workflow_run]\n" + steps("      - run: x"), []string{"1:8"}},
		{"trigger, mapping form", ruleDangerousTriggers,
			"on:\n  push:\n  workflow_run:\n    workflows: [ci]\n" + steps("      - run: x"), []string{"3:3"}},
		{"no top-level permissions: the jobs key", ruleExcessivePerms,
			"on: push\n\njobs:\n  j:\n    runs-on: x\n    steps:\n      - run: x\n", []string{"3:1"}},
		{"top-level write scopes", ruleExcessivePerms,
			"permissions:\n  contents: read\n  packages: write\njobs:\n  j:\n    steps:\n      - run: x\n", []string{"3:3"}},
		{"job write-all: the value", ruleExcessivePerms,
			"permissions: {}\njobs:\n  j:\n    permissions: write-all\n    steps:\n      - run: x\n", []string{"4:18"}},
		{"id-token at the top level: the key", ruleIDTokenScope,
			"permissions: {contents: read, id-token: write}\njobs:\n  j:\n    steps:\n      - run: x\n", []string{"1:31"}},
		{"two id-token jobs", ruleIDTokenScope,
			"permissions: {}\njobs:\n  a:\n    environment: e\n    permissions:\n      id-token: write\n" +
				"  b:\n    environment: e\n    permissions: {id-token: write}\n", []string{"6:7", "9:19"}},
		{"publish job without environment: the job key", rulePublishWithoutEnv,
			"permissions: {}\njobs:\n  build:\n    runs-on: x\n  publish:\n    permissions:\n      id-token: write\n", []string{"5:3"}},
		{"checkout: the uses value", ruleArtipacked,
			"permissions: {}\njobs:\n  j:\n    permissions: {contents: write}\n    steps:\n" +
				"      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2\n", []string{"6:15"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs, err := Lint("w.yml", []byte(tt.src), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if got := at(fs, tt.rule); fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("%s at %v, want %v\nall findings: %v", tt.rule, got, tt.want, fs)
			}
		})
	}
}
