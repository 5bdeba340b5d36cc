package identity

import (
	"encoding/json"
	"fmt"
	"strings"
)

// The claims registries bind the workflow file to. PyPI, RubyGems and NuGet
// read job_workflow_ref (the file that defines the running job); crates.io
// and npm read workflow_ref (the top-level, calling workflow). They differ
// only when the job runs in a reusable workflow.
const (
	ClaimWorkflowRef    = "workflow_ref"
	ClaimJobWorkflowRef = "job_workflow_ref"
)

// Claims are the parts of a GitHub Actions (or GitLab CI, mapped onto the
// same names) ID token the policy and the audit log use.
type Claims struct {
	Issuer            string `json:"iss"`
	Subject           string `json:"sub"`
	JTI               string `json:"jti"`
	Repository        string `json:"repository"`
	RepositoryOwner   string `json:"repository_owner"`
	RepositoryOwnerID string `json:"repository_owner_id"`
	RepositoryID      string `json:"repository_id"`
	WorkflowRef       string `json:"workflow_ref"`
	JobWorkflowRef    string `json:"job_workflow_ref"`
	Environment       string `json:"environment"`
	Ref               string `json:"ref"`
	SHA               string `json:"sha"`
	EventName         string `json:"event_name"`
	RunnerEnvironment string `json:"runner_environment"`
	RunID             string `json:"run_id"`
	RunAttempt        string `json:"run_attempt"`
	Actor             string `json:"actor"`

	// present records which claims the token carried at all: an absent
	// environment and an empty one are different mistakes.
	present map[string]bool
}

// Has reports whether the token carried the claim.
func (c *Claims) Has(name string) bool { return c.present[name] }

// ParseClaims decodes a token payload. GitLab's names are mapped onto
// GitHub's (project_path → repository, ci_config_ref_uri → both workflow
// refs, pipeline_source → event_name, …) so one policy covers both.
func ParseClaims(payload []byte, provider string) (*Claims, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(payload, &raw); err != nil {
		return nil, fmt.Errorf("token claims are not a JSON object: %w", err)
	}
	c := &Claims{present: make(map[string]bool, len(raw))}
	strs := make(map[string]string, len(raw))
	for k, v := range raw {
		c.present[k] = true
		var s string
		// GitHub sends every custom claim, numeric ids included, as a string;
		// a number here is tolerated (GitLab sends some ids as numbers in
		// older versions), anything else is left empty and fails the policy.
		if err := json.Unmarshal(v, &s); err != nil {
			var n json.Number
			if json.Unmarshal(v, &n) == nil {
				s = n.String()
			}
		}
		strs[k] = s
	}
	c.Issuer, c.Subject, c.JTI = strs["iss"], strs["sub"], strs["jti"]
	if provider == "gitlab" {
		c.Repository = strs["project_path"]
		if i := strings.LastIndex(c.Repository, "/"); i > 0 {
			c.RepositoryOwner = c.Repository[:i]
		}
		c.RepositoryOwnerID, c.RepositoryID = strs["namespace_id"], strs["project_id"]
		c.WorkflowRef, c.JobWorkflowRef = strs["ci_config_ref_uri"], strs["ci_config_ref_uri"]
		c.Ref, c.EventName = strs["ref_path"], strs["pipeline_source"]
		c.RunID, c.Actor = strs["pipeline_id"], strs["user_login"]
		c.present["repository"] = c.present["project_path"]
		c.present["workflow_ref"] = c.present["ci_config_ref_uri"]
		c.present["job_workflow_ref"] = c.present["ci_config_ref_uri"]
		c.present["event_name"] = c.present["pipeline_source"]
		c.present["ref"] = c.present["ref_path"]
	} else {
		c.Repository, c.RepositoryOwner = strs["repository"], strs["repository_owner"]
		c.RepositoryOwnerID, c.RepositoryID = strs["repository_owner_id"], strs["repository_id"]
		c.WorkflowRef, c.JobWorkflowRef = strs["workflow_ref"], strs["job_workflow_ref"]
		c.Ref, c.EventName = strs["ref"], strs["event_name"]
		c.RunID, c.RunAttempt, c.Actor = strs["run_id"], strs["run_attempt"], strs["actor"]
	}
	c.Environment, c.SHA, c.RunnerEnvironment = strs["environment"], strs["sha"], strs["runner_environment"]
	return c, nil
}

// WorkflowRef is a parsed workflow reference:
// "OWNER/REPO/.github/workflows/FILE.yml@REF" on GitHub,
// "HOST/GROUP/PROJECT//PATH/FILE.yml@REF" on GitLab.
type WorkflowRef struct {
	Repository string // OWNER/REPO (GitLab: GROUP/PROJECT)
	Path       string // .github/workflows/release.yml
	File       string // release.yml
	Ref        string // refs/tags/v1.2.3 or a commit sha
}

// ParseWorkflowRef splits a workflow_ref-style claim. ok is false when the
// value does not have the shape registries expect, which they refuse too.
func ParseWorkflowRef(s string) (w WorkflowRef, ok bool) {
	at := strings.LastIndex(s, "@")
	if at < 0 {
		return w, false
	}
	w.Ref = s[at+1:]
	p := s[:at]
	if i := strings.Index(p, "//"); i >= 0 { // GitLab ci_config_ref_uri
		host, rest := p[:i], p[i+2:]
		if j := strings.Index(host, "/"); j >= 0 {
			w.Repository = host[j+1:]
		}
		w.Path = rest
	} else {
		i := strings.Index(p, "/.github/workflows/")
		if i < 0 {
			return w, false
		}
		w.Repository, w.Path = p[:i], p[i+1:]
	}
	w.File = w.Path[strings.LastIndex(w.Path, "/")+1:]
	if w.Repository == "" || w.File == "" || !(strings.HasSuffix(w.File, ".yml") || strings.HasSuffix(w.File, ".yaml")) {
		return w, false
	}
	return w, true
}
