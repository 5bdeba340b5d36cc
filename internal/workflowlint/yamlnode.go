package workflowlint

import "go.yaml.in/yaml/v3"

// resolve follows an alias to the node it names. GitHub Actions expands anchors before
// it reads a workflow, so the lint must see through them too.
func resolve(n *yaml.Node) *yaml.Node {
	// An alias names an anchored node, which is never itself an alias; the bound only
	// guards against a malformed tree.
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 8; i++ {
		n = n.Alias
	}
	if n != nil && n.Kind == yaml.AliasNode {
		return nil
	}
	return n
}

// pair is one mapping entry. key keeps its own position (findings point at keys);
// value is already resolved.
type pair struct {
	key   *yaml.Node
	name  string // the key's text; "" for a key that is not a scalar
	value *yaml.Node
}

// pairs lists a mapping's entries with merge keys (<<) expanded. An explicit key wins
// over a merged one, and earlier merged mappings win over later ones, as in YAML 1.1.
// Each mapping is expanded once, so a merge cycle or a "billion laughs" of merges costs
// no more than the document's size.
func pairs(m *yaml.Node) []pair {
	m = resolve(m)
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	var out []pair
	seen := map[string]bool{}
	visited := map[*yaml.Node]bool{}
	var walk func(m *yaml.Node)
	walk = func(m *yaml.Node) {
		if visited[m] {
			return
		}
		visited[m] = true
		var merges []*yaml.Node
		for i := 0; i+1 < len(m.Content); i += 2 {
			k, v := m.Content[i], m.Content[i+1]
			rk := resolve(k)
			if rk != nil && rk.Kind == yaml.ScalarNode && rk.Tag == "!!merge" {
				merges = append(merges, v)
				continue
			}
			name := ""
			if rk != nil && rk.Kind == yaml.ScalarNode {
				name = rk.Value
			}
			// Only the first of duplicate keys counts (GitHub refuses duplicates anyway);
			// keys that are not scalars are kept so nothing is silently skipped.
			if name != "" && seen[name] {
				continue
			}
			seen[name] = name != ""
			out = append(out, pair{key: k, name: name, value: resolve(v)})
		}
		for _, v := range merges {
			v = resolve(v)
			switch {
			case v == nil:
			case v.Kind == yaml.MappingNode:
				walk(v)
			case v.Kind == yaml.SequenceNode:
				for _, item := range v.Content {
					if item = resolve(item); item != nil && item.Kind == yaml.MappingNode {
						walk(item)
					}
				}
			}
		}
	}
	walk(m)
	return out
}

// lookup finds one key in a mapping (merges included).
func lookup(m *yaml.Node, key string) (pair, bool) {
	for _, p := range pairs(m) {
		if p.name == key {
			return p, true
		}
	}
	return pair{}, false
}

// lookupValue is lookup's value, nil when the key is absent.
func lookupValue(m *yaml.Node, key string) *yaml.Node {
	p, _ := lookup(m, key)
	return p.value
}

// scalarText is a scalar's text; ok is false for anything else (a missing node, a
// mapping, a sequence).
func scalarText(n *yaml.Node) (string, bool) {
	n = resolve(n)
	if n == nil || n.Kind != yaml.ScalarNode {
		return "", false
	}
	return n.Value, true
}

// items lists a sequence's entries, resolved; nil for anything else.
func items(n *yaml.Node) []*yaml.Node {
	n = resolve(n)
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	out := make([]*yaml.Node, 0, len(n.Content))
	for _, item := range n.Content {
		if item = resolve(item); item != nil {
			out = append(out, item)
		}
	}
	return out
}

// isMapping reports whether n (resolved) is a mapping.
func isMapping(n *yaml.Node) bool {
	n = resolve(n)
	return n != nil && n.Kind == yaml.MappingNode
}
