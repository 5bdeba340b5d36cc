package github

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// maxTagDepth bounds a chain of annotated tags pointing at annotated tags (git allows
// it; a loop is impossible in git but not in a broken answer).
const maxTagDepth = 10

// wireObject is the "object" of a ref or an annotated tag.
type wireObject struct {
	SHA  string `json:"sha"`
	Type string `json:"type"` // "commit", "tag", "tree" or "blob"
}

// wireRef is "Get a reference".
type wireRef struct {
	Ref    string     `json:"ref"`
	Object wireObject `json:"object"`
}

// wireTag is "Get a tag": an annotated tag object.
type wireTag struct {
	SHA    string     `json:"sha"`
	Object wireObject `json:"object"`
}

// TagCommit is the sha of the commit tag points at in owner/repo: the ref
// refs/tags/{tag} (GET /repos/{owner}/{repo}/git/ref/tags/{tag}, an exact match), with
// annotated tags dereferenced through GET /git/tags/{sha} until a commit is reached.
// tag may be given with or without "refs/tags/". A tag that does not exist is an
// *APIError with status 404 whose Fix says so; a tag of a tree or a blob is an error.
func (c *Client) TagCommit(ctx context.Context, owner, repo, tag string) (string, error) {
	if err := checkRepo(owner, repo); err != nil {
		return "", err
	}
	tag = strings.TrimPrefix(tag, "refs/tags/")
	if err := checkTagName(tag); err != nil {
		return "", err
	}
	ep := endpoint{need: "contents: read", missing: fmt.Sprintf("the tag %s does not exist in %s/%s: push it (git push origin %s), "+
		"or check the repository name", tag, owner, repo, tag)}
	op := fmt.Sprintf("read the tag %s of %s/%s", tag, owner, repo)
	ref, err := getJSON[wireRef](ctx, c, ep, op, repoPath(owner, repo)+"/git/ref/tags/"+escapeSegments(tag))
	if err != nil {
		return "", err
	}
	if ref.Ref != "" && ref.Ref != "refs/tags/"+tag {
		// Older GitHub versions answered a prefix match; never take another tag's commit.
		return "", fmt.Errorf("GitHub: %s: GitHub answered with %s", op, ref.Ref)
	}
	obj := ref.Object
	for range maxTagDepth {
		switch obj.Type {
		case "commit":
			if !isObjectID(obj.SHA) {
				return "", fmt.Errorf("GitHub: %s: %q is not a commit sha", op, obj.SHA)
			}
			return strings.ToLower(obj.SHA), nil
		case "tag":
			ep := endpoint{need: "contents: read", missing: fmt.Sprintf("the tag object %s of tag %s is missing in %s/%s", obj.SHA, tag, owner, repo)}
			if !isObjectID(obj.SHA) {
				return "", fmt.Errorf("GitHub: %s: %q is not a tag object sha", op, obj.SHA)
			}
			t, err := getJSON[wireTag](ctx, c, ep, fmt.Sprintf("read the annotated tag %s (%s) of %s/%s", tag, obj.SHA, owner, repo),
				repoPath(owner, repo)+"/git/tags/"+obj.SHA)
			if err != nil {
				return "", err
			}
			obj = t.Object
		default:
			return "", fmt.Errorf("GitHub: tag %s of %s/%s points at a %s (%s), not a commit", tag, owner, repo, cmp.Or(obj.Type, "object of no type"), obj.SHA)
		}
	}
	return "", fmt.Errorf("GitHub: %s: more than %d annotated tags in a chain", op, maxTagDepth)
}

// checkTagName refuses what cannot be a tag name and would change the request's path.
func checkTagName(tag string) error {
	if tag == "" {
		return errors.New("GitHub: a tag name is needed")
	}
	for s := range strings.SplitSeq(tag, "/") {
		if s == "" || s == "." || s == ".." {
			return fmt.Errorf("GitHub: %q is not a tag name", tag)
		}
	}
	return nil
}

// escapeSegments escapes each segment of a slash-separated name: tags may contain "/",
// which the ref path keeps.
func escapeSegments(p string) string {
	seg := strings.Split(p, "/")
	for i, s := range seg {
		seg[i] = url.PathEscape(s)
	}
	return strings.Join(seg, "/")
}

// isObjectID reports a git object id: 40 hex digits (SHA-1), or 64 for a repository
// that uses SHA-256 (GitHub has begun to offer them).
func isObjectID(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for _, r := range strings.ToLower(s) {
		if (r < '0' || r > '9') && (r < 'a' || r > 'f') {
			return false
		}
	}
	return true
}
