package registry

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strings"

	"github.com/releaserhq/releaser/internal/pkgmeta"
)

// cratesUploader publishes with cargo's length-prefixed PUT (reference
// §5.3).
type cratesUploader struct {
	core *uploadCore
	base *url.URL
}

func (k *cratesUploader) Name() string             { return k.core.name }
func (k *cratesUploader) Accepts(kind string) bool { return kind == ArtifactCrate }

func (k *cratesUploader) releaseURL() string {
	return siteURL(k.base, "crates", url.PathEscape(k.core.pkg), url.PathEscape(k.core.version))
}

// Lookup reads version.checksum (sha256 of the .crate); the API is public
// and gets no credential.
func (k *cratesUploader) Lookup(ctx context.Context, _ *Token, a Artifact) (Remote, error) {
	var body struct {
		Version struct {
			Checksum string `json:"checksum"`
		} `json:"version"`
	}
	u := siteURL(k.base, "api", "v1", "crates", url.PathEscape(k.core.pkg), url.PathEscape(k.core.version))
	found, err := k.core.get(ctx, a, u, http.Header{"Accept": {"application/json"}}, nil, func(r io.Reader) error {
		return json.NewDecoder(r).Decode(&body)
	})
	if err != nil {
		return Remote{}, err
	}
	remote := Remote{State: Absent, URL: k.releaseURL(), Detail: fmt.Sprintf("crates.io has no %s %s", k.core.pkg, k.core.version)}
	if !found {
		return remote, nil
	}
	theirs := strings.ToLower(body.Version.Checksum)
	if theirs == a.SHA256 {
		remote.State, remote.Detail = Same, fmt.Sprintf("%s has %s %s with checksum %s, the same .crate", k.core.name, k.core.pkg, k.core.version, shortDigest(theirs))
	} else {
		remote.State, remote.Detail = Different, fmt.Sprintf("%s has %s %s with checksum %s; this build's .crate has %s", k.core.name, k.core.pkg, k.core.version, shortDigest(theirs), shortDigest(a.SHA256))
	}
	return remote, nil
}

// Upload sends u32 len(json) · json · u32 len(crate) · crate, little
// endian, the .crate streamed from disk.
func (k *cratesUploader) Upload(ctx context.Context, tok *Token, a Artifact, progress func(int64)) (Result, error) {
	u := k.core
	if err := u.checkUpload(tok, a, k.Accepts(a.Kind), map[string]int{"sha256": 32}); err != nil {
		return Result{}, err
	}
	if a.Size > math.MaxUint32 {
		return Result{}, &UploadError{Registry: u.name, Artifact: a.Name, Message: "the .crate is larger than 4 GiB, which the publish format cannot express",
			Fix: "exclude files from the package (Cargo.toml [package] exclude)"}
	}
	crate, err := k.readCrate(a)
	if err != nil {
		return Result{}, err
	}
	req, err := k.request(tok, a, crate, progress)
	if err != nil {
		return Result{}, u.metadataError(a, err)
	}
	return u.send(ctx, a, req, func(ctx context.Context) (Remote, error) { return k.Lookup(ctx, tok, a) })
}

// request prefixes the .crate with the lengths and the NewCrate JSON.
func (k *cratesUploader) request(tok *Token, a Artifact, crate *pkgmeta.Crate, progress func(int64)) (uploadRequest, error) {
	meta, err := marshalNoEscape(crate.NewCrate)
	if err != nil {
		return uploadRequest{}, err
	}
	head := binary.LittleEndian.AppendUint32(nil, uint32(len(meta)))
	head = append(head, meta...)
	head = binary.LittleEndian.AppendUint32(head, uint32(a.Size))
	return uploadRequest{
		method: http.MethodPut,
		url:    siteURL(k.base, "api", "v1", "crates", "new"),
		header: http.Header{
			"Authorization": {tok.Value}, // cargo sends the raw token
			"Accept":        {"application/json"},
		},
		secrets: []string{tok.Value},
		body: func() (io.ReadCloser, int64, error) {
			f, err := openArtifact(a)
			if err != nil {
				return nil, 0, err
			}
			r := io.MultiReader(bytes.NewReader(head), newFileReader(f, a.Size, progress))
			return &bodyReader{Reader: r, f: f}, int64(len(head)) + a.Size, nil
		},
		duplicate: cratesDuplicate,
		published: k.releaseURL(),
	}, nil
}

// cratesDuplicate: "crate version `X` is already uploaded".
func cratesDuplicate(status int, msg string) bool {
	return status == http.StatusBadRequest && strings.Contains(msg, "already uploaded")
}

func (k *cratesUploader) readCrate(a Artifact) (*pkgmeta.Crate, error) {
	u := k.core
	crate, err := pkgmeta.ReadCrateFrom(func() (io.ReadCloser, error) { return openArtifact(a) })
	if err != nil {
		return nil, u.metadataError(a, err)
	}
	if crate.Name != u.pkg {
		return nil, u.mismatch(a, "Cargo.toml", "name", crate.Name, u.pkg, "[[registry]] package")
	}
	if err := u.checkVersion(a, "Cargo.toml", crate.Version); err != nil {
		return nil, err
	}
	return crate, nil
}

// marshalNoEscape is json.Marshal without HTML escaping, as serde_json
// writes it.
func marshalNoEscape(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
