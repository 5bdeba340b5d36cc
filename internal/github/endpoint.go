package github

import (
	"context"
	"errors"
	"fmt"
	"net/url"
)

// endpoint is what releaser knows about a read-only GitHub endpoint beyond its path, so
// a refusal can say what to do about it.
type endpoint struct {
	// need is the permission GitHub's docs give for the endpoint ("actions: read"),
	// named by a 403 that carries no X-Accepted-GitHub-Permissions header.
	need string
	// missing is what a 404 means here, e.g. which setting to create; "" keeps the
	// generic text.
	missing string
}

// annotate adds the endpoint's knowledge to an *APIError in err.
func (ep endpoint) annotate(err error) error {
	var ae *APIError
	if errors.As(err, &ae) {
		if ae.need == "" {
			ae.need = ep.need
		}
		if ae.missing == "" {
			ae.missing = ep.missing
		}
	}
	return err
}

// getJSON GETs path (relative to the API base, already escaped) with retries and
// decodes the answer into a fresh T per attempt.
func getJSON[T any](ctx context.Context, c *Client, ep endpoint, op, path string) (T, error) {
	var out T
	err := c.withRetry(ctx, op, func(ctx context.Context, _ int) error {
		req, err := c.api.NewRequest("GET", path, nil)
		if err != nil {
			return err
		}
		var fresh T
		out = fresh
		_, err = c.api.Do(ctx, req, &out)
		return err
	})
	return out, ep.annotate(err)
}

// checkRepo refuses owner and repository names that would change the request's path
// when put into a URL. go-github's typed methods do not escape them, and "." or ".."
// would climb out of /repos/.
func checkRepo(owner, repo string) error {
	for _, s := range []string{owner, repo} {
		if s == "" || s == "." || s == ".." || url.PathEscape(s) != s {
			return fmt.Errorf("GitHub: %q/%q is not a repository name (owner/name)", owner, repo)
		}
	}
	return nil
}

// hasStatus reports whether err is an *APIError with HTTP status code.
func hasStatus(err error, code int) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Status == code
}
