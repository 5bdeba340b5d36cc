package workflowlint

import (
	"fmt"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

var (
	fullSHA       = regexp.MustCompile(`^[0-9a-fA-F]{40}$`)
	shortSHA      = regexp.MustCompile(`^[0-9a-fA-F]{7,39}$`)
	dockerDigest  = regexp.MustCompile(`@sha256:[0-9a-f]{64}$`)
	placeholder   = regexp.MustCompile(`(?i)[<>]|fill|replace|todo|xxx`)
	versionInNote = regexp.MustCompile(`(?i)\bv?[0-9]+(\.[0-9]+)*\b`)
)

// checkUses flags every step `uses:` and job-level (reusable workflow) `uses:` that is
// not pinned to a full commit SHA, and warns about a SHA whose version is not named.
func checkUses(c *checker) {
	for _, j := range c.wf.jobs {
		if j.uses != nil {
			c.uses(j.uses, j.node, j.label()+" (reusable workflow)")
		}
		for _, s := range j.steps {
			if s.uses != nil {
				c.uses(s.uses, s.node, s.label(j))
			}
		}
	}
}

func (c *checker) uses(v, parent *yaml.Node, where string) {
	ref, ok := scalarText(v)
	if !ok {
		return
	}
	ref = strings.TrimSpace(ref)
	fail := func(what, fix string) {
		c.add(ruleUnpinnedUses, SeverityError, v,
			fmt.Sprintf("%s: uses: %q %s", where, ref, what), "", fix)
	}
	switch {
	case ref == "":
		return // GitHub refuses an empty uses:; nothing to pin
	case strings.HasPrefix(ref, "./"):
		return // a local action or workflow comes from this commit
	case strings.HasPrefix(ref, "docker://"):
		if !dockerDigest.MatchString(ref) {
			fail("is a container image not pinned by digest",
				"Pin the image by digest: `docker://image@sha256:<64-hex digest>` (`docker buildx imagetools inspect image:tag` shows it).")
		}
		return
	}
	at := strings.LastIndex(ref, "@")
	if at < 0 {
		fail("has no @ref, so it runs whatever the default branch holds", "")
		return
	}
	version := ref[at+1:]
	switch {
	case placeholder.MatchString(version):
		fail(fmt.Sprintf("has a placeholder not filled in (%q)", version),
			"Replace the placeholder with the full 40-character commit SHA of the version named in the comment, "+
				"and keep that comment: `@<commit SHA> # vX.Y.Z`.")
	case fullSHA.MatchString(version):
		if note := lineComment(v, parent); !versionInNote.MatchString(note) {
			c.add(ruleUnpinnedUses, SeverityWarning, v,
				fmt.Sprintf("%s: uses: %q is pinned, but no comment says which version the SHA is", where, ref),
				"A bare SHA hides which version it is; add `# vX.Y.Z`, so reviewers and update tools can tell what is pinned.",
				"Add the version the SHA belongs to as a comment on the same line: `uses: "+ref+" # vX.Y.Z`.")
		}
	case shortSHA.MatchString(version):
		fail(fmt.Sprintf("is pinned to a short SHA (%q), which another commit can come to match", version), "")
	case version == "":
		fail("has an empty @ref", "")
	default:
		fail(fmt.Sprintf("is pinned to %q, a tag or branch that can be moved to other code", version), "")
	}
}

// lineComment is the text of the comment on a uses: value's line. yaml.v3 attaches a
// trailing comment to the value, in block style and in a multi-line flow mapping; after
// a one-line flow mapping (`- {uses: a@sha, with: {…}} # v1`) it is the mapping's.
func lineComment(v, parent *yaml.Node) string {
	c := v.LineComment
	if c == "" && parent != nil && parent.Style&yaml.FlowStyle != 0 && parent.Line == v.Line {
		c = parent.LineComment
	}
	return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(c), "#"))
}
