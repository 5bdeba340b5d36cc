package testenv

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// newAsset records a "starter" asset; the caller holds g.mu.
func (g *GitHub) newAsset(rel *ghRelease, name, label, contentType string) *ghAsset {
	g.nextID++
	now := time.Now()
	a := &ghAsset{id: g.nextID, name: name, label: label, contentType: contentType, state: "starter",
		key: randomAlnum(32), created: now, updated: now}
	rel.assets = append(rel.assets, a)
	return a
}

// finish marks a as uploaded with its spooled body; the caller holds g.mu.
func (a *ghAsset) finish(path, sum string, size int64) {
	a.path, a.sha256, a.size, a.state, a.updated = path, sum, size, "uploaded", time.Now()
}

// spool copies body to a new file in dir, hashing it on the way, so an upload is never
// held in memory.
func spool(dir string, body io.Reader) (path, sum string, err error) {
	f, err := os.CreateTemp(dir, "asset-*")
	if err != nil {
		return "", "", err
	}
	h := sha256.New()
	_, err = io.Copy(io.MultiWriter(f, h), body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return "", "", err
	}
	return f.Name(), hex.EncodeToString(h.Sum(nil)), nil
}

func readSpool(path string) []byte {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	return b
}

// upload is "Upload a release asset": the raw body, name (and label) in the query,
// Content-Type and Content-Length required. The asset exists as a "starter" from the
// moment the body starts arriving, so an interrupted upload leaves one behind and the
// name stays taken until it is deleted.
func (g *GitHub) upload(w http.ResponseWriter, r *http.Request, owner, repo string, id int64) {
	q := r.URL.Query()
	name, label := q.Get("name"), q.Get("label")
	g.mu.Lock()
	rp := g.repo(w, owner, repo, ghDocUpload)
	if rp == nil {
		g.mu.Unlock()
		return
	}
	rel := rp.release(id)
	var fail UploadFailure
	var a *ghAsset
	switch {
	case rel == nil:
		ghNotFound(w, ghDocUpload)
	case rel.immutable:
		ghImmutableUpload(w)
	// The answers for a missing name, Content-Type or Content-Length are UNCONFIRMED;
	// these are the plausible ones (a validation error, and net/http's 411).
	case name == "":
		ghValidation(w, ghDocUpload, "ReleaseAsset", "missing_field", "name")
	case r.Header.Get("Content-Type") == "":
		ghValidation(w, ghDocUpload, "ReleaseAsset", "missing_field", "content_type")
	case r.ContentLength < 0:
		ghError(w, http.StatusLengthRequired, "Length Required", ghDocUpload)
	case rel.asset(name) != nil:
		ghValidation(w, ghDocUpload, "ReleaseAsset", "already_exists", "name")
	default:
		a = g.newAsset(rel, name, label, r.Header.Get("Content-Type"))
		if len(g.failNext) > 0 {
			fail, g.failNext = g.failNext[0], g.failNext[1:]
		}
	}
	g.mu.Unlock()
	if a == nil {
		return
	}
	if fail == UploadDropped {
		_, _ = io.CopyN(io.Discard, r.Body, r.ContentLength/2)
		dropConnection(w)
		return
	}
	path, sum, err := spool(g.dir, r.Body)
	if err != nil {
		// The client went away (or sent fewer bytes than Content-Length): the starter
		// stays, as on GitHub.
		return
	}
	if fail == UploadBadGateway {
		_ = os.Remove(path)
		writeRaw(w, http.StatusBadGateway, `{"message":"Bad Gateway"}`)
		return
	}
	size := r.ContentLength
	g.mu.Lock()
	defer g.mu.Unlock()
	if rp.release(id) == nil || rel.asset(name) != a {
		// Deleted while the body arrived.
		_ = os.Remove(path)
		ghNotFound(w, ghDocUpload)
		return
	}
	a.finish(path, sum, size)
	g.uploads++
	writeJSON(w, http.StatusCreated, g.assetJSON(rp, rel, a))
}

func (g *GitHub) listAssets(w http.ResponseWriter, r *http.Request, owner, repo string, id int64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	rp := g.repo(w, owner, repo, ghDocListAssets)
	if rp == nil {
		return
	}
	rel := rp.release(id)
	if rel == nil {
		ghNotFound(w, ghDocListAssets)
		return
	}
	lo, hi := paginate(w, r, len(rel.assets))
	out := []ghAssetJSON{}
	for _, a := range rel.assets[lo:hi] {
		out = append(out, g.assetJSON(rp, rel, a))
	}
	writeJSON(w, http.StatusOK, out)
}

