package testenv

import (
	"cmp"
	"hash/fnv"
	"net/url"
	"strconv"
	"strings"
)

// ghSimpleUser is GitHub's "simple-user" object.
type ghSimpleUser struct {
	Login      string `json:"login"`
	ID         int64  `json:"id"`
	NodeID     string `json:"node_id"`
	AvatarURL  string `json:"avatar_url"`
	GravatarID string `json:"gravatar_id"`
	URL        string `json:"url"`
	HTMLURL    string `json:"html_url"`
	Type       string `json:"type"`
	SiteAdmin  bool   `json:"site_admin"`
}

// ghTeamJSON is GitHub's "team" object as a reviewer.
type ghTeamJSON struct {
	ID                  int64   `json:"id"`
	NodeID              string  `json:"node_id"`
	URL                 string  `json:"url"`
	HTMLURL             string  `json:"html_url"`
	Name                string  `json:"name"`
	Slug                string  `json:"slug"`
	Description         *string `json:"description"`
	Privacy             string  `json:"privacy"`
	NotificationSetting string  `json:"notification_setting"`
	Permission          string  `json:"permission"`
	MembersURL          string  `json:"members_url"`
	RepositoriesURL     string  `json:"repositories_url"`
	Parent              *string `json:"parent"`
}

// ghReviewerJSON is one entry of "reviewers": {"type": "User"|"Team", "reviewer": ...}.
type ghReviewerJSON struct {
	Type     string `json:"type"`
	Reviewer any    `json:"reviewer"`
}

// ghEnvRefJSON is the environment object inside approvals and pending deployments.
type ghEnvRefJSON struct {
	ID        int64  `json:"id"`
	NodeID    string `json:"node_id"`
	Name      string `json:"name"`
	URL       string `json:"url"`
	HTMLURL   string `json:"html_url"`
	CreatedAt string `json:"created_at,omitempty"`
	UpdatedAt string `json:"updated_at,omitempty"`
}

// ghEnvJSON is "Get an environment"'s answer.
type ghEnvJSON struct {
	ID                     int64               `json:"id"`
	NodeID                 string              `json:"node_id"`
	Name                   string              `json:"name"`
	URL                    string              `json:"url"`
	HTMLURL                string              `json:"html_url"`
	CreatedAt              string              `json:"created_at"`
	UpdatedAt              string              `json:"updated_at"`
	CanAdminsBypass        bool                `json:"can_admins_bypass"`
	ProtectionRules        []any               `json:"protection_rules"`
	DeploymentBranchPolicy *ghDeployPolicyJSON `json:"deployment_branch_policy"`
}

type ghDeployPolicyJSON struct {
	ProtectedBranches    bool `json:"protected_branches"`
	CustomBranchPolicies bool `json:"custom_branch_policies"`
}

type ghWaitTimerRuleJSON struct {
	ID        int64  `json:"id"`
	NodeID    string `json:"node_id"`
	Type      string `json:"type"`
	WaitTimer int    `json:"wait_timer"`
}

type ghReviewersRuleJSON struct {
	ID                int64            `json:"id"`
	NodeID            string           `json:"node_id"`
	PreventSelfReview bool             `json:"prevent_self_review"`
	Type              string           `json:"type"`
	Reviewers         []ghReviewerJSON `json:"reviewers"`
}

type ghBranchPolicyRuleJSON struct {
	ID     int64  `json:"id"`
	NodeID string `json:"node_id"`
	Type   string `json:"type"`
}

type ghBranchPolicyJSON struct {
	ID     int64  `json:"id"`
	NodeID string `json:"node_id"`
	Name   string `json:"name"`
	Type   string `json:"type"`
}

type ghBranchPoliciesJSON struct {
	TotalCount     int                  `json:"total_count"`
	BranchPolicies []ghBranchPolicyJSON `json:"branch_policies"`
}

