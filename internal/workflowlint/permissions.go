package workflowlint

import (
	"strings"

	"go.yaml.in/yaml/v3"
)

// permissions is one `permissions:` key, at the top level or in a job.
type permissions struct {
	key   *yaml.Node
	value *yaml.Node // resolved; a scalar (write-all, read-all) or a mapping
	all   string     // "write-all", "read-all", or "" for a mapping
	scope []scopeGrant
}

type scopeGrant struct {
	name  string
	level string // read, write or none
	key   *yaml.Node
	value *yaml.Node
}

func parsePermissions(p pair) *permissions {
	perms := &permissions{key: p.key, value: p.value}
	if s, ok := scalarText(p.value); ok {
		perms.all = strings.TrimSpace(s)
		return perms
	}
	for _, g := range pairs(p.value) {
		level, _ := scalarText(g.value)
		perms.scope = append(perms.scope, scopeGrant{
			name: g.name, level: strings.TrimSpace(level), key: g.key, value: g.value,
		})
	}
	return perms
}

// writes lists the grants of write access: the write-all value, or each scope granted
// write. Nil for a nil (absent) permissions key.
func (p *permissions) writes() []*yaml.Node {
	if p == nil {
		return nil
	}
	if p.all == "write-all" {
		return []*yaml.Node{p.value}
	}
	var out []*yaml.Node
	for _, g := range p.scope {
		if g.level == "write" {
			out = append(out, g.key)
		}
	}
	return out
}

// idToken is the node that grants id-token: write (the id-token key, or a write-all
// value), nil when none does.
func (p *permissions) idToken() *yaml.Node {
	if p != nil && p.all == "write-all" {
		return p.value
	}
	return p.idTokenKey()
}

// idTokenKey is the id-token key when it says write: a job that asks for id-token by
// name. (A job's write-all is excessive-permissions' finding, and does not make the job
// the publishing one.)
func (p *permissions) idTokenKey() *yaml.Node {
	if p == nil {
		return nil
	}
	for _, g := range p.scope {
		if g.name == "id-token" && g.level == "write" {
			return g.key
		}
	}
	return nil
}

// effective is the permissions a job's token really has: its own, else the workflow's.
// inheritedDefault is true when neither says anything, so the job gets the repository's
// default token — which may be write-all, and the workflow cannot tell.
func (c *checker) effective(j *job) (p *permissions, inheritedDefault bool) {
	switch {
	case j.perms != nil:
		return j.perms, false
	case c.wf.perms != nil:
		return c.wf.perms, false
	default:
		return nil, true
	}
}
