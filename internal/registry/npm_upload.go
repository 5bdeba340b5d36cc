package registry

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/releaserhq/releaser/internal/pkgmeta"
)

// npmUploader publishes with a PUT of the packument document carrying
// the tarball as a base64 attachment (reference §4.3).
type npmUploader struct {
	core    *uploadCore
	base    *url.URL
	custom  bool // not the public registry: the release URL is the packument
	access  string
	distTag string
}

// npmTag is what a dist-tag may be here: URL-safe and not a version
// (npm refuses tags that parse as semver ranges; a leading digit or "v"
// and digit is the common case).
var (
	npmTag        = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)
	npmTagVersion = regexp.MustCompile(`^v?[0-9]`)
)

func newNpmUploader(core *uploadCore, base *url.URL, custom bool, opts UploadOptions) (*npmUploader, error) {
	pkg := core.pkg
	if !npmName.MatchString(pkg) || strings.HasPrefix(pkg, ".") || strings.HasPrefix(pkg, "_") || len(pkg) > 214 {
		return nil, fmt.Errorf("npm package name %q is not a valid npm name", pkg)
	}
	switch opts.Access {
	case "", "public":
	case "restricted":
		if !strings.HasPrefix(pkg, "@") {
			return nil, fmt.Errorf("npm access \"restricted\" needs a scoped package (@scope/name); %s is unscoped and always public", pkg)
		}
	default:
		return nil, fmt.Errorf("npm access %q: want \"public\" or \"restricted\"", opts.Access)
	}
	tag := opts.DistTag
	if tag == "" {
		tag = defaultDistTag
	}
	if !npmTag.MatchString(tag) || npmTagVersion.MatchString(tag) {
		return nil, fmt.Errorf("npm dist-tag %q: use letters, digits, '.', '_' and '-', not starting like a version", tag)
	}
	return &npmUploader{core: core, base: base, custom: custom, access: opts.Access, distTag: tag}, nil
}

func (n *npmUploader) Name() string             { return n.core.name }
func (n *npmUploader) Accepts(kind string) bool { return kind == ArtifactNpm }

func (n *npmUploader) packumentURL() string {
	return endpointURL(n.base, "/"+npmEscapedName(n.core.pkg))
}

func (n *npmUploader) releaseURL() string {
	if n.custom {
		return n.packumentURL()
	}
	return "https://www.npmjs.com/package/" + n.core.pkg + "/v/" + url.PathEscape(n.core.version)
}

// integrity is the Subresource Integrity string npm records: sha512 and
// base64 of the raw digest.
func integrity(sha512hex string) (string, error) {
	raw, err := hex.DecodeString(sha512hex)
	if err != nil || len(raw) != 64 {
		return "", fmt.Errorf("not a sha512 digest")
	}
	return "sha512-" + base64.StdEncoding.EncodeToString(raw), nil
}

