package github

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// downloadDigest downloads an asset and returns "sha256:<hex>" of its bytes, for assets
// GitHub reports no digest for. The API answers "Accept: application/octet-stream" with
// the bytes or a redirect to a pre-signed storage URL; that URL is fetched without the
// token (it needs none, and must never see it) and kept out of errors (its query is a
// signature).
func (c *Client) downloadDigest(ctx context.Context, rel *Release, a Asset) (string, error) {
	op := fmt.Sprintf("download asset %s of release %s to compare it", a.Name, rel.Tag)
	var sum string
	err := c.withRetry(ctx, op, func(ctx context.Context, _ int) error {
		ctx, cancel := context.WithCancelCause(ctx)
		defer cancel(nil)
		guard := newStallGuard(c.stall, cancel)
		defer guard.stop()
		rc, redirect, err := c.dl.Repositories.DownloadReleaseAsset(ctx, rel.owner, rel.repo, a.ID, nil)
		if err != nil {
			return stalledOr(ctx, err)
		}
		if redirect != "" {
			if rc, err = c.fetchStorage(ctx, redirect); err != nil {
				return stalledOr(ctx, err)
			}
		}
		defer rc.Close()
		h := sha256.New()
		n, err := io.Copy(h, &meteredReader{r: io.LimitReader(rc, a.Size+1), guard: guard, size: a.Size + 1})
		if err != nil {
			return stalledOr(ctx, &transportError{msg: "reading the download: " + unwrapURL(err).Error()})
		}
		if n != a.Size {
			return &transportError{msg: fmt.Sprintf("the download has %d bytes, GitHub lists %d", n, a.Size)}
		}
		sum = "sha256:" + hex.EncodeToString(h.Sum(nil))
		return nil
	})
	return sum, err
}

// fetchStorage GETs the storage URL a download was redirected to, without credentials.
func (c *Client) fetchStorage(ctx context.Context, raw string) (io.ReadCloser, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, &transportError{msg: "GitHub redirected the download to an unparsable URL"}
	}
	if err := checkScheme(u); err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "*/*")
	resp, err := c.plain.Do(req)
	if err != nil {
		return nil, &transportError{msg: "downloading from " + u.Host + ": " + unwrapURL(err).Error()}
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, &APIError{
			Status: resp.StatusCode, Retryable: retryableStatus(resp.StatusCode),
			Message: fmt.Sprintf("the storage host %s answered %s", u.Host, resp.Status),
		}
	}
	return resp.Body, nil
}

// unwrapURL drops a *url.Error's URL (a pre-signed download URL is a credential).
func unwrapURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// stalledOr reports a stall when the stall guard cancelled ctx, else err.
func stalledOr(ctx context.Context, err error) error {
	if cause := context.Cause(ctx); errors.Is(cause, errStalled) {
		return &transportError{msg: cause.Error()}
	}
	return err
}
