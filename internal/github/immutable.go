package github

import (
	"context"
	"fmt"
	"net/http"
)

// ImmutableSetting is a repository's immutable-releases setting: Enabled makes every
// release published from then on immutable (its assets and tag locked); EnforcedByOwner
// means the organization turned it on and the repository cannot turn it off.
type ImmutableSetting struct{ Enabled, EnforcedByOwner bool }

// wireImmutable is "Check if immutable releases are enabled for a repository". go-github
// v60 predates the endpoint.
type wireImmutable struct {
	Enabled         *bool `json:"enabled"`
	EnforcedByOwner bool  `json:"enforced_by_owner"`
}

// immutableNeed is the permission the endpoint needs ("The authenticated user must have
// admin read access to the repository"; fine-grained: Administration read). A workflow's
// GITHUB_TOKEN can never have it, which Fix says.
const immutableNeed = "administration: read"

// ImmutableReleases reads owner/repo's immutable-releases setting
// (GET /repos/{owner}/{repo}/immutable-releases).
//
// GitHub documents a 404 for a repository whose setting is off; an answer of 200 with
// "enabled": false is read the same way. Since a misspelt repository (or one the token
// cannot see) also answers 404, a 404 is only taken as "off" once the repository itself
// answers; otherwise that 404 is returned. A 403 names the permission the endpoint
// needs, which a workflow's GITHUB_TOKEN cannot be granted.
func (c *Client) ImmutableReleases(ctx context.Context, owner, repo string) (ImmutableSetting, error) {
	if err := checkRepo(owner, repo); err != nil {
		return ImmutableSetting{}, err
	}
	ep := endpoint{need: immutableNeed, missing: fmt.Sprintf("check the repository name: %s/%s was not found "+
		"(a token without access to a private repository also sees 404)", owner, repo)}
	op := fmt.Sprintf("read the immutable-releases setting of %s/%s", owner, repo)
	w, err := getJSON[wireImmutable](ctx, c, ep, op, repoPath(owner, repo)+"/immutable-releases")
	switch {
	case err == nil && w.Enabled == nil:
		return ImmutableSetting{}, fmt.Errorf("GitHub: %s: the answer has no \"enabled\"", op)
	case err == nil:
		return ImmutableSetting{Enabled: *w.Enabled, EnforcedByOwner: w.EnforcedByOwner}, nil
	case !hasStatus(err, http.StatusNotFound):
		return ImmutableSetting{}, err
	}
	_, rerr := getJSON[struct{}](ctx, c, endpoint{need: "metadata: read"}, fmt.Sprintf("read the repository %s/%s", owner, repo), repoPath(owner, repo))
	switch {
	case rerr == nil:
		return ImmutableSetting{}, nil
	case hasStatus(rerr, http.StatusNotFound):
		return ImmutableSetting{}, err
	}
	return ImmutableSetting{}, rerr
}