// Lookup reads versions[v].dist from the (abbreviated) packument. The
// token goes along when given: a restricted package is invisible without.
func (n *npmUploader) Lookup(ctx context.Context, tok *Token, a Artifact) (Remote, error) {
	header := http.Header{"Accept": {"application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*"}}
	var secrets []string
	if tok != nil && tok.Value != "" && tok.Registry == KindNpm {
		header.Set("Authorization", "Bearer "+tok.Value)
		secrets = append(secrets, tok.Value)
	}
	var dist *npmDist
	found, err := n.core.get(ctx, a, n.packumentURL(), header, secrets, func(r io.Reader) error {
		dec := json.NewDecoder(r)
		return walkObject(dec, func(key string) error {
			if key != "versions" {
				return skipValue(dec)
			}
			return walkObject(dec, func(v string) error {
				if v != n.core.version {
					return skipValue(dec)
				}
				var ver struct {
					Dist npmDist `json:"dist"`
				}
				if err := dec.Decode(&ver); err != nil {
					return err
				}
				dist = &ver.Dist
				return nil
			})
		})
	})
	if err != nil {
		return Remote{}, err
	}
	remote := Remote{State: Absent, URL: n.releaseURL(), Detail: fmt.Sprintf("npm has no %s@%s", n.core.pkg, n.core.version)}
	if !found || dist == nil {
		return remote, nil
	}
	ours, err := integrity(a.SHA512)
	if err != nil {
		return Remote{}, n.core.localError(a, fmt.Errorf("the manifest's sha512 for this artifact is %w", err))
	}
	if theirs := sriSHA512(dist.Integrity); theirs != "" {
		if theirs == ours {
			remote.State, remote.Detail = Same, fmt.Sprintf("npm has %s@%s with integrity %s, the same tarball", n.core.pkg, n.core.version, shortDigest(ours))
		} else {
			remote.State, remote.Detail = Different, fmt.Sprintf("npm has %s@%s with integrity %s; this build's tarball has %s", n.core.pkg, n.core.version, shortDigest(theirs), shortDigest(ours))
		}
		return remote, nil
	}
	if dist.Shasum != "" {
		h := sha1.New()
		if err := hashFile(a, h); err != nil {
			return Remote{}, n.core.localError(a, err)
		}
		if ours1 := hex.EncodeToString(h.Sum(nil)); strings.EqualFold(dist.Shasum, ours1) {
			remote.State, remote.Detail = Same, fmt.Sprintf("npm has %s@%s with shasum %s, the same tarball", n.core.pkg, n.core.version, shortDigest(ours1))
			return remote, nil
		}
	}
	remote.State = Different
	remote.Detail = fmt.Sprintf("npm has %s@%s with a different tarball (integrity %q, shasum %q)", n.core.pkg, n.core.version, truncate(dist.Integrity, 40), truncate(dist.Shasum, 40))
	return remote, nil
}

// npmDist is the part of a version's manifest that identifies its tarball.
type npmDist struct {
	Integrity string `json:"integrity"`
	Shasum    string `json:"shasum"`
}

// sriSHA512 picks the sha512 entry of an integrity string, which may
// list several hashes separated by spaces, each with options after "?".
func sriSHA512(sri string) string {
	for _, h := range strings.Fields(sri) {
		if strings.HasPrefix(h, "sha512-") {
			h, _, _ = strings.Cut(h, "?")
			return h
		}
	}
	return ""
}

// Upload PUTs the packument delta with the tarball streamed as base64.
func (n *npmUploader) Upload(ctx context.Context, tok *Token, a Artifact, progress func(int64)) (Result, error) {
	u := n.core
	if err := u.checkUpload(tok, a, n.Accepts(a.Kind), map[string]int{"sha512": 64}); err != nil {
		return Result{}, err
	}
	pkg, err := n.readManifest(a)
	if err != nil {
		return Result{}, err
	}
	prov, err := npmProvenanceAttachment(a.Attestations)
	if err != nil {
		return Result{}, u.attestationError(a, err)
	}
	sum := sha1.New()
	if err := hashFile(a, sum); err != nil {
		return Result{}, u.localError(a, err)
	}
	req, err := n.request(tok, a, pkg, hex.EncodeToString(sum.Sum(nil)), prov, progress)
	if err != nil {
		return Result{}, u.metadataError(a, err)
	}
	return u.send(ctx, a, req, func(ctx context.Context) (Remote, error) { return n.Lookup(ctx, tok, a) })
}

// request lays out the document around the base64 tarball, which each
// attempt reopens and encodes on the fly.
func (n *npmUploader) request(tok *Token, a Artifact, pkg *pkgmeta.NpmPackage, shasum string, prov *npmProvenance, progress func(int64)) (uploadRequest, error) {
	layout, err := n.document(pkg, a, shasum, prov)
	if err != nil {
		return uploadRequest{}, err
	}
	length := int64(len(layout.head)) + base64Len(a.Size) + int64(len(layout.tail))
	return uploadRequest{
		method: http.MethodPut,
		url:    n.packumentURL(),
		header: http.Header{
			"Authorization": {"Bearer " + tok.Value},
			"Content-Type":  {"application/json"},
			"Accept":        {"application/json"},
		},
		secrets: []string{tok.Value},
		body: func() (io.ReadCloser, int64, error) {
			f, err := openArtifact(a)
			if err != nil {
				return nil, 0, err
			}
			b64 := &base64Reader{src: newFileReader(f, a.Size, progress)}
			r := io.MultiReader(bytes.NewReader(layout.head), b64, bytes.NewReader(layout.tail))
			return &bodyReader{Reader: r, f: f}, length, nil
		},
		duplicate: npmDuplicate,
		published: n.releaseURL(),
	}, nil
}

