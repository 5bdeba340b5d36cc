package workflowlint

import (
	"fmt"
	"strings"
)

// checkPermissions flags a workflow without top-level permissions, top-level write
// grants, and a job asking for write-all.
func checkPermissions(c *checker) {
	top := c.wf.perms
	switch {
	case top == nil:
		// Pointing at jobs: puts the finding where the fix goes, just above it.
		k := c.wf.jobsKey
		c.add(ruleExcessivePerms, SeverityError, k,
			"the workflow has no top-level permissions:, so jobs without their own get the repository's default token", "",
			"Add `permissions: {}` above `jobs:` and give each job only the scopes it needs, in that job.")
	case top.all == "write-all":
		c.add(ruleExcessivePerms, SeverityError, top.value,
			"permissions: write-all at the top level gives every job write access to everything", "", "")
	default:
		for _, g := range top.scope {
			if g.level == "write" {
				c.add(ruleExcessivePerms, SeverityError, g.key,
					fmt.Sprintf("top-level permissions grant %s: write to every job", g.name), "",
					fmt.Sprintf("Move `%s: write` into the permissions of the one job that needs it and leave the top level at `permissions: {}`.", g.name))
			}
		}
	}
	for _, j := range c.wf.jobs {
		if j.perms != nil && j.perms.all == "write-all" {
			c.add(ruleExcessivePerms, SeverityError, j.perms.value,
				fmt.Sprintf("%s: permissions: write-all gives the job write access to everything", j.label()),
				"write-all gives this job's token write access to every scope, id-token included, so any step or action "+
					"in it can push code, rewrite releases or mint OIDC tokens.",
				"List only the scopes this job needs, e.g. `permissions: {contents: read}`.")
		}
	}
}

// idTokenJobs are the jobs whose own permissions say id-token: write.
func (c *checker) idTokenJobs() []*job {
	var out []*job
	for _, j := range c.wf.jobs {
		if j.perms.idTokenKey() != nil {
			out = append(out, j)
		}
	}
	return out
}

// resolvePublishJob finds the publishing job: the one named in Options, else the single
// job that asks for id-token: write. A name that matches no job is the caller's mistake.
func (c *checker) resolvePublishJob() error {
	if name := c.opts.PublishJob; name != "" {
		for _, j := range c.wf.jobs {
			if j.id == name {
				c.publish = j
				return nil
			}
		}
		ids := make([]string, 0, len(c.wf.jobs))
		for _, j := range c.wf.jobs {
			ids = append(ids, j.id)
		}
		return fmt.Errorf("%s: the publishing job %q is not in the workflow (jobs: %s)", c.file, name, strings.Join(ids, ", "))
	}
	if jobs := c.idTokenJobs(); len(jobs) == 1 {
		c.publish = jobs[0]
	}
	return nil
}

// checkIDTokenScope flags id-token: write at the top level, and in any job but the
// publishing one. Without a named publishing job, several id-token jobs are all flagged:
// the lint cannot tell which one is meant to publish.
func checkIDTokenScope(c *checker) {
	if at := c.wf.perms.idToken(); at != nil {
		msg := "id-token: write is granted at the top level, so every job can mint OIDC tokens"
		if c.wf.perms.all == "write-all" {
			msg = "permissions: write-all at the top level includes id-token: write, so every job can mint OIDC tokens"
		}
		c.add(ruleIDTokenScope, SeverityError, at, msg, "",
			"Remove id-token: write from the top-level permissions and grant it in the publishing job's own permissions.")
	}
	jobs := c.idTokenJobs()
	for _, j := range jobs {
		if j == c.publish {
			continue
		}
		at := j.perms.idTokenKey()
		msg := fmt.Sprintf("%s: id-token: write in a job that does not publish (the publishing job is %q)", j.label(), c.opts.PublishJob)
		fix := "Remove id-token: write from this job; only the publishing job may hold it."
		if c.publish == nil {
			msg = fmt.Sprintf("%s: id-token: write in one of %d jobs that ask for it; only one job may publish", j.label(), len(jobs))
			fix = "Keep id-token: write in the one job that publishes and remove it from the others; " +
				"if several jobs must stay, name the publishing job explicitly (the publish-job option) and remove it from the rest."
		}
		c.add(ruleIDTokenScope, SeverityError, at, msg, "", fix)
	}
}

// checkEnvironment flags a publishing job without an environment. A job that calls a
// reusable workflow cannot have one (GitHub refuses environment: next to a job's uses:);
// the called workflow's job must declare it, and that file is linted on its own.
func checkEnvironment(c *checker) {
	j := c.publish
	if j == nil || j.uses != nil || hasEnvironment(j) {
		return
	}
	why := "it holds id-token: write"
	if c.opts.PublishJob != "" {
		why = "named as the publishing job"
	}
	c.add(rulePublishWithoutEnv, SeverityError, j.key,
		fmt.Sprintf("%s publishes (%s) but has no environment:", j.label(), why), "", "")
}

// hasEnvironment: `environment: name` or `environment: {name: …}`, non-empty.
func hasEnvironment(j *job) bool {
	if s, ok := scalarText(j.environment); ok {
		return strings.TrimSpace(s) != ""
	}
	s, _ := scalarText(lookupValue(j.environment, "name"))
	return strings.TrimSpace(s) != ""
}
