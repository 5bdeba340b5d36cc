package testenv

import (
	"cmp"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// EmuReviewer is a required reviewer of an environment: Type "User" with the user's
// Login, or Type "Team" with Login "org/team-slug" (a bare slug is a team of the
// repository's owner). ID 0 picks a stable ID (for a user, the one Approve and AddRun
// use for the same login).
type EmuReviewer struct {
	Type, Login string
	ID          int64
}

// EmuPolicy is a custom deployment branch or tag policy: a name pattern and its Type,
// "branch" (the default) or "tag". An alias, so a plain struct{ Name, Type string }
// literal works too.
type EmuPolicy = struct{ Name, Type string }

// EmuEnvironment is a deployment environment's protection settings.
type EmuEnvironment struct {
	Name              string
	Reviewers         []EmuReviewer // the required_reviewers rule (none: no such rule)
	PreventSelfReview bool
	WaitTimer         int // minutes (0: no wait_timer rule)
	CanAdminsBypass   bool
	// DeploymentPolicy is "all" (the default: deployment_branch_policy null),
	// "protected" (protected branches only) or "custom" (only Policies).
	DeploymentPolicy string
	Policies         []EmuPolicy
}

type ghEnv struct {
	id               int64
	e                EmuEnvironment
	policyIDs        []int64 // one per e.Policies entry
	created, updated time.Time
}

// AddEnvironment creates the environment e.Name in owner/repo or, when one of that name
// exists (names are case-insensitive), replaces its settings: a test may change them
// while releaser polls.
func (g *GitHub) AddEnvironment(owner, repo string, e EmuEnvironment) {
	switch e.DeploymentPolicy {
	case "":
		e.DeploymentPolicy = "all"
	case "all", "protected", "custom":
	default:
		panic("testenv: GitHub.AddEnvironment: DeploymentPolicy must be all, protected or custom, not " + e.DeploymentPolicy)
	}
	e.Reviewers = append([]EmuReviewer(nil), e.Reviewers...)
	e.Policies = append([]EmuPolicy(nil), e.Policies...)
	for i := range e.Policies {
		e.Policies[i].Type = cmp.Or(e.Policies[i].Type, "branch")
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	rp := g.repos[repoKey(owner, repo)]
	if rp == nil {
		panic("testenv: GitHub.AddEnvironment: no repository " + owner + "/" + repo)
	}
	for i, r := range e.Reviewers {
		switch {
		case r.ID == 0:
			e.Reviewers[i].ID = g.reviewerID(r)
		case r.Type != "Team":
			g.userIDs[strings.ToLower(r.Login)] = r.ID
		}
	}
	env := rp.env(e.Name)
	now := time.Now()
	if env == nil {
		g.nextID++
		env = &ghEnv{id: g.nextID, created: now}
		rp.envs = append(rp.envs, env)
	}
	env.e, env.updated, env.policyIDs = e, now, nil
	for range e.Policies {
		g.nextID++
		env.policyIDs = append(env.policyIDs, g.nextID)
	}
}

func (rp *ghRepo) env(name string) *ghEnv {
	for _, e := range rp.envs {
		if strings.EqualFold(e.e.Name, name) {
			return e
		}
	}
	return nil
}

// reviewerID is a user's ID (shared with Approve and AddRun) or a team's stable ID; the
// caller holds g.mu.
func (g *GitHub) reviewerID(r EmuReviewer) int64 {
	if r.Type == "Team" {
		return 1_000_000 + stableID("team:"+strings.ToLower(r.Login))
	}
	return g.userID(r.Login)
}

// getEnvironment answers "Get an environment".
func (g *GitHub) getEnvironment(w http.ResponseWriter, owner, repo, name string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	rp := g.repo(w, owner, repo, ghDocGetEnv)
	if rp == nil {
		return
	}
	env := rp.env(name)
	if env == nil {
		ghNotFound(w, ghDocGetEnv)
		return
	}
	writeJSON(w, http.StatusOK, g.envJSON(rp, env))
}

// listBranchPolicies answers "List deployment branch policies", paginated. For an
// environment whose policy is not custom GitHub's answer is UNCONFIRMED (its docs say
// the endpoints need custom_branch_policies); the emulator lists none.
func (g *GitHub) listBranchPolicies(w http.ResponseWriter, r *http.Request, owner, repo, name string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	rp := g.repo(w, owner, repo, ghDocBranchPolicies)
	if rp == nil {
		return
	}
	env := rp.env(name)
	if env == nil {
		ghNotFound(w, ghDocBranchPolicies)
		return
	}
	var all []ghBranchPolicyJSON
	if env.e.DeploymentPolicy == "custom" {
		for i, p := range env.e.Policies {
			all = append(all, ghBranchPolicyJSON{ID: env.policyIDs[i], NodeID: nodeID("MDE2OkdhdGVCcmFuY2hQb2xpY3k", env.policyIDs[i]), Name: p.Name, Type: p.Type})
		}
	}
	lo, hi := paginate(w, r, len(all))
	writeJSON(w, http.StatusOK, ghBranchPoliciesJSON{TotalCount: len(all), BranchPolicies: append([]ghBranchPolicyJSON{}, all[lo:hi]...)})
}

func nodeID(prefix string, id int64) string { return fmt.Sprintf("%s%08d", prefix, id) }
