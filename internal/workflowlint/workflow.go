package workflowlint

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// workflow is the part of a workflow file the rules look at, with the nodes they point to.
type workflow struct {
	on      []pair       // every top-level key that GitHub reads as `on`
	perms   *permissions // top-level permissions; nil when absent
	jobsKey *yaml.Node
	jobs    []*job
}

type job struct {
	id          string
	key         *yaml.Node
	node        *yaml.Node
	perms       *permissions // nil when the job declares none
	uses        *yaml.Node   // a reusable workflow call, or nil
	environment *yaml.Node
	env         *yaml.Node
	steps       []*step
}

type step struct {
	node   *yaml.Node
	number int // 1-based, as people count steps in the UI
	name   string
	id     string
	uses   *yaml.Node
	run    *yaml.Node
	with   *yaml.Node
	env    *yaml.Node
}

// parse decodes one workflow document. Problems that make the file something other than
// a workflow are errors; everything else is left to the rules.
func parse(name string, src []byte) (*workflow, error) {
	if !utf8.Valid(src) || bytes.HasPrefix(src, []byte{0xFE, 0xFF}) || bytes.HasPrefix(src, []byte{0xFF, 0xFE}) {
		// yaml.v3 would transcode UTF-16, and then no column would match the file.
		return nil, fmt.Errorf("%s: not a workflow: the file is not UTF-8 text", name)
	}
	dec := yaml.NewDecoder(bytes.NewReader(src))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: not a workflow: the file holds no YAML document", name)
		}
		return nil, fmt.Errorf("%s: invalid YAML: %w", name, err)
	}
	var second yaml.Node
	switch err := dec.Decode(&second); {
	case err == nil:
		return nil, fmt.Errorf("%s:%d: more than one YAML document (a `---` separator); GitHub reads a workflow file as exactly one", name, docLine(&second))
	case !errors.Is(err, io.EOF):
		return nil, fmt.Errorf("%s: invalid YAML after the first document: %w", name, err)
	}
	if len(doc.Content) == 0 {
		return nil, fmt.Errorf("%s: not a workflow: the document is empty", name)
	}
	root := resolve(doc.Content[0])
	if root == nil || root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s:%d:%d: not a workflow: the top level is not a mapping", name, doc.Content[0].Line, doc.Content[0].Column)
	}
	wf := &workflow{}
	var jobs *yaml.Node
	for _, p := range pairs(root) {
		switch {
		case isOnKey(p.key):
			wf.on = append(wf.on, p)
		case p.name == "permissions" && wf.perms == nil:
			wf.perms = parsePermissions(p)
		case p.name == "jobs" && wf.jobsKey == nil:
			wf.jobsKey, jobs = p.key, p.value
		}
	}
	if wf.jobsKey == nil {
		return nil, fmt.Errorf("%s: not a workflow: no `jobs:` key at the top level", name)
	}
	if jobs == nil || jobs.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s:%d:%d: not a workflow: `jobs:` is not a mapping of job ids to jobs", name, wf.jobsKey.Line, wf.jobsKey.Column)
	}
	for _, p := range pairs(jobs) {
		if p.name == "" || !isMapping(p.value) {
			continue // GitHub refuses such a job; nothing here can be judged
		}
		wf.jobs = append(wf.jobs, parseJob(p))
	}
	return wf, nil
}

// docLine is where a document starts, for the multi-document error.
func docLine(doc *yaml.Node) int {
	if doc.Line > 0 {
		return doc.Line
	}
	return 1
}

// isOnKey reports whether a top-level key is the triggers key: `on` in any quoting, or
// `true`, which is what a YAML 1.1 tool (PyYAML, for one) makes of a plain `on:` when it
// rewrites a workflow. yaml.v3 keeps plain `on` as the string "on".
func isOnKey(k *yaml.Node) bool {
	k = resolve(k)
	if k == nil || k.Kind != yaml.ScalarNode {
		return false
	}
	if k.Value == "on" {
		return true
	}
	return k.Tag == "!!bool" && (k.Value == "true" || k.Value == "True" || k.Value == "TRUE")
}

func parseJob(p pair) *job {
	j := &job{id: p.name, key: p.key, node: p.value}
	for _, f := range pairs(p.value) {
		switch f.name {
		case "permissions":
			j.perms = parsePermissions(f)
		case "uses":
			j.uses = f.value
		case "environment":
			j.environment = f.value
		case "env":
			j.env = f.value
		case "steps":
			for i, s := range items(f.value) {
				if s.Kind == yaml.MappingNode {
					j.steps = append(j.steps, parseStep(i+1, s))
				}
			}
		}
	}
	return j
}

func parseStep(number int, n *yaml.Node) *step {
	s := &step{node: n, number: number}
	for _, f := range pairs(n) {
		switch f.name {
		case "name":
			s.name, _ = scalarText(f.value)
		case "id":
			s.id, _ = scalarText(f.value)
		case "uses":
			s.uses = f.value
		case "run":
			s.run = f.value
		case "with":
			s.with = f.value
		case "env":
			s.env = f.value
		}
	}
	return s
}

// label names a job in messages.
func (j *job) label() string { return fmt.Sprintf("job %q", j.id) }

// label names a step in messages the way the Actions UI shows it: by name, else id,
// else its number.
func (s *step) label(j *job) string {
	switch {
	case s.name != "":
		return fmt.Sprintf("job %q, step %d (%q)", j.id, s.number, s.name)
	case s.id != "":
		return fmt.Sprintf("job %q, step %d (id %q)", j.id, s.number, s.id)
	default:
		return fmt.Sprintf("job %q, step %d", j.id, s.number)
	}
}
