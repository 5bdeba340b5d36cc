package workflowlint

import (
	"fmt"
	"sort"

	"go.yaml.in/yaml/v3"
)

// Severity of a finding. Errors fail `releaser lint-workflow` and the exchange stage's precondition.
type Severity string

const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
)

// Finding is one problem at one place in a workflow file.
type Finding struct {
	File     string   `json:"file"`     // as given to Lint
	Line     int      `json:"line"`     // 1-based
	Column   int      `json:"column"`   // 1-based, in characters
	Rule     string   `json:"rule"`     // rule id, see Rules
	Severity Severity `json:"severity"` // error or warning
	Message  string   `json:"message"`  // what was found, naming the job/step/key
	Why      string   `json:"why"`      // why it matters
	Fix      string   `json:"fix"`      // the concrete fix
}

// String is the one-line form "file:line:col: rule: message".
func (f Finding) String() string {
	return fmt.Sprintf("%s:%d:%d: %s: %s", f.File, f.Line, f.Column, f.Rule, f.Message)
}

// Options adjust what the lint assumes about the workflow.
type Options struct {
	// PublishJob names the job that publishes (the one that may hold id-token: write).
	// Empty: the lint infers it — the single job that requests id-token: write; if several
	// jobs do, every one of them is a finding (rule id-token-scope) unless named here.
	PublishJob string
}

// Lint checks one workflow file's contents. name is used in findings (a path as the user
// knows it). A file that is not valid YAML, or not a workflow (no `jobs:` mapping), is an
// error (with line if known), not a finding; so is a PublishJob that names no job.
// Findings are sorted by line, column, rule; none is an empty, non-nil slice.
func Lint(name string, src []byte, opts Options) ([]Finding, error) {
	wf, err := parse(name, src)
	if err != nil {
		return nil, err
	}
	c := &checker{file: name, wf: wf, src: newSourceText(src), opts: opts}
	if err := c.resolvePublishJob(); err != nil {
		return nil, err
	}
	checkTriggers(c)
	checkUses(c)
	checkPermissions(c)
	checkIDTokenScope(c)
	checkArtipacked(c)
	checkEnvironment(c)
	checkTemplateInjection(c)
	return c.sorted(), nil
}

// checker collects findings for one workflow.
type checker struct {
	file     string
	wf       *workflow
	src      *sourceText
	opts     Options
	publish  *job // nil when no job publishes (or several claim to, unnamed)
	findings []Finding
}

// add records a finding at a node: where its text starts, past any &anchor or !tag
// (yaml.v3 reports those as the node's start). why and fix default to the rule's own.
func (c *checker) add(rule string, sev Severity, at *yaml.Node, msg, why, fix string) {
	line, off := c.src.skipProperties(at.Line, c.src.byteOffset(at.Line, at.Column))
	pos := position{line, c.src.column(line, off)}
	if c.src.line(line) == nil || at.Kind != yaml.ScalarNode {
		pos = position{at.Line, at.Column}
	}
	c.addAt(rule, sev, pos, msg, why, fix)
}

// addAt records a finding at a computed position.
func (c *checker) addAt(rule string, sev Severity, pos position, msg, why, fix string) {
	r := ruleByID[rule]
	if why == "" {
		why = r.Why
	}
	if fix == "" {
		fix = r.Fix
	}
	line, col := c.src.clamp(pos.line, pos.col)
	c.findings = append(c.findings, Finding{
		File: c.file, Line: line, Column: col, Rule: rule, Severity: sev,
		Message: msg, Why: why, Fix: fix,
	})
}

// sorted orders findings by position and rule and drops exact duplicates: an aliased node
// reached twice the same way (`on: *t` and `true: *t`) is one problem, not two.
func (c *checker) sorted() []Finding {
	fs := c.findings
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		return a.Message < b.Message
	})
	// Never nil: encoding/json writes an empty result as [] rather than null.
	out := make([]Finding, 0, len(fs))
	for i, f := range fs {
		if i > 0 && f == fs[i-1] {
			continue
		}
		out = append(out, f)
	}
	return out
}
