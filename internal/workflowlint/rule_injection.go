package workflowlint

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// taint is a context path whose value someone outside the project can choose.
type taint struct {
	path     []string
	severity Severity
	env      string // the variable the runner already sets to this value, if any
}

func t(path string, sev Severity, env string) taint {
	return taint{path: strings.Split(path, "."), severity: sev, env: env}
}

// taints: zizmor's list of attacker-controllable contexts, plus the ref and tag names
// (anyone who can push a tag chooses its name, and releaser treats tag names as
// untrusted), plus workflow inputs and step outputs as warnings (whoever runs the
// workflow types the inputs; outputs often carry data derived from untrusted input).
// env.* is not listed: it is what the fix recommends, and in a script it is "$VAR".
var taints = []taint{
	t("github.event.issue.title", SeverityError, ""),
	t("github.event.issue.body", SeverityError, ""),
	t("github.event.pull_request.title", SeverityError, ""),
	t("github.event.pull_request.body", SeverityError, ""),
	t("github.event.comment.body", SeverityError, ""),
	t("github.event.review.body", SeverityError, ""),
	t("github.event.review_comment.body", SeverityError, ""),
	t("github.event.discussion.title", SeverityError, ""),
	t("github.event.discussion.body", SeverityError, ""),
	t("github.event.pull_request.head.ref", SeverityError, ""),
	t("github.event.pull_request.head.label", SeverityError, ""),
	t("github.event.pull_request.head.repo.default_branch", SeverityError, ""),
	t("github.head_ref", SeverityError, "GITHUB_HEAD_REF"),
	t("github.event.commits.*.message", SeverityError, ""),
	t("github.event.commits.*.author.email", SeverityError, ""),
	t("github.event.commits.*.author.name", SeverityError, ""),
	t("github.event.commits.*.committer.email", SeverityError, ""),
	t("github.event.commits.*.committer.name", SeverityError, ""),
	t("github.event.head_commit.message", SeverityError, ""),
	t("github.event.head_commit.author.email", SeverityError, ""),
	t("github.event.head_commit.author.name", SeverityError, ""),
	t("github.event.head_commit.committer.email", SeverityError, ""),
	t("github.event.head_commit.committer.name", SeverityError, ""),
	t("github.event.pages.*.page_name", SeverityError, ""),
	t("github.event.workflow_run.head_branch", SeverityError, ""),
	t("github.event.workflow_run.head_commit.*", SeverityError, ""),
	t("github.event.workflow_run.display_title", SeverityError, ""),
	t("github.event.workflow_run.pull_requests.*.head.ref", SeverityError, ""),
	t("github.event.release.name", SeverityError, ""),
	t("github.event.release.body", SeverityError, ""),
	t("github.event.release.tag_name", SeverityError, ""),
	t("github.event.ref", SeverityError, ""),
	t("github.ref_name", SeverityError, "GITHUB_REF_NAME"),
	t("github.ref", SeverityError, "GITHUB_REF"),
	t("inputs.*", SeverityWarning, ""),
	t("github.event.inputs.*", SeverityWarning, ""),
	t("steps.*.outputs.*", SeverityWarning, ""),
}

// checkTemplateInjection flags each ${{ }} in a run: script that reads a tainted
// context, at the ${{ itself.
func checkTemplateInjection(c *checker) {
	for _, j := range c.wf.jobs {
		for _, s := range j.steps {
			script, ok := scalarText(s.run)
			if !ok {
				continue
			}
			exprs := expressions(script)
			if len(exprs) == 0 {
				continue
			}
			offsets := exprOffsets(script)
			positions := c.src.exprPositions(s.run, len(offsets))
			for _, e := range exprs {
				sev, names, envs := judge(e.body)
				if len(names) == 0 {
					continue
				}
				pos := positions[sort.SearchInts(offsets, e.offset)]
				why := ""
				if sev == SeverityWarning {
					why = "Whoever runs the workflow, or whatever produced the step's output, chooses this value; " +
						"pasted into the script before the shell reads it, quotes and `$(…)` in it become code."
				}
				c.addAt(ruleTemplateInjection, sev, pos,
					fmt.Sprintf("%s: run: expands %s into the script", s.label(j), describe(names, sev)),
					why, injectionFix(e.body, names, envs))
			}
		}
	}
}

// judge lists the tainted references in an expression body, with the highest severity
// among them and, per reference, the runner's own variable for it ("" when none).
func judge(body string) (sev Severity, names, envs []string) {
	sev = SeverityWarning
	for _, ref := range references(body) {
		var hit *taint
		for i := range taints {
			if refMatches(ref, taints[i].path) && (hit == nil || taints[i].severity == SeverityError) {
				hit = &taints[i]
				if hit.severity == SeverityError {
					break
				}
			}
		}
		if hit == nil {
			continue
		}
		if hit.severity == SeverityError {
			sev = SeverityError
		}
		env := ""
		if len(ref) == len(hit.path) {
			env = hit.env
		}
		name := strings.Join(ref, ".")
		if slices.Contains(names, name) {
			continue
		}
		names = append(names, name)
		envs = append(envs, env)
	}
	return sev, names, envs
}

func describe(names []string, sev Severity) string {
	what := "attacker-controllable"
	if sev == SeverityWarning {
		what = "caller- or step-controlled"
	}
	return fmt.Sprintf("%s (%s)", strings.Join(names, ", "), what)
}

// injectionFix spells the fix out for this expression: the variable to use, and the
// env: entry to add when the runner does not already set one.
func injectionFix(body string, names, envs []string) string {
	var b strings.Builder
	for i, name := range names {
		if i > 0 {
			b.WriteString(" ")
		}
		if envs[i] != "" {
			fmt.Fprintf(&b, "Use \"$%s\" in the script instead (the runner sets it to %s).", envs[i], name)
			continue
		}
		v := envName(name)
		expr := strings.Join(strings.Fields(body), " ")
		if len(names) > 1 {
			expr = name
		}
		fmt.Fprintf(&b, "Add `env: %s: ${{ %s }}` to the step and use \"$%s\" in the script.", v, expr, v)
	}
	return b.String()
}

// envName makes a shell variable name from a context path's last two segments:
// github.event.issue.title → ISSUE_TITLE.
func envName(path string) string {
	var segs []string
	for _, s := range strings.Split(path, ".") {
		if s != segAny && s != segComputed {
			segs = append(segs, s)
		}
	}
	if len(segs) > 2 {
		segs = segs[len(segs)-2:]
	}
	name := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			return r
		}
		return '_'
	}, strings.Join(segs, "_"))
	if name == "" || name[0] >= '0' && name[0] <= '9' {
		name = "V_" + name
	}
	return name
}