// base64Len is the padded standard base64 length of n bytes, in int64
// (EncodedLen takes an int).
func base64Len(n int64) int64 { return (n + 2) / 3 * 4 }

// npmDuplicate: the public registry answers 403 "You cannot publish over
// the previously published versions"; verdaccio answers 409.
func npmDuplicate(status int, msg string) bool {
	if status == http.StatusConflict {
		return true
	}
	return status == http.StatusForbidden && (strings.Contains(msg, "cannot publish over") || strings.Contains(msg, "previously published"))
}

func (n *npmUploader) readManifest(a Artifact) (*pkgmeta.NpmPackage, error) {
	u := n.core
	f, err := openArtifact(a)
	if err != nil {
		return nil, u.localError(a, err)
	}
	defer f.Close()
	pkg, err := pkgmeta.ReadNpmFrom(f)
	if err != nil {
		return nil, u.metadataError(a, err)
	}
	if pkg.Name != u.pkg {
		return nil, u.mismatch(a, "package.json", "name", pkg.Name, u.pkg, "[[registry]] package")
	}
	if err := u.checkVersion(a, "package.json", pkg.Version); err != nil {
		return nil, err
	}
	return pkg, nil
}

// jsonLayout is a JSON document with one string value (the base64
// tarball) left out: head ends with its opening quote, tail starts with
// its closing one.
type jsonLayout struct{ head, tail []byte }

// document builds the packument delta libnpmpublish sends, with the
// provenance bundle as a second attachment when there is one.
func (n *npmUploader) document(pkg *pkgmeta.NpmPackage, a Artifact, shasum string, prov *npmProvenance) (jsonLayout, error) {
	sri, err := integrity(a.SHA512)
	if err != nil {
		return jsonLayout{}, err
	}
	name, version := pkg.Name, pkg.Version
	tarballName := name + "-" + version + ".tgz"
	// libnpmpublish resolves "<name>/-/<tarball>" against the registry and
	// downgrades it to http; registries rewrite it anyway.
	tarballURL := strings.Replace(endpointURL(n.base, "/"+name+"/-/"+tarballName), "https://", "http://", 1)

	manifest := make(map[string]any, len(pkg.Manifest)+2)
	for k, v := range pkg.Manifest {
		manifest[k] = v
	}
	manifest["_id"] = name + "@" + version
	manifest["dist"] = map[string]string{"integrity": sri, "shasum": shasum, "tarball": tarballURL}

	placeholder, err := randomPlaceholder()
	if err != nil {
		return jsonLayout{}, err
	}
	attachments := map[string]any{
		tarballName: map[string]any{
			"content_type": "application/octet-stream",
			"data":         placeholder,
			"length":       a.Size,
		},
	}
	if prov != nil {
		attachments[name+"-"+version+".sigstore"] = prov
	}
	doc := map[string]any{
		"_id":          name,
		"name":         name,
		"dist-tags":    map[string]string{n.distTag: version},
		"versions":     map[string]any{version: manifest},
		"_attachments": attachments,
	}
	if d, ok := pkg.Manifest["description"]; ok {
		doc["description"] = d
	}
	if n.access != "" {
		doc["access"] = n.access
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return jsonLayout{}, fmt.Errorf("encoding the publish document: %w", err)
	}
	b := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	quoted := []byte(`"` + placeholder + `"`)
	i := bytes.Index(b, quoted)
	if i < 0 || bytes.Count(b, quoted) != 1 {
		return jsonLayout{}, fmt.Errorf("encoding the publish document: the attachment placeholder is not unique")
	}
	return jsonLayout{head: b[:i+1], tail: b[i+len(quoted)-1:]}, nil
}

// randomPlaceholder marks where the base64 goes; random, so no
// package.json can contain it by accident or on purpose.
func randomPlaceholder() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generating a placeholder: %w", err)
	}
	return "releaser-attachment-" + hex.EncodeToString(b), nil
}
