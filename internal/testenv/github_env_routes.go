package testenv

import (
	"cmp"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Documentation URLs of the protection endpoints, as GitHub puts them in error bodies.
const (
	ghDocGetEnv         = "https://docs.github.com/rest/deployments/environments#get-an-environment"
	ghDocBranchPolicies = "https://docs.github.com/rest/deployments/branch-policies#list-deployment-branch-policies"
	ghDocListRulesets   = "https://docs.github.com/rest/repos/rules#get-all-repository-rulesets"
	ghDocGetRuleset     = "https://docs.github.com/rest/repos/rules#get-a-repository-ruleset"
	ghDocGetRun         = "https://docs.github.com/rest/actions/workflow-runs#get-a-workflow-run"
	ghDocApprovals      = "https://docs.github.com/rest/actions/workflow-runs#get-the-review-history-for-a-workflow-run"
	ghDocPending        = "https://docs.github.com/rest/actions/workflow-runs#get-pending-deployments-for-a-workflow-run"
	ghNotAccessible     = "Resource not accessible by integration"
)

// DenyPermission makes every later request to route fail as GitHub fails a token that
// lacks a permission: 403 "Resource not accessible by integration" with the header
// X-Accepted-GitHub-Permissions set to permission, written as GitHub writes it
// ("actions=read"; alternatives separated by "; "). route is a URL path, optionally
// preceded by a method and a space ("GET /api/v3/repos/o/r/environments/release"),
// matched exactly like a fault's. An empty permission lifts the denial.
func (g *GitHub) DenyPermission(route, permission string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if permission == "" {
		delete(g.denied, route)
		return
	}
	g.denied[route] = permission
}

// permitted answers the 403 of a route DenyPermission closed.
func (g *GitHub) permitted(w http.ResponseWriter, r *http.Request) bool {
	g.mu.Lock()
	perm, found := "", false
	for _, p := range []string{r.URL.Path, r.URL.EscapedPath()} {
		for _, k := range []string{r.Method + " " + p, p} {
			if v, ok := g.denied[k]; ok && !found {
				perm, found = v, true
			}
		}
	}
	g.mu.Unlock()
	if !found {
		return true
	}
	doc := ghDocREST
	if seg, ok := apiSegments(r); ok {
		doc = cmp.Or(protectionDoc(seg), doc)
	}
	w.Header().Set("X-Accepted-GitHub-Permissions", perm)
	ghError(w, http.StatusForbidden, ghNotAccessible, doc)
	return false
}

// apiSegments splits the escaped path after /api/v3/ and unescapes each segment, so an
// environment name may contain an escaped "/".
func apiSegments(r *http.Request) ([]string, bool) {
	rest, ok := strings.CutPrefix(r.URL.EscapedPath(), "/api/v3/")
	if !ok {
		return nil, false
	}
	seg := strings.Split(rest, "/")
	for i, s := range seg {
		u, err := url.PathUnescape(s)
		if err != nil {
			return nil, false
		}
		seg[i] = u
	}
	return seg, true
}

// protectionDoc is the documentation URL of the protection endpoint seg names, or "".
func protectionDoc(seg []string) string {
	if len(seg) < 5 || seg[0] != "repos" {
		return ""
	}
	switch rest := seg[3:]; {
	case rest[0] == "environments" && len(rest) == 2:
		return ghDocGetEnv
	case rest[0] == "environments" && len(rest) == 3 && rest[2] == "deployment-branch-policies":
		return ghDocBranchPolicies
	case rest[0] == "rulesets" && len(rest) == 2:
		return ghDocGetRuleset
	case rest[0] == "actions" && len(rest) == 3 && rest[1] == "runs":
		return ghDocGetRun
	case rest[0] == "actions" && len(rest) == 4 && rest[1] == "runs" && rest[3] == "approvals":
		return ghDocApprovals
	case rest[0] == "actions" && len(rest) == 4 && rest[1] == "runs" && rest[3] == "pending_deployments":
		return ghDocPending
	}
	return ""
}

// serveProtections answers the environment, ruleset and workflow-run endpoints and
// reports whether the request was one of theirs.
func (g *GitHub) serveProtections(w http.ResponseWriter, r *http.Request) bool {
	seg, ok := apiSegments(r)
	if !ok || len(seg) < 4 || seg[0] != "repos" {
		return false
	}
	owner, repo := seg[1], seg[2]
	if len(seg) == 4 && seg[3] == "rulesets" {
		if r.Method != http.MethodGet {
			ghNotFound(w, ghDocREST)
			return true
		}
		g.listRulesets(w, r, owner, repo)
		return true
	}
	doc := protectionDoc(seg)
	if doc == "" {
		if seg[3] == "environments" || seg[3] == "rulesets" || seg[3] == "actions" {
			ghNotFound(w, ghDocREST)
			return true
		}
		return false
	}
	if r.Method != http.MethodGet {
		ghNotFound(w, doc)
		return true
	}
	switch doc {
	case ghDocGetEnv:
		g.getEnvironment(w, owner, repo, seg[4])
	case ghDocBranchPolicies:
		g.listBranchPolicies(w, r, owner, repo, seg[4])
	case ghDocGetRuleset:
		id, err := strconv.ParseInt(seg[4], 10, 64)
		if err != nil {
			ghNotFound(w, doc)
			return true
		}
		g.getRuleset(w, r, owner, repo, id)
	default:
		id, err := strconv.ParseInt(seg[5], 10, 64)
		if err != nil {
			ghNotFound(w, doc)
			return true
		}
		switch doc {
		case ghDocGetRun:
			g.getRun(w, owner, repo, id)
		case ghDocApprovals:
			g.listApprovals(w, r, owner, repo, id)
		case ghDocPending:
			g.listPending(w, owner, repo, id)
		}
	}
	return true
}
