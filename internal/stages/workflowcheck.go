package stages

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/releaserhq/releaser/internal/git"
	"github.com/releaserhq/releaser/internal/workflowlint"
)

// WorkflowPath is where a workflow file named name (as [identity].workflow
// says it: "release.yml", or a path ".github/workflows/release.yml") lives in
// the git repository containing dir.
func WorkflowPath(ctx context.Context, dir, name string) string {
	top := dir
	if t, err := (git.Repo{Dir: dir}).Top(ctx); err == nil && t != "" {
		top = t
	}
	if strings.Contains(name, "/") {
		return filepath.Join(top, filepath.FromSlash(name))
	}
	return filepath.Join(top, ".github", "workflows", name)
}

// runningWorkflow is the workflow file this job runs from, and the
// publishing job's id: in GitHub Actions from GITHUB_WORKFLOW_REF
// ("owner/repo/.github/workflows/release.yml@refs/tags/v1") in the checked-out
// workspace; elsewhere the file [identity].workflow names in the project's
// repository.
func (r *Release) runningWorkflow(ctx context.Context) (path, job string) {
	if r.Env.InGitHubActions() {
		ref, _, _ := strings.Cut(r.Env.Get("GITHUB_WORKFLOW_REF"), "@")
		if repo := r.Env.Get("GITHUB_REPOSITORY"); repo != "" && strings.HasPrefix(ref, repo+"/") {
			ws := r.Env.Get("GITHUB_WORKSPACE")
			if ws == "" {
				ws = "."
			}
			return filepath.Join(ws, filepath.FromSlash(strings.TrimPrefix(ref, repo+"/"))), r.Env.Get("GITHUB_JOB")
		}
	}
	if r.Config.Identity.Workflow == "" {
		return "", ""
	}
	return WorkflowPath(ctx, r.Config.RootDir(), r.Config.Identity.Workflow), ""
}

// workflowCheck lints the release workflow: a workflow that lets a pull
// request or an unpinned action near the publishing job undoes every other
// protection, so the exchange stage refuses to mint tokens from one.
func (r *Release) workflowCheck(ctx context.Context) Check {
	c := Check{Name: "release workflow lint", Code: CodeExchangeWorkflowLint}
	path, job := r.runningWorkflow(ctx)
	if path == "" {
		c.Status, c.Detail = StatusSkipped, "no [identity].workflow configured"
		return c
	}
	src, err := os.ReadFile(path)
	if err != nil {
		if r.Env.InGitHubActions() {
			c.Status = StatusWarning
			c.Detail = fmt.Sprintf("cannot read the running workflow %s: %v", path, err)
			c.Fix = "check out the repository in the publishing job (actions/checkout with persist-credentials: false) so releaser can lint the workflow it runs from"
			return c
		}
		c.Status = StatusSkipped
		c.Detail = fmt.Sprintf("no workflow file at %s yet", path)
		c.Fix = "releaser init writes a hardened one"
		return c
	}
	name := path
	if rel, err := filepath.Rel(r.Config.RootDir(), path); err == nil && !strings.HasPrefix(rel, "..") {
		name = filepath.ToSlash(rel)
	}
	findings, err := workflowlint.Lint(name, src, workflowlint.Options{PublishJob: job})
	if err != nil {
		c.Status, c.Detail = StatusFailed, err.Error()
		c.Fix = "fix the workflow file so GitHub can run it"
		return c
	}
	var errs, warns []workflowlint.Finding
	for _, f := range findings {
		if f.Severity == workflowlint.SeverityError {
			errs = append(errs, f)
		} else {
			warns = append(warns, f)
		}
	}
	switch {
	case len(errs) > 0:
		c.Status = StatusFailed
		c.Detail = fmt.Sprintf("%d finding(s) in %s, first: %s", len(errs), name, errs[0])
		c.Fix = "run `releaser lint-workflow " + name + "` for every finding with why it matters and its fix"
	case len(warns) > 0:
		c.Status = StatusWarning
		c.Detail = fmt.Sprintf("%d warning(s) in %s, first: %s", len(warns), name, warns[0])
		c.Fix = "run `releaser lint-workflow " + name + "`"
	default:
		c.Status, c.Detail = StatusOK, name+": no findings"
	}
	return c
}
