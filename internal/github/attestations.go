package github

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
)

// Permissions of the attestations endpoints ("Attestations" repository permission; a
// workflow's GITHUB_TOKEN gets it from `permissions: attestations: write`).
const (
	attestWriteNeed = "attestations: write"
	attestReadNeed  = "attestations: read"
)

// wireAttestations is one page of "List attestations". The 2022-11-28 API version
// (go-github's) inlines each bundle and may add bundle_url; newer versions drop the
// inline bundle (UNCONFIRMED, see reference §6.3), so both are read.
type wireAttestations struct {
	Attestations []struct {
		Bundle       json.RawMessage `json:"bundle"`
		BundleURL    string          `json:"bundle_url"`
		RepositoryID int64           `json:"repository_id"`
	} `json:"attestations"`
}

// UploadAttestation stores a Sigstore bundle (JSON) in the repository's attestations
// (POST /repos/{owner}/{repo}/attestations, body {"bundle": ...}) and returns the id
// GitHub gives it. The bundle is checked first for what GitHub files it by: a Sigstore
// bundle media type and a DSSE envelope over an in-toto statement with a sha256 or
// sha512 subject digest.
//
// Storing is not idempotent, so before re-sending after a failure (whose request may have
// landed with its answer lost) the attestations for the bundle's first subject digest
// are listed; when the same bundle (same signed payload and signature) is among them it
// is not sent again and the id returned is 0, since GitHub's listing carries no ids.
// (A listing that lags behind the store lets a duplicate through: harmless, both are
// the same signed statement.) A 201 without an id is also returned as 0.
func (c *Client) UploadAttestation(ctx context.Context, owner, repo string, bundle []byte) (int64, error) {
	if err := checkRepo(owner, repo); err != nil {
		return 0, err
	}
	ab, err := readBundle(bundle)
	if err != nil {
		return 0, fmt.Errorf("GitHub: store an attestation in %s/%s: %w", owner, repo, err)
	}
	ep := endpoint{need: attestWriteNeed}
	op := fmt.Sprintf("store the attestation for %s in %s/%s", ab.name, owner, repo)
	if ab.name == "" {
		op = fmt.Sprintf("store the attestation for %s in %s/%s", ab.digests[0], owner, repo)
	}
	var id int64
	err = c.withRetry(ctx, op, func(ctx context.Context, n int) error {
		if n > 1 {
			have, err := c.Attestations(ctx, owner, repo, ab.digests[0])
			if err != nil {
				return err
			}
			for _, b := range have {
				if ab.same(b) {
					id = 0
					return nil
				}
			}
		}
		in := struct {
			Bundle json.RawMessage `json:"bundle"`
		}{bundle}
		req, err := c.api.NewRequest(http.MethodPost, repoPath(owner, repo)+"/attestations", in)
		if err != nil {
			return err
		}
		var out struct {
			ID int64 `json:"id"`
		}
		if _, err := c.api.Do(ctx, req, &out); err != nil {
			return err
		}
		id = out.ID
		return nil
	})
	if err != nil {
		return 0, ep.annotate(err)
	}
	return id, nil
}

// Attestations lists the bundles GitHub has for a subject digest ("sha256:<hex>"; sha512
// too) in owner/repo, every page of them, as the bundle JSON GitHub holds; nil when
// there are none. The bundles are not verified here: anyone who may write attestations
// to the repository can store one, so a caller must verify each before trusting it.
//
// GitHub answers 404 for a digest it has no attestations for (seen on the organization
// endpoint; UNCONFIRMED for the repository one), and a misspelt repository (or one the
// token cannot see) also answers 404, so a 404 is taken as "none" only once the
// repository itself answers.
func (c *Client) Attestations(ctx context.Context, owner, repo, digest string) ([][]byte, error) {
	if err := checkRepo(owner, repo); err != nil {
		return nil, err
	}
	d, err := subjectDigest(digest)
	if err != nil {
		return nil, fmt.Errorf("GitHub: list attestations in %s/%s: %w", owner, repo, err)
	}
	ep := endpoint{need: attestReadNeed, missing: fmt.Sprintf("check the repository name: %s/%s was not found "+
		"(a token without access to a private repository also sees 404)", owner, repo)}
	op := fmt.Sprintf("list the attestations for %s in %s/%s", d, owner, repo)
	out, err := c.listAttestations(ctx, op, repoPath(owner, repo)+"/attestations/"+url.PathEscape(d))
	switch {
	case err == nil:
		return out, nil
	case !hasStatus(err, http.StatusNotFound):
		return nil, ep.annotate(err)
	}
	_, rerr := getJSON[struct{}](ctx, c, endpoint{need: "metadata: read"}, fmt.Sprintf("read the repository %s/%s", owner, repo), repoPath(owner, repo))
	switch {
	case rerr == nil:
		return nil, nil
	case hasStatus(rerr, http.StatusNotFound):
		return nil, ep.annotate(err)
	}
	return nil, rerr
}

// listAttestations follows the listing's cursor pages (rel="next" carries an "after"
// cursor, not a page number) and fetches the bundles given only by URL.
func (c *Client) listAttestations(ctx context.Context, op, path string) ([][]byte, error) {
	var out [][]byte
	after := ""
	for range maxPages {
		q := url.Values{"per_page": {fmt.Sprint(perPage)}}
		if after != "" {
			q.Set("after", after)
		}
		var page wireAttestations
		next := ""
		err := c.withRetry(ctx, op, func(ctx context.Context, _ int) error {
			req, err := c.api.NewRequest(http.MethodGet, path+"?"+q.Encode(), nil)
			if err != nil {
				return err
			}
			page = wireAttestations{}
			resp, err := c.api.Do(ctx, req, &page)
			if err == nil {
				next = resp.After
			}
			return err
		})
		if err != nil {
			return nil, err
		}
		for _, a := range page.Attestations {
			b, err := c.attestationBundle(ctx, op, len(out)+1, a.Bundle, a.BundleURL)
			if err != nil {
				return nil, err
			}
			out = append(out, b)
		}
		if next == "" || next == after {
			return out, nil
		}
		after = next
	}
	return nil, fmt.Errorf("GitHub: %s: more than %d pages", op, maxPages)
}

// attestationBundle is the n-th entry's inline bundle or, when GitHub gave none, the
// one at its bundle_url.
func (c *Client) attestationBundle(ctx context.Context, op string, n int, inline json.RawMessage, bundleURL string) ([]byte, error) {
	if len(inline) > 0 && string(inline) != "null" {
		return append([]byte(nil), inline...), nil
	}
	if bundleURL == "" {
		return nil, fmt.Errorf("GitHub: %s: attestation %d has neither a bundle nor a bundle_url", op, n)
	}
	return c.fetchBundle(ctx, fmt.Sprintf("%s: fetch the bundle of attestation %d", op, n), bundleURL)
}

// HasAttestation reports whether owner/repo's attestations already hold this
// bundle (the same signed payload and signature), listed by its first subject
// digest: a job stopped between signing and storing is finished by storing
// only what is missing.
func (c *Client) HasAttestation(ctx context.Context, owner, repo string, bundle []byte) (bool, error) {
	ab, err := readBundle(bundle)
	if err != nil {
		return false, fmt.Errorf("GitHub: look up an attestation in %s/%s: %w", owner, repo, err)
	}
	have, err := c.Attestations(ctx, owner, repo, ab.digests[0])
	if err != nil {
		return false, err
	}
	for _, b := range have {
		if ab.same(b) {
			return true, nil
		}
	}
	return false, nil
}
