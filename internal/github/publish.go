package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
)

// PublishOptions is what publishing sets besides draft=false.
type PublishOptions struct {
	Name, Body string // "" keeps what the draft has
	Prerelease bool
	// MakeLatest is GitHub's make_latest: "true" marks the release latest, "false" does
	// not, "legacy" lets GitHub pick the latest by creation date and semantic version;
	// "" leaves it to GitHub (for a newly published release that is "true").
	MakeLatest string
}

// wirePublish is the "Update a release" body that publishes a draft.
type wirePublish struct {
	Draft      bool   `json:"draft"`
	Name       string `json:"name,omitempty"`
	Body       string `json:"body,omitempty"`
	Prerelease bool   `json:"prerelease"`
	MakeLatest string `json:"make_latest,omitempty"`
}

func (o PublishOptions) check() error {
	switch o.MakeLatest {
	case "", "true", "false", "legacy":
	default:
		return fmt.Errorf("GitHub: make_latest %q: use \"true\", \"false\" or \"legacy\"", o.MakeLatest)
	}
	if o.Prerelease && o.MakeLatest == "true" {
		// GitHub: "Drafts and prereleases cannot be set as latest."
		return errors.New("GitHub: a prerelease cannot be marked latest: set make_latest to \"false\" or publish it as a full release")
	}
	return nil
}

// PublishRelease turns the draft rel into a published release (PATCH draft=false with
// o) and returns the release as GitHub then reports it (GET by id), every asset
// included. Whether it is immutable is GitHub's to say: the caller checks
// Release.Immutable.
//
// The release is read before every attempt: one that is already published (by an
// earlier run, or by a failed attempt whose answer was lost) is returned as GitHub
// reports it without being changed (o is not applied), so a re-run changes nothing.
// Failed requests are retried like every request.
//
// Publishing a release whose tag does not exist makes GitHub create the tag from the
// release's target_commitish: the caller checks the tag (TagCommit) first.
func (c *Client) PublishRelease(ctx context.Context, rel *Release, o PublishOptions) (*Release, error) {
	if rel == nil || rel.ID == 0 || rel.owner == "" || rel.repo == "" {
		return nil, errors.New("GitHub: PublishRelease needs a release read from GitHub (DraftRelease, FindRelease or GetRelease)")
	}
	if err := o.check(); err != nil {
		return nil, err
	}
	path := fmt.Sprintf("%s/releases/%d", repoPath(rel.owner, rel.repo), rel.ID)
	op := fmt.Sprintf("publish release %s (id %d) in %s", rel.Tag, rel.ID, rel.Repository())
	ep := endpoint{need: "contents: write", missing: fmt.Sprintf("the draft release %s (id %d) no longer exists in %s: "+
		"run the publish stage again to recreate it", rel.Tag, rel.ID, rel.Repository())}
	err := c.withRetry(ctx, op, func(ctx context.Context, _ int) error {
		// Read first, every attempt: rel may be stale, and a failed attempt may have
		// published the release with the answer lost.
		var cur wireRelease
		if err := c.send(ctx, http.MethodGet, path, nil, &cur); err != nil {
			return err
		}
		if !cur.Draft {
			return nil
		}
		in := wirePublish{Name: o.Name, Body: o.Body, Prerelease: o.Prerelease, MakeLatest: o.MakeLatest}
		return c.send(ctx, http.MethodPatch, path, in, nil)
	})
	if err != nil {
		return nil, ep.annotate(err)
	}
	return c.GetRelease(ctx, rel.owner, rel.repo, rel.ID)
}

// GetRelease reads release id of owner/repo (drafts included, for a token that can push)
// with every asset, listed page by page rather than trusting the release's embedded
// list to be complete.
func (c *Client) GetRelease(ctx context.Context, owner, repo string, id int64) (*Release, error) {
	if err := checkRepo(owner, repo); err != nil {
		return nil, err
	}
	if id <= 0 {
		return nil, fmt.Errorf("GitHub: %d is not a release id", id)
	}
	path := fmt.Sprintf("%s/releases/%d", repoPath(owner, repo), id)
	ep := endpoint{need: "contents: read", missing: fmt.Sprintf("release id %d does not exist in %s/%s (deleted?); "+
		"a draft is visible only to a token with contents: write", id, owner, repo)}
	w, err := getJSON[wireRelease](ctx, c, ep, fmt.Sprintf("read release %d of %s/%s", id, owner, repo), path)
	if err != nil {
		return nil, err
	}
	rel := w.release(owner, repo)
	rel.Assets = nil
	err = eachPage(ctx, c, fmt.Sprintf("list the assets of release %s (id %d)", rel.Tag, id), path+"/assets", func(page []wireAsset) {
		for _, a := range page {
			rel.Assets = append(rel.Assets, a.asset())
		}
	})
	if err != nil {
		return nil, ep.annotate(err)
	}
	return rel, nil
}

// send makes one API request with a JSON body (nil for none) and decodes the answer into
// out (nil to discard it).
func (c *Client) send(ctx context.Context, method, path string, body, out any) error {
	req, err := c.api.NewRequest(method, path, body)
	if err != nil {
		return err
	}
	_, err = c.api.Do(ctx, req, out)
	return err
}
