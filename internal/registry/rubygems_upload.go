package registry

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/releaserhq/releaser/internal/pkgmeta"
)

// rubygemsUploader pushes the .gem as the raw body (reference §6.3).
type rubygemsUploader struct {
	core *uploadCore
	base *url.URL
}

func (g *rubygemsUploader) Name() string             { return g.core.name }
func (g *rubygemsUploader) Accepts(kind string) bool { return kind == ArtifactGem }

func (g *rubygemsUploader) releaseURL(platform string) string {
	v := g.core.version
	if platform != "" && platform != "ruby" {
		v += "-" + platform
	}
	return siteURL(g.base, "gems", url.PathEscape(g.core.pkg), "versions", url.PathEscape(v))
}

// Lookup lists the gem's versions and compares the sha of the entry with
// this version and platform; the API is public and gets no credential.
func (g *rubygemsUploader) Lookup(ctx context.Context, _ *Token, a Artifact) (Remote, error) {
	spec, err := pkgmeta.ReadGem(a.Path)
	if err != nil {
		return Remote{}, g.core.metadataError(a, err)
	}
	var match *rubygemsVersion
	u := siteURL(g.base, "api", "v1", "versions", url.PathEscape(g.core.pkg)+".json")
	found, err := g.core.get(ctx, a, u, http.Header{"Accept": {"application/json"}}, nil, func(r io.Reader) error {
		dec := json.NewDecoder(r)
		if t, err := dec.Token(); err != nil || t != json.Delim('[') {
			return fmt.Errorf("expected a JSON array")
		}
		for dec.More() {
			var v rubygemsVersion
			if err := dec.Decode(&v); err != nil {
				return err
			}
			if v.Number == g.core.version && firstNonEmpty(v.Platform, "ruby") == spec.Platform {
				match = &v
			}
		}
		_, err := dec.Token()
		return err
	})
	if err != nil {
		return Remote{}, err
	}
	full := spec.FullName()
	remote := Remote{State: Absent, URL: g.releaseURL(spec.Platform), Detail: fmt.Sprintf("RubyGems has no %s", full)}
	if !found || match == nil {
		return remote, nil
	}
	theirs := strings.ToLower(match.SHA)
	if theirs == a.SHA256 {
		remote.State, remote.Detail = Same, fmt.Sprintf("RubyGems has %s with sha %s, the same .gem", full, shortDigest(theirs))
	} else {
		remote.State, remote.Detail = Different, fmt.Sprintf("RubyGems has %s with sha %s; this build's .gem has %s", full, shortDigest(theirs), shortDigest(a.SHA256))
	}
	return remote, nil
}

// rubygemsVersion is one entry of /api/v1/versions/<gem>.json.
type rubygemsVersion struct {
	Number   string `json:"number"`
	Platform string `json:"platform"`
	SHA      string `json:"sha"`
}

// Upload posts the .gem, streamed, with the key as the whole
// Authorization header (RubyGems hashes the header value; no scheme).
func (g *rubygemsUploader) Upload(ctx context.Context, tok *Token, a Artifact, progress func(int64)) (Result, error) {
	u := g.core
	if err := u.checkUpload(tok, a, g.Accepts(a.Kind), map[string]int{"sha256": 32}); err != nil {
		return Result{}, err
	}
	spec, err := pkgmeta.ReadGem(a.Path)
	if err != nil {
		return Result{}, u.metadataError(a, err)
	}
	if spec.Name != u.pkg {
		return Result{}, u.mismatch(a, "gem specification", "name", spec.Name, u.pkg, "[[registry]] package")
	}
	if err := u.checkVersion(a, "gem specification", spec.Version); err != nil {
		return Result{}, err
	}
	return u.send(ctx, a, g.request(tok, a, spec, progress), func(ctx context.Context) (Remote, error) { return g.Lookup(ctx, tok, a) })
}

// request sends the .gem as it is.
func (g *rubygemsUploader) request(tok *Token, a Artifact, spec *pkgmeta.Gem, progress func(int64)) uploadRequest {
	return uploadRequest{
		method: http.MethodPost,
		url:    siteURL(g.base, "api", "v1", "gems"),
		header: http.Header{
			"Authorization": {tok.Value},
			"Content-Type":  {"application/octet-stream"},
		},
		secrets: []string{tok.Value},
		body: func() (io.ReadCloser, int64, error) {
			f, err := openArtifact(a)
			if err != nil {
				return nil, 0, err
			}
			return &bodyReader{Reader: newFileReader(f, a.Size, progress), f: f}, a.Size, nil
		},
		duplicate: func(status int, _ string) bool { return status == http.StatusConflict },
		// A key that pushed this very gem before gets 200 "Gem was already
		// pushed"; a trusted-publishing key never does, but say so if it
		// happens.
		alreadyThere: func(body []byte) bool {
			return bytes.HasPrefix(bytes.TrimSpace(body), []byte("Gem was already pushed"))
		},
		published: g.releaseURL(spec.Platform),
	}
}
