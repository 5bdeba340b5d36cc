package github

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"

	"github.com/golang/snappy"
)

// maxBundleBytes bounds a bundle fetched from a bundle_url, compressed and decoded. A
// bundle is a few kilobytes per signature plus its statement; GitHub's action allows
// 1024 subjects, far below this.
const maxBundleBytes = 32 << 20

// fetchBundle GETs a listing's bundle_url: blob storage with a pre-signed URL, so it is
// fetched without the token (it needs none and must never see it) and kept out of
// errors (its query is a signature). The body is the bundle's JSON compressed with
// snappy's block format, which is how `gh attestation verify` reads it (cli/cli
// pkg/cmd/attestation/api: snappy.Decode, then protojson).
func (c *Client) fetchBundle(ctx context.Context, op, raw string) ([]byte, error) {
	if u, err := url.Parse(raw); err != nil || u.Host == "" {
		return nil, fmt.Errorf("GitHub: %s: the bundle_url is not an absolute URL", op)
	}
	var out []byte
	err := c.withRetry(ctx, op, func(ctx context.Context, _ int) error {
		rc, err := c.fetchStorage(ctx, raw)
		if err != nil {
			return err
		}
		defer rc.Close()
		body, err := io.ReadAll(io.LimitReader(rc, maxBundleBytes+1))
		if err != nil {
			return &transportError{msg: "reading the bundle: " + unwrapURL(err).Error()}
		}
		if len(body) > maxBundleBytes {
			return fmt.Errorf("GitHub: %s: the bundle is larger than %d bytes", op, maxBundleBytes)
		}
		out, err = decodeStoredBundle(body)
		if err != nil {
			return fmt.Errorf("GitHub: %s: %w", op, err)
		}
		return nil
	})
	return out, err
}

// decodeStoredBundle undoes the snappy compression of a stored bundle and checks that
// JSON came out.
func decodeStoredBundle(body []byte) ([]byte, error) {
	n, err := snappy.DecodedLen(body)
	if err != nil {
		return nil, fmt.Errorf("the stored bundle is not snappy-compressed: %w", err)
	}
	if n > maxBundleBytes {
		return nil, fmt.Errorf("the stored bundle decompresses to %d bytes, more than %d", n, maxBundleBytes)
	}
	b, err := snappy.Decode(nil, body)
	if err != nil {
		return nil, fmt.Errorf("the stored bundle is not snappy-compressed: %w", err)
	}
	if !json.Valid(b) {
		return nil, fmt.Errorf("the stored bundle is not JSON")
	}
	return b, nil
}