// getAsset answers the asset's JSON, or with "Accept: application/octet-stream" a 302 to
// a storage URL that needs no credentials (GitHub redirects to a pre-signed URL).
func (g *GitHub) getAsset(w http.ResponseWriter, r *http.Request, owner, repo string, id int64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	rp := g.repo(w, owner, repo, ghDocGetAsset)
	if rp == nil {
		return
	}
	rel, a := rp.asset(id)
	if a == nil {
		ghNotFound(w, ghDocGetAsset)
		return
	}
	if !strings.Contains(r.Header.Get("Accept"), "application/octet-stream") {
		writeJSON(w, http.StatusOK, g.assetJSON(rp, rel, a))
		return
	}
	if a.state != "uploaded" {
		ghNotFound(w, ghDocGetAsset)
		return
	}
	http.Redirect(w, r, g.storageURL(a), http.StatusFound)
}

func (g *GitHub) storageURL(a *ghAsset) string {
	return g.URL() + "/download/" + a.key + "/" + url.PathEscape(a.name)
}

func (g *GitHub) deleteAsset(w http.ResponseWriter, owner, repo string, id int64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	rp := g.repo(w, owner, repo, ghDocDeleteAsset)
	if rp == nil {
		return
	}
	rel, a := rp.asset(id)
	if a == nil {
		ghNotFound(w, ghDocDeleteAsset)
		return
	}
	if rel.immutable {
		ghImmutableAssetDelete(w)
		return
	}
	for i, x := range rel.assets {
		if x == a {
			rel.assets = append(rel.assets[:i], rel.assets[i+1:]...)
			break
		}
	}
	if a.path != "" {
		_ = os.Remove(a.path)
	}
	w.WriteHeader(http.StatusNoContent)
}

// serveStorage is the pre-signed storage URL "/download/<key>/<name>". Like S3 behind
// GitHub's redirect it refuses a request that also carries an Authorization header, so
// a client that forwards its GitHub token there fails loudly (the exact answer of
// today's backend is UNCONFIRMED; this is S3's).
func (g *GitHub) serveStorage(w http.ResponseWriter, r *http.Request, rest string) {
	if r.Header.Get("Authorization") != "" {
		writeRaw(w, http.StatusBadRequest, "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified")
		return
	}
	key, _, _ := strings.Cut(rest, "/")
	g.mu.Lock()
	var path string
	for _, rp := range g.repos {
		for _, rel := range rp.releases {
			for _, a := range rel.assets {
				if a.key == key && a.state == "uploaded" {
					path = a.path
				}
			}
		}
	}
	g.mu.Unlock()
	g.sendFile(w, r, path)
}

// serveBrowserDownload is browser_download_url, "/<owner>/<repo>/releases/download/
// <tag>/<name>": published releases only (a draft's asset needs a signed-in browser).
func (g *GitHub) serveBrowserDownload(w http.ResponseWriter, r *http.Request, seg []string) {
	if len(seg) < 6 || seg[2] != "releases" || seg[3] != "download" {
		http.NotFound(w, r)
		return
	}
	tag, name := strings.Join(seg[4:len(seg)-1], "/"), seg[len(seg)-1]
	g.mu.Lock()
	var to string
	if rp := g.repos[repoKey(seg[0], seg[1])]; rp != nil {
		for _, rel := range rp.releases {
			if !rel.draft && rel.tag == tag {
				if a := rel.asset(name); a != nil && a.state == "uploaded" {
					to = g.storageURL(a)
				}
			}
		}
	}
	g.mu.Unlock()
	if to == "" {
		http.NotFound(w, r)
		return
	}
	http.Redirect(w, r, to, http.StatusFound)
}

func (g *GitHub) sendFile(w http.ResponseWriter, r *http.Request, path string) {
	if path == "" {
		http.NotFound(w, r)
		return
	}
	f, err := os.Open(path)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		http.Error(w, "storage error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.FormatInt(st.Size(), 10))
	w.WriteHeader(http.StatusOK)
	_, _ = io.Copy(w, f)
}
