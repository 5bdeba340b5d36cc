package workflowlint

import (
	"fmt"

	"go.yaml.in/yaml/v3"
)

var triggerWhy = map[string]string{
	"pull_request_target": "pull_request_target runs in the base repository's context — its secrets and a write-capable token — " +
		"for pull requests from any fork, so whoever opens a pull request steers a privileged run.",
	"workflow_run": "workflow_run runs with the base repository's secrets and a write-capable token after another workflow, " +
		"which may have been started by a fork's pull request; its artifacts and head branch are attacker-controlled.",
}

// checkTriggers flags pull_request_target and workflow_run in every form `on:` takes:
// `on: name`, `on: [a, b]` and `on: {name: …}`.
func checkTriggers(c *checker) {
	for _, on := range c.wf.on {
		switch v := on.value; {
		case v == nil:
		case v.Kind == yaml.ScalarNode:
			c.trigger(v.Value, v)
		case v.Kind == yaml.SequenceNode:
			for _, item := range items(v) {
				if item.Kind == yaml.ScalarNode {
					c.trigger(item.Value, item)
				}
			}
		case v.Kind == yaml.MappingNode:
			for _, p := range pairs(v) {
				c.trigger(p.name, p.key)
			}
		}
	}
}

func (c *checker) trigger(name string, at *yaml.Node) {
	why, ok := triggerWhy[name]
	if !ok {
		return
	}
	c.add(ruleDangerousTriggers, SeverityError, at,
		fmt.Sprintf("on: %s: a release workflow must not run on %s", name, name), why, "")
}
