package registry

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/releaserhq/releaser/internal/pkgmeta"
)

// pypiUploader uploads through PyPI's legacy API and looks files up in
// its JSON API (reference §3.4).
type pypiUploader struct {
	core   *uploadCore
	upload *url.URL // {upload}/legacy/
	json   *url.URL // {json}/pypi/<project>/<version>/json, and the project pages
}

func (p *pypiUploader) Name() string { return p.core.name }

func (p *pypiUploader) Accepts(kind string) bool {
	return kind == ArtifactWheel || kind == ArtifactSdist
}

// project is the normalised name: the JSON API redirects other spellings,
// and redirects are not followed.
func (p *pypiUploader) project() string { return pkgmeta.NormalizeName(p.core.pkg) }

func (p *pypiUploader) releaseURL() string {
	return siteURL(p.json, "project", url.PathEscape(p.project()), url.PathEscape(p.core.version)) + "/"
}

// pypiFile is one entry of the JSON API's urls[].
type pypiFile struct {
	Filename    string `json:"filename"`
	PackageType string `json:"packagetype"`
	Digests     struct {
		SHA256     string `json:"sha256"`
		BLAKE2b256 string `json:"blake2b_256"`
	} `json:"digests"`
}

// Lookup reads the release's files from the JSON API; the upload token is
// not sent there (a public API on another host).
func (p *pypiUploader) Lookup(ctx context.Context, _ *Token, a Artifact) (Remote, error) {
	var files []pypiFile
	u := siteURL(p.json, "pypi", url.PathEscape(p.project()), url.PathEscape(p.core.version), "json")
	found, err := p.core.get(ctx, a, u, http.Header{"Accept": {"application/json"}}, nil, func(r io.Reader) error {
		dec := json.NewDecoder(r)
		return walkObject(dec, func(key string) error {
			if key == "urls" {
				return dec.Decode(&files)
			}
			return skipValue(dec)
		})
	})
	if err != nil {
		return Remote{}, err
	}
	remote := Remote{State: Absent, URL: p.releaseURL(), Detail: fmt.Sprintf("%s has no %s for %s %s", p.core.name, a.Name, p.core.pkg, p.core.version)}
	if !found {
		return remote, nil
	}
	for _, f := range files {
		if f.Filename != a.Name {
			continue
		}
		sameSHA := strings.EqualFold(f.Digests.SHA256, a.SHA256)
		sameBlake := f.Digests.BLAKE2b256 == "" || strings.EqualFold(f.Digests.BLAKE2b256, a.BLAKE2b256)
		if sameSHA && sameBlake {
			remote.State = Same
			remote.Detail = fmt.Sprintf("%s has %s with sha256 %s, the same file", p.core.name, f.Filename, shortDigest(a.SHA256))
		} else {
			remote.State = Different
			remote.Detail = fmt.Sprintf("%s has %s with sha256 %s; this build's has sha256 %s", p.core.name, f.Filename,
				shortDigest(strings.ToLower(f.Digests.SHA256)), shortDigest(a.SHA256))
		}
		return remote, nil
	}
	if a.Kind == ArtifactSdist {
		for _, f := range files {
			if f.PackageType == "sdist" {
				remote.State = Different
				remote.Detail = fmt.Sprintf("%s already has the sdist %s for %s %s, and takes only one sdist per release", p.core.name, f.Filename, p.core.pkg, p.core.version)
				return remote, nil
			}
		}
	}
	return remote, nil
}

