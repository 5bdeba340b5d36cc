package testenv

import (
	"maps"
	"strings"
)

// Default identity of the emulated workflow run. The values follow the example payload
// of reference §1.3, so a failing test reads like GitHub's documentation.
const (
	DefaultOwner       = "octo-org"
	DefaultRepo        = "octo-repo"
	DefaultOwnerID     = "65"
	DefaultRepoID      = "74"
	DefaultWorkflow    = "release.yml"
	DefaultEnvironment = "release"
	DefaultRef         = "refs/tags/v1.2.3"
	DefaultSHA         = "0123456789abcdef0123456789abcdef01234567"
)

// DefaultClaims returns the custom claims every token of a new issuer carries: GitHub's
// full claim set (reference §1.3) for a tag push of octo-org/octo-repo running
// .github/workflows/release.yml in the "release" environment on a GitHub-hosted runner.
// Numeric IDs are JSON strings, as GitHub sends them.
//
// The standard claims are not in the map because they are made per token: iss (the
// issuer's URL), aud, iat (now), nbf (iat-600), exp (iat+300), a fresh UUID jti, and sub,
// derived from repository and environment ("repo:OWNER/REPO:environment:ENV") or, when
// there is no environment, from ref ("repo:OWNER/REPO:ref:REF").
func DefaultClaims() map[string]any {
	repo := DefaultOwner + "/" + DefaultRepo
	wf := repo + "/.github/workflows/" + DefaultWorkflow + "@" + DefaultRef
	return map[string]any{
		"actor":                 "octocat",
		"actor_id":              "12",
		"base_ref":              "",
		"check_run_id":          "30123456789",
		"environment":           DefaultEnvironment,
		"environment_node_id":   "EN_kwDOAAAASs4AAAAB",
		"event_name":            "push",
		"head_ref":              "",
		"job_workflow_ref":      wf,
		"job_workflow_sha":      DefaultSHA,
		"ref":                   DefaultRef,
		"ref_protected":         "false",
		"ref_type":              "tag",
		"repository":            repo,
		"repository_id":         DefaultRepoID,
		"repository_owner":      DefaultOwner,
		"repository_owner_id":   DefaultOwnerID,
		"repository_visibility": "public",
		"run_attempt":           "1",
		"run_id":                "10123456789",
		"run_number":            "42",
		"runner_environment":    "github-hosted",
		"sha":                   DefaultSHA,
		"workflow":              "release",
		"workflow_ref":          wf,
		"workflow_sha":          DefaultSHA,
	}
}

// claimSet is the issuer's current claims. Standard claims are computed per token unless
// a test set or deleted them; sub is derived from the other claims unless a test set or
// deleted it.
type claimSet struct {
	custom  map[string]any  // custom claims, plus any standard claim a test Set
	deleted map[string]bool // computed claims (standard ones and sub) a test Deleted
}

func newClaimSet() claimSet {
	return claimSet{custom: DefaultClaims(), deleted: map[string]bool{}}
}

// Set overrides claim for every token minted or served from now on. Setting a standard
// claim ("iss", "iat", "sub", ...) replaces the computed value.
func (is *OIDCIssuer) Set(claim string, value any) {
	is.mu.Lock()
	defer is.mu.Unlock()
	is.claims.custom[claim] = value
	delete(is.claims.deleted, claim)
}

// Delete drops claim from every token minted or served from now on, e.g. "environment"
// for a job that references no environment.
func (is *OIDCIssuer) Delete(claim string) {
	is.mu.Lock()
	defer is.mu.Unlock()
	delete(is.claims.custom, claim)
	is.claims.deleted[claim] = true
}

// SetRef moves the run to ref ("refs/tags/v2.0.0", "refs/heads/main"): ref, ref_type and
// the "@REF" suffix of workflow_ref follow, and so does job_workflow_ref unless a reusable
// workflow is in use (its suffix names the called workflow's ref, not the run's). sub
// follows by derivation.
func (is *OIDCIssuer) SetRef(ref string) {
	is.mu.Lock()
	defer is.mu.Unlock()
	c := is.claims.custom
	wf, _ := c["workflow_ref"].(string)
	jwf, _ := c["job_workflow_ref"].(string)
	if wf != "" {
		c["workflow_ref"] = withRefSuffix(wf, ref)
		if jwf == wf {
			c["job_workflow_ref"] = c["workflow_ref"]
		}
	}
	c["ref"] = ref
	c["ref_type"] = refType(ref)
	delete(is.claims.deleted, "ref")
	delete(is.claims.deleted, "ref_type")
}

// UseReusableWorkflow makes the job run in a called workflow: job_workflow_ref names it
// (e.g. "octo-org/shared/.github/workflows/publish.yml@refs/heads/main") while
// workflow_ref keeps naming the caller, as GitHub does.
func (is *OIDCIssuer) UseReusableWorkflow(jobWorkflowRef string) {
	is.Set("job_workflow_ref", jobWorkflowRef)
}

// Claims returns the custom claims the next token will carry (a copy).
func (is *OIDCIssuer) Claims() map[string]any {
	is.mu.Lock()
	defer is.mu.Unlock()
	return maps.Clone(is.claims.custom)
}

// withRefSuffix replaces what follows the last '@' of a workflow ref.
func withRefSuffix(workflowRef, ref string) string {
	if i := strings.LastIndexByte(workflowRef, '@'); i >= 0 {
		workflowRef = workflowRef[:i]
	}
	return workflowRef + "@" + ref
}

// refType is GitHub's ref_type for a full ref name.
func refType(ref string) string {
	switch {
	case strings.HasPrefix(ref, "refs/tags/"):
		return "tag"
	case strings.HasPrefix(ref, "refs/heads/"):
		return "branch"
	}
	// Pull request merge refs and the like; GitHub's value for them is UNCONFIRMED.
	return ""
}

// refName is GITHUB_REF_NAME for a full ref name.
func refName(ref string) string {
	for _, p := range []string{"refs/tags/", "refs/heads/"} {
		if strings.HasPrefix(ref, p) {
			return strings.TrimPrefix(ref, p)
		}
	}
	return ref
}

// subject derives GitHub's default sub claim from the token's other claims.
func subject(claims map[string]any) string {
	repo, _ := claims["repository"].(string)
	if env, ok := claims["environment"].(string); ok && env != "" {
		return "repo:" + repo + ":environment:" + env
	}
	ref, _ := claims["ref"].(string)
	return "repo:" + repo + ":ref:" + ref
}
