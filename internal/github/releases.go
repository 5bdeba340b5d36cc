package github

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// perPage is GitHub's largest page size.
const perPage = 100

// maxPages stops a paginated listing that never ends (10,000 items at 100 a page).
const maxPages = 100

// DraftRelease finds the release for tag or creates it as a draft with name, body and
// prerelease. Drafts are found too: GET /releases/tags/{tag} does not return drafts, so
// the releases are listed (paginated). A published release for the tag wins over drafts
// and is returned as is: the caller decides what to do with it. Two or more drafts for
// the tag (and no published release) are an error, since assets must go to exactly one.
//
// Creating is not idempotent, so after a failed attempt (whose release may exist all
// the same) the releases are listed again before another is sent.
func (c *Client) DraftRelease(ctx context.Context, owner, repo, tag, name, body string, prerelease bool) (*Release, error) {
	if owner == "" || repo == "" || tag == "" {
		return nil, errors.New("GitHub: a release needs an owner, a repository and a tag")
	}
	rel, err := c.findRelease(ctx, owner, repo, tag)
	if err != nil || rel != nil {
		return rel, err
	}
	op := fmt.Sprintf("create the draft release %s in %s/%s", tag, owner, repo)
	err = c.withRetry(ctx, op, func(ctx context.Context, n int) error {
		if n > 1 {
			found, err := c.findRelease(ctx, owner, repo, tag)
			if err != nil || found != nil {
				rel = found
				return err
			}
		}
		created, err := c.createDraft(ctx, owner, repo, tag, name, body, prerelease)
		if isAlreadyExists(err) {
			// A release for the tag was published meanwhile: use it.
			found, ferr := c.findRelease(ctx, owner, repo, tag)
			if ferr != nil || found != nil {
				rel = found
				return ferr
			}
		}
		rel = created
		return err
	})
	if err != nil {
		return nil, err
	}
	return rel, nil
}

// FindRelease returns the release for tag (a published one wins over a draft), or nil
// when there is none; nothing is created. The publish stage uses it to look for
// conflicting assets before anything is uploaded anywhere.
func (c *Client) FindRelease(ctx context.Context, owner, repo, tag string) (*Release, error) {
	if owner == "" || repo == "" || tag == "" {
		return nil, errors.New("GitHub: a release needs an owner, a repository and a tag")
	}
	return c.findRelease(ctx, owner, repo, tag)
}

func (c *Client) createDraft(ctx context.Context, owner, repo, tag, name, body string, prerelease bool) (*Release, error) {
	in := struct {
		TagName    string `json:"tag_name"`
		Name       string `json:"name,omitempty"`
		Body       string `json:"body,omitempty"`
		Draft      bool   `json:"draft"`
		Prerelease bool   `json:"prerelease"`
	}{tag, name, body, true, prerelease}
	req, err := c.api.NewRequest("POST", repoPath(owner, repo)+"/releases", in)
	if err != nil {
		return nil, err
	}
	var out wireRelease
	if _, err := c.api.Do(ctx, req, &out); err != nil {
		return nil, err
	}
	return out.release(owner, repo), nil
}

// findRelease lists every release (drafts included) and picks the one for tag; nil when
// there is none.
func (c *Client) findRelease(ctx context.Context, owner, repo, tag string) (*Release, error) {
	var drafts []*Release
	var published *Release
	err := eachPage(ctx, c, fmt.Sprintf("list the releases of %s/%s", owner, repo), repoPath(owner, repo)+"/releases",
		func(page []wireRelease) {
			for _, w := range page {
				if w.TagName != tag {
					continue
				}
				r := w.release(owner, repo)
				switch {
				case !r.Draft && published == nil:
					published = r // newest first: the latest published one
				case r.Draft:
					drafts = append(drafts, r)
				}
			}
		})
	switch {
	case err != nil:
		return nil, err
	case published != nil:
		return published, nil
	case len(drafts) > 1:
		ids := make([]string, len(drafts))
		for i, d := range drafts {
			ids[i] = strconv.FormatInt(d.ID, 10)
		}
		return nil, fmt.Errorf("GitHub: %s/%s has %d draft releases for tag %s (ids %s); delete all but one and run again",
			owner, repo, len(drafts), tag, strings.Join(ids, ", "))
	case len(drafts) == 1:
		return drafts[0], nil
	}
	return nil, nil
}

// eachPage GETs path page by page (each page with retries) and hands every page to fn.
func eachPage[T any](ctx context.Context, c *Client, op, path string, fn func([]T)) error {
	return eachPageOf(ctx, c, op, path, fn)
}

// eachPageOf is eachPage for any page shape, such as the objects that wrap a list
// ({"total_count": n, "branch_policies": [...]}). path may carry a query already.
func eachPageOf[P any](ctx context.Context, c *Client, op, path string, fn func(P)) error {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	page := 1
	for range maxPages {
		var items P
		next := 0
		err := c.withRetry(ctx, op, func(ctx context.Context, _ int) error {
			req, err := c.api.NewRequest("GET", fmt.Sprintf("%s%sper_page=%d&page=%d", path, sep, perPage, page), nil)
			if err != nil {
				return err
			}
			var zero P
			items = zero
			resp, err := c.api.Do(ctx, req, &items)
			if err == nil {
				next = resp.NextPage
			}
			return err
		})
		if err != nil {
			return err
		}
		fn(items)
		if next <= page {
			return nil
		}
		page = next
	}
	return fmt.Errorf("GitHub: %s: more than %d pages", op, maxPages)
}

// repoPath is "repos/{owner}/{repo}", escaped.
func repoPath(owner, repo string) string {
	return "repos/" + url.PathEscape(owner) + "/" + url.PathEscape(repo)
}
