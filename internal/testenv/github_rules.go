package testenv

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// EmuRuleset is a repository ruleset.
type EmuRuleset struct {
	Name        string
	Target      string // "branch" (the default), "tag" or "push"
	Enforcement string // "active" (the default), "evaluate" or "disabled"
	// Include and Exclude are conditions.ref_name: "refs/tags/v*", "~ALL",
	// "~DEFAULT_BRANCH".
	Include, Exclude []string
	Rules            []string // rule types: "deletion", "update", "creation", ...
	BypassActors     int      // how many bypass actors (repository roles) it lists
	Source           string   // "Repository" (the default) or "Organization" (the owner's)
}

type ghRuleset struct {
	id               int64
	r                EmuRuleset
	created, updated time.Time
}

// AddRuleset adds r to owner/repo and returns its ID. An "Organization" ruleset stands
// for one of the owner's that applies to the repository: it is listed only with
// includes_parents (GitHub's default).
func (g *GitHub) AddRuleset(owner, repo string, r EmuRuleset) int64 {
	r.Target = cmp.Or(r.Target, "branch")
	r.Enforcement = cmp.Or(r.Enforcement, "active")
	r.Source = cmp.Or(r.Source, "Repository")
	r.Include = append([]string{}, r.Include...)
	r.Exclude = append([]string{}, r.Exclude...)
	r.Rules = append([]string(nil), r.Rules...)
	g.mu.Lock()
	defer g.mu.Unlock()
	rp := g.repos[repoKey(owner, repo)]
	if rp == nil {
		panic("testenv: GitHub.AddRuleset: no repository " + owner + "/" + repo)
	}
	g.nextID++
	now := time.Now()
	rp.rulesets = append(rp.rulesets, &ghRuleset{id: g.nextID, r: r, created: now, updated: now})
	return g.nextID
}

// HideBypassActors makes rulesets answer without "bypass_actors", as GitHub answers a
// token that cannot write the ruleset ("To prevent leaking sensitive information, the
// bypass_actors property is only returned if the user making the API request has write
// access to the ruleset"): the workflow's GITHUB_TOKEN never can.
func (g *GitHub) HideBypassActors(hide bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.hideBypass = hide
}

type ghRulesetJSON struct {
	ID                   int64              `json:"id"`
	Name                 string             `json:"name"`
	Target               string             `json:"target"`
	SourceType           string             `json:"source_type"`
	Source               string             `json:"source"`
	Enforcement          string             `json:"enforcement"`
	BypassActors         *[]ghBypassActor   `json:"bypass_actors,omitempty"`
	CurrentUserCanBypass string             `json:"current_user_can_bypass,omitempty"`
	NodeID               string             `json:"node_id"`
	Links                ghRulesetLinksJSON `json:"_links"`
	Conditions           map[string]any     `json:"conditions,omitempty"`
	Rules                []ghRuleJSON       `json:"rules,omitempty"`
	CreatedAt            string             `json:"created_at"`
	UpdatedAt            string             `json:"updated_at"`
}

type ghBypassActor struct {
	ActorID    int64  `json:"actor_id"`
	ActorType  string `json:"actor_type"`
	BypassMode string `json:"bypass_mode"`
}

type ghRulesetLinksJSON struct {
	Self struct {
		Href string `json:"href"`
	} `json:"self"`
	HTML struct {
		Href string `json:"href"`
	} `json:"html"`
}

type ghRuleJSON struct {
	Type       string         `json:"type"`
	Parameters map[string]any `json:"parameters,omitempty"`
}

// listRulesets answers "Get all repository rulesets": the summary form (no conditions,
// rules or bypass actors), oldest first, paginated, filtered by includes_parents
// (default true) and targets (comma-separated).
func (g *GitHub) listRulesets(w http.ResponseWriter, r *http.Request, owner, repo string) {
	q := r.URL.Query()
	parents := q.Get("includes_parents") != "false"
	var targets []string
	if t := q.Get("targets"); t != "" {
		targets = strings.Split(t, ",")
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	rp := g.repo(w, owner, repo, ghDocListRulesets)
	if rp == nil {
		return
	}
	var all []ghRulesetJSON
	for _, rs := range rp.rulesets {
		if (!parents && rs.r.Source != "Repository") || (targets != nil && !slices.Contains(targets, rs.r.Target)) {
			continue
		}
		all = append(all, g.rulesetJSON(rp, rs, false))
	}
	lo, hi := paginate(w, r, len(all))
	writeJSON(w, http.StatusOK, append([]ghRulesetJSON{}, all[lo:hi]...))
}

// getRuleset answers "Get a repository ruleset" in full. An organisation's ruleset is
// found only with includes_parents (default true).
func (g *GitHub) getRuleset(w http.ResponseWriter, r *http.Request, owner, repo string, id int64) {
	parents := r.URL.Query().Get("includes_parents") != "false"
	g.mu.Lock()
	defer g.mu.Unlock()
	rp := g.repo(w, owner, repo, ghDocGetRuleset)
	if rp == nil {
		return
	}
	for _, rs := range rp.rulesets {
		if rs.id == id && (parents || rs.r.Source == "Repository") {
			writeJSON(w, http.StatusOK, g.rulesetJSON(rp, rs, true))
			return
		}
	}
	ghNotFound(w, ghDocGetRuleset)
}

// rulesetJSON renders rs, in full or as the list's summary; the caller holds g.mu.
func (g *GitHub) rulesetJSON(rp *ghRepo, rs *ghRuleset, full bool) ghRulesetJSON {
	id := strconv.FormatInt(rs.id, 10)
	j := ghRulesetJSON{
		ID: rs.id, Name: rs.r.Name, Target: rs.r.Target, SourceType: rs.r.Source, Enforcement: rs.r.Enforcement,
		NodeID: nodeID("RRS_lACkVXNlcgQ", rs.id), CreatedAt: ghTime(rs.created), UpdatedAt: ghTime(rs.updated),
	}
	j.Links.Self.Href = g.repoAPI(rp) + "/rulesets/" + id
	if rs.r.Source == "Organization" {
		j.Source = rp.owner
		j.Links.HTML.Href = g.URL() + "/organizations/" + url.PathEscape(rp.owner) + "/settings/rules/" + id
	} else {
		j.Source = rp.owner + "/" + rp.name
		j.Links.HTML.Href = g.URL() + "/" + url.PathEscape(rp.owner) + "/" + url.PathEscape(rp.name) + "/rules/" + id
	}
	if !full {
		return j
	}
	if !g.hideBypass {
		actors := []ghBypassActor{}
		for i := range rs.r.BypassActors {
			// Repository roles: 5 is "Repository admin" in GitHub's examples.
			actors = append(actors, ghBypassActor{ActorID: int64(5 + i), ActorType: "RepositoryRole", BypassMode: "always"})
		}
		j.BypassActors = &actors
	}
	j.CurrentUserCanBypass = "never"
	j.Conditions = map[string]any{"ref_name": map[string][]string{"include": rs.r.Include, "exclude": rs.r.Exclude}}
	if rs.r.Source == "Organization" {
		j.Conditions["repository_name"] = map[string]any{"include": []string{"~ALL"}, "exclude": []string{}, "protected": false}
	}
	j.Rules = []ghRuleJSON{}
	for _, t := range rs.r.Rules {
		rule := ghRuleJSON{Type: t}
		if t == "update" {
			rule.Parameters = map[string]any{"update_allows_fetch_and_merge": false}
		}
		j.Rules = append(j.Rules, rule)
	}
	return j
}
