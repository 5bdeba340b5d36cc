package workflowlint

import (
	"fmt"
	"testing"
)

func TestReferences(t *testing.T) {
	tests := []struct {
		body string
		want string
	}{
		{" github.event.issue.title ", "[[github event issue title]]"},
		{"github.event['issue']['title']", "[[github event issue title]]"},
		{"github.event[ 'Issue' ] . title", "[[github event issue title]]"},
		{"github.event.commits[0].message", "[[github event commits * message]]"},
		{"github.event.commits.*.message", "[[github event commits * message]]"},
		{"format('{0} {1}', github.ref, inputs.v)", "[[github ref] [inputs v]]"},
		{"contains(github.event.pull_request.labels.*.name, 'x')", "[[github event pull_request labels * name]]"},
		{"github.event[format('{0}', matrix.k)].title", "[[matrix k] [github event ? title]]"},
		{"fromJSON(steps.a.outputs.json).name", "[[steps a outputs json]]"},
		{"'github.ref' == 'x'", "[]"},
		{"'it''s' && github.sha", "[[github sha]]"},
		{"true && null || false", "[]"},
		{"!startsWith(github.ref, 'refs/tags/')", "[[github ref]]"},
		{"steps.build-step.outputs.dist-path", "[[steps build-step outputs dist-path]]"},
		{"github.event.pages[", "[[github event pages ?]]"},
		{"1.5 > 2 && github.run_attempt >= 1", "[[github run_attempt]]"},
	}
	for _, tt := range tests {
		if got := fmt.Sprint(references(tt.body)); got != tt.want {
			t.Errorf("references(%q) = %s, want %s", tt.body, got, tt.want)
		}
	}
}

func TestExpressions(t *testing.T) {
	tests := []struct {
		s    string
		want string
	}{
		{"echo ${{ a }} and ${{b}}", "[{5  a } {18 b}]"},
		{"${{ '}}' }} x", "[{0  '}}' }]"},
		{"${{ 'it''s }}' }}", "[{0  'it''s }}' }]"},
		{"unterminated ${{ a", "[{13  a}]"},
		{"$ {{ a }} ${ {b}}", "[]"},
	}
	for _, tt := range tests {
		if got := fmt.Sprint(expressions(tt.s)); got != tt.want {
			t.Errorf("expressions(%q) = %s, want %s", tt.s, got, tt.want)
		}
	}
}

func TestRefMatches(t *testing.T) {
	tests := []struct {
		ref, pattern []string
		want         bool
	}{
		{[]string{"github", "ref"}, []string{"github", "ref"}, true},
		{[]string{"github", "ref_name"}, []string{"github", "ref"}, false},
		{[]string{"github", "event"}, []string{"github", "event", "issue", "title"}, true},               // contains it
		{[]string{"inputs", "v", "x"}, []string{"inputs", "*"}, true},                                    // part of it
		{[]string{"github", "event", "*", "title"}, []string{"github", "event", "issue", "title"}, true}, // .* filter
		{[]string{"github", "event", "?"}, []string{"github", "event", "release", "name"}, true},         // computed
		{[]string{"github", "event", "issue", "number"}, []string{"github", "event", "issue", "title"}, false},
	}
	for _, tt := range tests {
		if got := refMatches(tt.ref, tt.pattern); got != tt.want {
			t.Errorf("refMatches(%v, %v) = %v", tt.ref, tt.pattern, got)
		}
	}
}
