package github

import (
	"net/url"
	"strings"
)

// Reviewer is a person or team that may approve deployments to an environment.
type Reviewer struct {
	Type  string // "User" or "Team" (anything else GitHub adds is passed on as is)
	Login string // a user's login, or "org/team-slug" for a team
	ID    int64
}

// wireReviewer is one entry of a required_reviewers rule's or a pending deployment's
// "reviewers": {"type": "User"|"Team", "reviewer": <simple user or team>}.
type wireReviewer struct {
	Type     string      `json:"type"`
	Reviewer wireAccount `json:"reviewer"`
}

// wireAccount is the part of a user or team object releaser reads.
type wireAccount struct {
	Login   string `json:"login"` // users
	Slug    string `json:"slug"`  // teams
	ID      int64  `json:"id"`
	HTMLURL string `json:"html_url"`
}

// reviewer converts w. A team is named "org/slug", the way @mentions and CODEOWNERS
// name it; its organisation comes from its html_url (https://github.com/orgs/ORG/teams/SLUG)
// and otherwise is the repository's owner, the only organisation whose teams can review.
func (w wireReviewer) reviewer(owner string) Reviewer {
	r := Reviewer{Type: w.Type, Login: w.Reviewer.Login, ID: w.Reviewer.ID}
	if w.Type == "Team" {
		org := owner
		if u, err := url.Parse(w.Reviewer.HTMLURL); err == nil {
			if seg := strings.Split(strings.Trim(u.Path, "/"), "/"); len(seg) == 4 && seg[0] == "orgs" && seg[2] == "teams" {
				org = seg[1]
			}
		}
		r.Login = org + "/" + w.Reviewer.Slug
	}
	return r
}

func reviewers(ws []wireReviewer, owner string) []Reviewer {
	var out []Reviewer
	for _, w := range ws {
		out = append(out, w.reviewer(owner))
	}
	return out
}
