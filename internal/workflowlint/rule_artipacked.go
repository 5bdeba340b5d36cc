package workflowlint

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// checkArtipacked flags an actions/checkout step that keeps its token in .git/config
// (persist-credentials not false) in a job where that token is worth stealing.
func checkArtipacked(c *checker) {
	for _, j := range c.wf.jobs {
		for i, s := range j.steps {
			ref, ok := scalarText(s.uses)
			if !ok || !isCheckout(ref) || persistsNothing(s) {
				continue
			}
			why := c.credentialed(j, j.steps[i:])
			if why == "" {
				continue
			}
			c.add(ruleArtipacked, SeverityError, s.uses,
				fmt.Sprintf("%s: actions/checkout without persist-credentials: false, in a job %s", s.label(j), why), "", "")
		}
	}
}

func isCheckout(ref string) bool {
	name, _, _ := strings.Cut(strings.TrimSpace(ref), "@")
	return strings.EqualFold(name, "actions/checkout")
}

// persistsNothing: with: persist-credentials: false, in any spelling the action accepts.
func persistsNothing(s *step) bool {
	v, _ := scalarText(lookupValue(s.with, "persist-credentials"))
	switch strings.TrimSpace(v) {
	case "false", "False", "FALSE":
		return true
	}
	return false
}

// credentialed says why a job's checkout token matters, "" when it does not: the token
// can write (the job's own permissions, the workflow's, or the repository default when
// neither is set), or the job can mint OIDC tokens, or the checkout step or a later one
// (or the job's env, which every step sees) uses secrets or the token.
func (c *checker) credentialed(j *job, rest []*step) string {
	perms, isDefault := c.effective(j)
	switch {
	case isDefault:
		return "with no permissions: set (its token is the repository default, possibly write-all)"
	case perms.idToken() != nil:
		return "that can mint OIDC tokens (id-token: write)"
	case len(perms.writes()) > 0:
		return "whose token can write"
	}
	if usesSecrets(j.env) {
		return "whose env: uses secrets"
	}
	for _, s := range rest {
		if usesSecrets(s.with) || usesSecrets(s.env) || usesSecrets(s.run) {
			return fmt.Sprintf("where step %d uses secrets", s.number)
		}
	}
	return ""
}

// usesSecrets reports whether a scalar, or any scalar value of a mapping, has an
// expression reading secrets.* or github.token.
func usesSecrets(n *yaml.Node) bool {
	n = resolve(n)
	if n == nil {
		return false
	}
	if n.Kind == yaml.MappingNode {
		for _, p := range pairs(n) {
			if s, ok := scalarText(p.value); ok && stringUsesSecrets(s) {
				return true
			}
		}
		return false
	}
	s, ok := scalarText(n)
	return ok && stringUsesSecrets(s)
}

func stringUsesSecrets(s string) bool {
	for _, e := range expressions(s) {
		for _, ref := range references(e.body) {
			if refMatches(ref, []string{"secrets"}) || refMatches(ref, []string{"github", "token"}) {
				return true
			}
		}
	}
	return false
}
