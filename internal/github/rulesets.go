package github

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
)

// Ruleset is a repository ruleset with its conditions and rules.
type Ruleset struct {
	ID          int64
	Name        string
	Target      string // "branch", "tag" or "push"
	Enforcement string // "active", "evaluate" or "disabled"
	// Include and Exclude are conditions.ref_name: full ref patterns ("refs/tags/v*")
	// or "~ALL" and "~DEFAULT_BRANCH".
	Include, Exclude []string
	Rules            []string // rule types: "deletion", "update", "creation", "non_fast_forward", ...
	// BypassActors is len(bypass_actors). GitHub returns that list only to a token
	// that can write the ruleset; when it does not, BypassActorsHidden is set and
	// BypassActors is 0 without meaning "nobody may bypass".
	BypassActors       int
	BypassActorsHidden bool
	// CurrentUserCanBypass is whether the token's own actor may bypass the ruleset:
	// "always", "pull_requests_only", "never" or "exempt" ("" when GitHub omits it).
	CurrentUserCanBypass string
	Source               string // source_type: "Repository" or "Organization" (GitHub also has "Enterprise")
	SourceName           string // source: "owner/repo" or the organisation's login
}

// wireRuleset is the part of a ruleset releaser reads. go-github v60's Ruleset would
// do, but its rule decoding fails the whole answer on a rule type it does not know
// (GitHub keeps adding them: merge_queue, file_path_restriction, ...).
type wireRuleset struct {
	ID          int64   `json:"id"`
	Name        string  `json:"name"`
	Target      *string `json:"target"`
	SourceType  string  `json:"source_type"`
	Source      string  `json:"source"`
	Enforcement string  `json:"enforcement"`
	// A pointer to tell an omitted list (the token may not see it) from an empty one.
	BypassActors         *[]struct{} `json:"bypass_actors"`
	CurrentUserCanBypass string      `json:"current_user_can_bypass"`
	Conditions           *struct {
		RefName *struct {
			Include []string `json:"include"`
			Exclude []string `json:"exclude"`
		} `json:"ref_name"`
	} `json:"conditions"`
	Rules []struct {
		Type string `json:"type"`
	} `json:"rules"`
}

// Rulesets lists the rulesets that apply to owner/repo, its organisation's included
// (includes_parents=true), every page, in GitHub's order. The list endpoint leaves out
// conditions, rules and bypass actors, so each ruleset is then read on its own.
func (c *Client) Rulesets(ctx context.Context, owner, repo string) ([]Ruleset, error) {
	if err := checkRepo(owner, repo); err != nil {
		return nil, err
	}
	ep := endpoint{need: "metadata: read"}
	base := repoPath(owner, repo) + "/rulesets"
	var ids []int64
	err := eachPage(ctx, c, fmt.Sprintf("list the rulesets of %s/%s", owner, repo), base+"?includes_parents=true", func(page []wireRuleset) {
		for _, w := range page {
			ids = append(ids, w.ID)
		}
	})
	if err != nil {
		return nil, ep.annotate(err)
	}
	out := make([]Ruleset, 0, len(ids))
	for _, id := range ids {
		op := fmt.Sprintf("read ruleset %d of %s/%s", id, owner, repo)
		w, err := getJSON[wireRuleset](ctx, c, ep, op, base+"/"+strconv.FormatInt(id, 10)+"?includes_parents=true")
		var ae *APIError
		if errors.As(err, &ae) && ae.Status == http.StatusNotFound {
			continue // deleted since it was listed: it no longer applies
		}
		if err != nil {
			return nil, err
		}
		out = append(out, w.ruleset())
	}
	return out, nil
}

func (w wireRuleset) ruleset() Ruleset {
	r := Ruleset{
		ID: w.ID, Name: w.Name, Enforcement: w.Enforcement,
		// target is optional in GitHub's schema, and "branch" is its default.
		Target:               "branch",
		CurrentUserCanBypass: w.CurrentUserCanBypass,
		Source:               w.SourceType, SourceName: w.Source,
		BypassActorsHidden: w.BypassActors == nil,
	}
	if w.Target != nil {
		r.Target = cmp.Or(*w.Target, "branch")
	}
	if w.BypassActors != nil {
		r.BypassActors = len(*w.BypassActors)
	}
	if w.Conditions != nil && w.Conditions.RefName != nil {
		r.Include, r.Exclude = w.Conditions.RefName.Include, w.Conditions.RefName.Exclude
	}
	for _, rule := range w.Rules {
		r.Rules = append(r.Rules, rule.Type)
	}
	return r
}
