package github

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/url"
)

// Environment is a deployment environment's protection settings.
type Environment struct {
	Name string
	// Reviewers are the required_reviewers rule's people and teams; GitHub lets any one
	// of them approve.
	Reviewers         []Reviewer
	PreventSelfReview bool // the required_reviewers rule's prevent_self_review
	WaitTimer         int  // minutes, the wait_timer rule (0 if none)
	// CanAdminsBypass: administrators may deploy without the rules. GitHub's default is
	// true, and an answer without the field is read as true.
	CanAdminsBypass bool
	// DeploymentPolicy is "all" (deployment_branch_policy null: any branch or tag),
	// "protected" (protected_branches: only protected branches) or "custom"
	// (custom_branch_policies: only the Policies' name patterns).
	DeploymentPolicy string
	Policies         []DeploymentPolicy // every page of them; only for "custom"
}

// DeploymentPolicy is one custom deployment branch or tag policy of an environment.
type DeploymentPolicy struct {
	Name string // a name pattern, e.g. "v*" or "release/*"
	Type string // "branch" or "tag"
}

// Deployment policy values of Environment.DeploymentPolicy.
const (
	PolicyAll       = "all"
	PolicyProtected = "protected"
	PolicyCustom    = "custom"
)

// wireEnvironment is the part of "Get an environment" releaser reads. go-github v60's
// Environment would do, but its reviewer decoding panics on an entry without "type"
// and fails the whole answer on a reviewer type it does not know.
type wireEnvironment struct {
	Name                   string               `json:"name"`
	CanAdminsBypass        *bool                `json:"can_admins_bypass"`
	ProtectionRules        []wireProtectionRule `json:"protection_rules"`
	DeploymentBranchPolicy *struct {
		ProtectedBranches    bool `json:"protected_branches"`
		CustomBranchPolicies bool `json:"custom_branch_policies"`
	} `json:"deployment_branch_policy"`
}

type wireProtectionRule struct {
	Type              string         `json:"type"` // "required_reviewers", "wait_timer", "branch_policy", or a custom rule
	WaitTimer         int            `json:"wait_timer"`
	PreventSelfReview bool           `json:"prevent_self_review"`
	Reviewers         []wireReviewer `json:"reviewers"`
}

type wireBranchPolicies struct {
	TotalCount     int `json:"total_count"`
	BranchPolicies []struct {
		Name string `json:"name"`
		Type string `json:"type"`
	} `json:"branch_policies"`
}

// Environment reads the environment name of owner/repo with its protection rules and,
// for a custom deployment policy, every page of its branch and tag policies.
func (c *Client) Environment(ctx context.Context, owner, repo, name string) (*Environment, error) {
	if err := checkRepo(owner, repo); err != nil {
		return nil, err
	}
	if name == "" {
		return nil, errors.New("GitHub: an environment needs a name")
	}
	ep := endpoint{
		need: "actions: read",
		missing: fmt.Sprintf("create the environment %q in %s/%s (Settings → Environments → New environment); "+
			"a token without access to the repository also sees 404", name, owner, repo),
	}
	envPath := repoPath(owner, repo) + "/environments/" + url.PathEscape(name)
	w, err := getJSON[wireEnvironment](ctx, c, ep, fmt.Sprintf("read the environment %s of %s/%s", name, owner, repo), envPath)
	if err != nil {
		return nil, err
	}
	env, err := w.environment(owner, name)
	if err != nil {
		return nil, err
	}
	if env.DeploymentPolicy != PolicyCustom {
		return env, nil
	}
	op := fmt.Sprintf("list the deployment branch policies of environment %s in %s/%s", name, owner, repo)
	err = eachPageOf(ctx, c, op, envPath+"/deployment-branch-policies", func(p wireBranchPolicies) {
		for _, bp := range p.BranchPolicies {
			// A policy without "type" is a branch policy: the create endpoint's default
			// (whether an answer ever omits it is UNCONFIRMED).
			env.Policies = append(env.Policies, DeploymentPolicy{Name: bp.Name, Type: cmp.Or(bp.Type, "branch")})
		}
	})
	if err != nil {
		return nil, ep.annotate(err)
	}
	return env, nil
}

func (w wireEnvironment) environment(owner, name string) (*Environment, error) {
	env := &Environment{Name: w.Name, CanAdminsBypass: w.CanAdminsBypass == nil || *w.CanAdminsBypass}
	if env.Name == "" {
		env.Name = name
	}
	for _, r := range w.ProtectionRules {
		switch r.Type {
		case "required_reviewers":
			env.Reviewers = append(env.Reviewers, reviewers(r.Reviewers, owner)...)
			env.PreventSelfReview = r.PreventSelfReview
		case "wait_timer":
			env.WaitTimer = r.WaitTimer
		}
	}
	switch p := w.DeploymentBranchPolicy; {
	case p == nil:
		env.DeploymentPolicy = PolicyAll
	case p.ProtectedBranches && !p.CustomBranchPolicies:
		env.DeploymentPolicy = PolicyProtected
	case p.CustomBranchPolicies && !p.ProtectedBranches:
		env.DeploymentPolicy = PolicyCustom
	default:
		// GitHub requires exactly one of the two; guessing would risk calling an open
		// environment closed.
		return nil, fmt.Errorf("GitHub: environment %s: deployment_branch_policy has protected_branches=%t and custom_branch_policies=%t; exactly one must be true",
			name, p.ProtectedBranches, p.CustomBranchPolicies)
	}
	return env, nil
}
