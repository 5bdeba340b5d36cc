package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	gogithub "github.com/google/go-github/v60/github"
)

// EnsureAsset attaches the file at path to rel as name, unless rel already has it.
//
// An asset with that name already on the release is compared with sha256hex (the
// "digest" GitHub reports, or, when it gives none, the downloaded bytes hashed): the
// same → it is returned with uploaded=false; different → *AssetConflictError. An asset
// left by an interrupted upload (state other than "uploaded") is deleted and the file
// uploaded again.
//
// The file is streamed from disk and hashed on the way; it must be size bytes with
// sha256 sha256hex (it is checked, and an upload of bytes that changed on disk is
// deleted again). progress (may be nil) is called with the bytes sent so far in the
// current attempt: it starts again from 0 when an upload is re-sent. It is called from
// the goroutine sending the body, never after EnsureAsset has returned.
//
// Failures where the upload may have landed (5xx, 429, a reset, a lost answer) are
// retried, looking at the release's assets again before each re-send. rel is not
// modified.
func (c *Client) EnsureAsset(ctx context.Context, rel *Release, name, path string, size int64, sha256hex string, progress func(int64)) (a Asset, uploaded bool, err error) {
	if err := checkAssetArgs(rel, name, size, sha256hex); err != nil {
		return Asset{}, false, err
	}
	want := "sha256:" + strings.ToLower(sha256hex)
	sent := false // an earlier attempt sent the file: if it is there now, it landed
	op := fmt.Sprintf("attach %s to release %s", name, rel.Tag)
	err = c.withRetry(ctx, op, func(ctx context.Context, _ int) error {
		cur, err := c.findAsset(ctx, rel, name)
		if err != nil {
			return err
		}
		if cur != nil && cur.State != stateUploaded {
			if err := c.deleteAsset(ctx, rel, *cur); err != nil {
				return err
			}
			cur = nil
		}
		if cur != nil {
			have, err := c.remoteDigest(ctx, rel, *cur, size)
			if err != nil {
				return err
			}
			if have != want {
				return &AssetConflictError{Release: rel.Tag, Name: name, Have: have, Want: want}
			}
			a, uploaded = *cur, sent
			return nil
		}
		sent = true
		a, err = c.upload(ctx, rel, name, path, size, want, progress)
		if isAlreadyExists(err) {
			// The name was taken between the listing and the upload (another run?):
			// look again rather than fail.
			ae, _ := c.classify(op, err)
			ae.Retryable = true
			return ae
		}
		uploaded = err == nil
		return err
	})
	if err != nil {
		return Asset{}, false, err
	}
	return a, uploaded, nil
}

func checkAssetArgs(rel *Release, name string, size int64, sha256hex string) error {
	switch {
	case rel == nil || rel.ID == 0 || rel.owner == "" || rel.repo == "":
		return errors.New("GitHub: EnsureAsset needs a release from DraftRelease")
	case size < 0:
		return fmt.Errorf("GitHub: asset %s: negative size", name)
	case !isHex64(sha256hex):
		return fmt.Errorf("GitHub: asset %s: the sha256 must be 64 hex digits", name)
	}
	return checkAssetName(name)
}

// checkAssetName refuses names GitHub would store under another name ("GitHub renames
// asset filenames that have special characters, non-alphanumeric characters, and leading
// or trailing periods"): a renamed asset would never be found again by name. Which
// characters count is not documented; letters, digits and "._-+" are what release
// artifacts use. (Whether '+' is kept is UNCONFIRMED; a rename is caught after the
// upload.)
func checkAssetName(name string) error {
	if name == "" {
		return errors.New("GitHub: an asset needs a name")
	}
	for _, r := range name {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._-+", r)
		if !ok {
			return fmt.Errorf("GitHub: asset name %q: GitHub would rename it (only letters, digits and . _ - + are kept)", name)
		}
	}
	if strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".") {
		return fmt.Errorf("GitHub: asset name %q: GitHub renames names with a leading or trailing period", name)
	}
	return nil
}

func isHex64(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, r := range strings.ToLower(s) {
		if (r < '0' || r > '9') && (r < 'a' || r > 'f') {
			return false
		}
	}
	return true
}

// findAsset lists the release's assets (all states) and returns the one named name.
func (c *Client) findAsset(ctx context.Context, rel *Release, name string) (*Asset, error) {
	var found *Asset
	path := fmt.Sprintf("%s/releases/%d/assets", repoPath(rel.owner, rel.repo), rel.ID)
	err := eachPage(ctx, c, fmt.Sprintf("list the assets of release %s", rel.Tag), path, func(page []wireAsset) {
		for _, w := range page {
			if w.Name == name && found == nil {
				a := w.asset()
				found = &a
			}
		}
	})
	return found, err
}

// deleteAsset deletes a; one already gone counts as deleted (a retried DELETE whose
// first answer was lost sees 404).
func (c *Client) deleteAsset(ctx context.Context, rel *Release, a Asset) error {
	op := fmt.Sprintf("delete the incomplete asset %s (state %q) from release %s", a.Name, a.State, rel.Tag)
	return c.withRetry(ctx, op, func(ctx context.Context, n int) error {
		req, err := c.api.NewRequest("DELETE", fmt.Sprintf("%s/releases/assets/%d", repoPath(rel.owner, rel.repo), a.ID), nil)
		if err != nil {
			return err
		}
		_, err = c.api.Do(ctx, req, nil)
		var er *gogithub.ErrorResponse
		if n > 1 && errors.As(err, &er) && statusOf(er.Response, 0) == http.StatusNotFound {
			return nil
		}
		return err
	})
}

// remoteDigest is "sha256:<hex>" of an uploaded asset: GitHub's digest when it gives
// one, else "<n> bytes" when the size alone shows it differs, else the downloaded
// bytes hashed.
func (c *Client) remoteDigest(ctx context.Context, rel *Release, a Asset, size int64) (string, error) {
	if d := strings.ToLower(a.Digest); strings.HasPrefix(d, "sha256:") {
		return d, nil
	}
	if a.Size != size {
		return fmt.Sprintf("%d bytes (this file has %d)", a.Size, size), nil
	}
	return c.downloadDigest(ctx, rel, a)
}