// Upload posts the multipart form twine would, streaming the file.
func (p *pypiUploader) Upload(ctx context.Context, tok *Token, a Artifact, progress func(int64)) (Result, error) {
	u := p.core
	if err := u.checkUpload(tok, a, p.Accepts(a.Kind), map[string]int{"sha256": 32, "blake2b-256": 32}); err != nil {
		return Result{}, err
	}
	meta, err := p.readMetadata(a)
	if err != nil {
		return Result{}, err
	}
	atts, err := pypiAttestations(a.Attestations)
	if err != nil {
		return Result{}, u.attestationError(a, err)
	}
	// No md5_digest: PyPI needs one of md5, sha256 and blake2b-256 and
	// checks every one it is given; the manifest's sha256 and blake2b-256
	// are sent, and an md5 would cost another read of the file.
	req, err := p.request(tok, a, meta, atts, progress)
	if err != nil {
		return Result{}, u.metadataError(a, err)
	}
	return u.send(ctx, a, req, func(ctx context.Context) (Remote, error) { return p.Lookup(ctx, tok, a) })
}

// request lays out the form around the file, which each attempt reopens.
// attestations is the field's JSON array ("" = no field); twine sends it
// after the digests.
func (p *pypiUploader) request(tok *Token, a Artifact, meta *pkgmeta.Python, attestations string, progress func(int64)) (uploadRequest, error) {
	fields := pypiForm(meta, a)
	if attestations != "" {
		fields = append(fields, formField{"attestations", attestations})
	}
	layout, err := newMultipart(fields, a.Name)
	if err != nil {
		return uploadRequest{}, err
	}
	basic := base64.StdEncoding.EncodeToString([]byte("__token__:" + tok.Value))
	return uploadRequest{
		method: http.MethodPost,
		url:    siteURL(p.upload, "legacy") + "/", // without the slash PyPI answers 308
		header: http.Header{
			"Authorization": {"Basic " + basic},
			"Content-Type":  {layout.contentType},
		},
		secrets: []string{tok.Value, basic},
		body: func() (io.ReadCloser, int64, error) {
			f, err := openArtifact(a)
			if err != nil {
				return nil, 0, err
			}
			r := io.MultiReader(bytes.NewReader(layout.head), newFileReader(f, a.Size, progress), bytes.NewReader(layout.tail))
			return &bodyReader{Reader: r, f: f}, int64(len(layout.head)) + a.Size + int64(len(layout.tail)), nil
		},
		duplicate: pypiDuplicate,
		published: p.releaseURL(),
	}, nil
}

// pypiDuplicate recognises PyPI's refusals that a lookup resolves: the
// file (or an sdist) is already there. twine's --skip-existing matches
// 400 + "already exist", or 409.
func pypiDuplicate(status int, msg string) bool {
	if status == http.StatusConflict {
		return true
	}
	return status == http.StatusBadRequest &&
		(strings.Contains(strings.ToLower(msg), "already exist") || strings.Contains(msg, "Only one sdist may be uploaded per release"))
}

// readMetadata reads the wheel's METADATA or the sdist's PKG-INFO and
// applies PyPI's rules before anything is sent.
func (p *pypiUploader) readMetadata(a Artifact) (*pkgmeta.Python, error) {
	u := p.core
	f, err := openArtifact(a)
	if err != nil {
		return nil, u.localError(a, err)
	}
	defer f.Close()
	var meta *pkgmeta.Python
	source := "PKG-INFO"
	if a.Kind == ArtifactWheel {
		source = "METADATA"
		meta, err = pkgmeta.ReadWheelFrom(f, a.Size, a.Name)
	} else {
		meta, err = pkgmeta.ReadSdistFrom(f, a.Name)
	}
	if err != nil {
		return nil, u.metadataError(a, err)
	}
	if name := meta.Metadata.Name(); pkgmeta.NormalizeName(name) != p.project() {
		return nil, u.mismatch(a, source, "name", name, u.pkg, "[[registry]] package")
	}
	if err := u.checkVersion(a, source, meta.Metadata.Version()); err != nil {
		return nil, err
	}
	if err := meta.CheckFilename(); err != nil {
		return nil, &UploadError{Registry: u.name, Artifact: a.Name, Message: sanitizeMessage(err.Error()),
			Fix: "PyPI refuses this file name; build with a current build backend (it names files as PyPI requires)"}
	}
	return meta, nil
}