// envJSON renders env, its rules in the order of GitHub's example (wait_timer,
// required_reviewers, branch_policy), each present only when configured; the caller
// holds g.mu.
func (g *GitHub) envJSON(rp *ghRepo, env *ghEnv) ghEnvJSON {
	ref := g.envRef(rp, env.e.Name)
	j := ghEnvJSON{
		ID: ref.ID, NodeID: ref.NodeID, Name: ref.Name, URL: ref.URL, HTMLURL: ref.HTMLURL,
		CreatedAt: ghTime(env.created), UpdatedAt: ghTime(env.updated),
		CanAdminsBypass: env.e.CanAdminsBypass, ProtectionRules: []any{},
	}
	// Rule IDs derive from the environment's, so they stay put when settings change.
	if env.e.WaitTimer > 0 {
		j.ProtectionRules = append(j.ProtectionRules, ghWaitTimerRuleJSON{ID: env.id*10 + 1, NodeID: nodeID("GA_kwDOA", env.id*10+1), Type: "wait_timer", WaitTimer: env.e.WaitTimer})
	}
	if len(env.e.Reviewers) > 0 {
		j.ProtectionRules = append(j.ProtectionRules, ghReviewersRuleJSON{ID: env.id*10 + 2, NodeID: nodeID("GA_kwDOA", env.id*10+2),
			PreventSelfReview: env.e.PreventSelfReview, Type: "required_reviewers", Reviewers: g.reviewersJSON(rp, env.e.Reviewers)})
	}
	switch env.e.DeploymentPolicy {
	case "protected":
		j.DeploymentBranchPolicy = &ghDeployPolicyJSON{ProtectedBranches: true}
	case "custom":
		j.DeploymentBranchPolicy = &ghDeployPolicyJSON{CustomBranchPolicies: true}
	}
	if j.DeploymentBranchPolicy != nil {
		j.ProtectionRules = append(j.ProtectionRules, ghBranchPolicyRuleJSON{ID: env.id*10 + 3, NodeID: nodeID("GA_kwDOA", env.id*10+3), Type: "branch_policy"})
	}
	return j
}

// envRef is the short environment object for name; an environment the repository does
// not have (a test approved one it never added) gets a stable made-up ID. The caller
// holds g.mu.
func (g *GitHub) envRef(rp *ghRepo, name string) ghEnvRefJSON {
	id := 2_000_000 + stableID("env:"+strings.ToLower(name))
	ref := ghEnvRefJSON{Name: name}
	if env := rp.env(name); env != nil {
		id, ref.Name = env.id, env.e.Name
		ref.CreatedAt, ref.UpdatedAt = ghTime(env.created), ghTime(env.updated)
	}
	ref.ID, ref.NodeID = id, nodeID("EN_kwDOA", id)
	ref.URL = g.repoAPI(rp) + "/environments/" + url.PathEscape(ref.Name)
	ref.HTMLURL = g.URL() + "/" + url.PathEscape(rp.owner) + "/" + url.PathEscape(rp.name) + "/deployments/activity_log?environments_filter=" + url.QueryEscape(ref.Name)
	return ref
}

func (g *GitHub) reviewersJSON(rp *ghRepo, rs []EmuReviewer) []ghReviewerJSON {
	out := []ghReviewerJSON{}
	for _, r := range rs {
		if r.Type != "Team" {
			out = append(out, ghReviewerJSON{Type: cmp.Or(r.Type, "User"), Reviewer: g.simpleUser(r.Login, r.ID)})
			continue
		}
		org, slug, ok := strings.Cut(r.Login, "/")
		if !ok {
			org, slug = rp.owner, r.Login
		}
		api := g.APIURL() + "organizations/" + strconv.FormatInt(stableID("org:"+strings.ToLower(org)), 10) + "/team/" + strconv.FormatInt(r.ID, 10)
		out = append(out, ghReviewerJSON{Type: "Team", Reviewer: ghTeamJSON{
			ID: r.ID, NodeID: nodeID("T_kwDOA", r.ID), URL: api,
			HTMLURL: g.URL() + "/orgs/" + url.PathEscape(org) + "/teams/" + url.PathEscape(slug),
			Name:    slug, Slug: slug, Privacy: "closed", NotificationSetting: "notifications_enabled", Permission: "pull",
			MembersURL: api + "/members{/member}", RepositoriesURL: api + "/repos",
		}})
	}
	return out
}

// simpleUser renders a user; the caller holds g.mu.
func (g *GitHub) simpleUser(login string, id int64) ghSimpleUser {
	if id == 0 {
		id = g.userID(login)
	}
	return ghSimpleUser{
		Login: login, ID: id, NodeID: nodeID("U_kgDOA", id),
		AvatarURL: g.URL() + "/avatars/u/" + strconv.FormatInt(id, 10),
		URL:       g.APIURL() + "users/" + url.PathEscape(login),
		HTMLURL:   g.URL() + "/" + url.PathEscape(login),
		Type:      "User",
	}
}

// userID is login's ID: the one a test gave it (Approve, EmuReviewer.ID) or a stable
// one derived from the login, so a person has one ID everywhere; the caller holds g.mu.
func (g *GitHub) userID(login string) int64 {
	k := strings.ToLower(login)
	if id, ok := g.userIDs[k]; ok {
		return id
	}
	id := 100_000 + stableID("user:"+k)
	g.userIDs[k] = id
	return id
}

// stableID is a number below 10^8 derived from s.
func stableID(s string) int64 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return int64(h.Sum32() % 100_000_000)
}
