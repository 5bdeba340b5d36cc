package testenv

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Documentation URLs of the attestation endpoints.
const (
	ghDocCreateAttest = "https://docs.github.com/rest/repos/attestations#create-an-attestation"
	ghDocListAttest   = "https://docs.github.com/rest/repos/attestations#list-attestations"
	// ghRepoID is the id getRepo gives every repository.
	ghRepoID = 74
	// ghAttestBlobPath is where bundle_url points: blob storage, pre-signed, no token.
	ghAttestBlobPath = "/attestation-bundles/"
	// maxAttestBody bounds an upload: a bundle is kilobytes, 1024 subjects ~150 KB.
	maxAttestBody = 8 << 20
)

// ghAttestFieldError is a validation error entry with GitHub's "custom" code, which
// carries its own message.
type ghAttestFieldError struct {
	Resource string `json:"resource"`
	Code     string `json:"code"`
	Field    string `json:"field"`
	Message  string `json:"message,omitempty"`
}

// serveAttestations answers /repos/{owner}/{repo}/attestations[/{subject_digest}] and
// reports whether the request was one of theirs.
func (g *GitHub) serveAttestations(w http.ResponseWriter, r *http.Request) bool {
	seg, ok := apiSegments(r)
	if !ok || len(seg) < 4 || seg[0] != "repos" || seg[3] != "attestations" {
		return false
	}
	owner, repo := seg[1], seg[2]
	switch {
	case len(seg) == 4 && r.Method == http.MethodPost:
		g.createAttestation(w, r, owner, repo)
	case len(seg) == 5 && r.Method == http.MethodGet:
		g.listAttestations(w, r, owner, repo, seg[4])
	default:
		ghNotFound(w, ghDocREST)
	}
	return true
}

// repoExists reports whether owner/repo exists, answering 404 when it does not.
func (g *GitHub) repoExists(w http.ResponseWriter, owner, repo, doc string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.repo(w, owner, repo, doc) != nil
}

// createAttestation is "Create an attestation": 201 {"id": n}; 400 for a body that is
// not JSON; 422 "Validation Failed" for a body without a valid bundle (the error texts
// are UNCONFIRMED: GitHub documents only "Validation failed, or the endpoint has been
// spammed").
func (g *GitHub) createAttestation(w http.ResponseWriter, r *http.Request, owner, repo string) {
	if !g.repoExists(w, owner, repo, ghDocCreateAttest) {
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxAttestBody+1))
	var in map[string]json.RawMessage
	switch {
	case err != nil:
		return // the client went away
	case len(body) > maxAttestBody:
		ghError(w, http.StatusRequestEntityTooLarge, "Payload Too Large", ghDocCreateAttest)
		return
	case json.Unmarshal(body, &in) != nil:
		ghError(w, http.StatusBadRequest, "Problems parsing JSON", ghDocCreateAttest)
		return
	}
	raw, ok := in["bundle"]
	if !ok || string(raw) == "null" {
		writeJSON(w, http.StatusUnprocessableEntity, struct {
			Message          string               `json:"message"`
			Errors           []ghAttestFieldError `json:"errors"`
			DocumentationURL string               `json:"documentation_url"`
		}{"Validation Failed", []ghAttestFieldError{{Resource: "Attestation", Code: "missing_field", Field: "bundle"}}, ghDocCreateAttest})
		return
	}
	compact, digests, err := readAttestBundle(raw)
	if err != nil {
		writeJSON(w, http.StatusUnprocessableEntity, struct {
			Message          string               `json:"message"`
			Errors           []ghAttestFieldError `json:"errors"`
			DocumentationURL string               `json:"documentation_url"`
		}{"Validation Failed", []ghAttestFieldError{{Resource: "Attestation", Code: "custom", Field: "bundle", Message: err.Error()}}, ghDocCreateAttest})
		return
	}
	id := g.attestStore().add(repoKey(owner, repo), compact, digests)
	writeJSON(w, http.StatusCreated, struct {
		ID int64 `json:"id"`
	}{id})
}

// ghAttestEntry is one entry of "List attestations".
type ghAttestEntry struct {
	Bundle       json.RawMessage `json:"bundle"` // null with OmitInlineBundles
	RepositoryID int64           `json:"repository_id"`
	BundleURL    string          `json:"bundle_url"`
}

// listAttestations is "List attestations": the bundles filed under digest, oldest first
// (GitHub's order is UNCONFIRMED), per_page at a time (default 30, at most 100) with an
// opaque "after" cursor in the Link header's rel="next". A digest with no attestations
// answers 404, as GitHub's organization endpoint does (UNCONFIRMED for this one).
// "before" is not served (releaser never pages backwards): 400.
func (g *GitHub) listAttestations(w http.ResponseWriter, r *http.Request, owner, repo, digest string) {
	if !g.repoExists(w, owner, repo, ghDocListAttest) {
		return
	}
	q := r.URL.Query()
	per, err := strconv.Atoi(q.Get("per_page"))
	if err != nil || per < 1 {
		per = 30
	}
	per = min(per, 100)
	var after int64
	if c := q.Get("after"); c != "" {
		if after = decodeAttestCursor(c); after == 0 {
			ghError(w, http.StatusBadRequest, "Invalid cursor", ghDocListAttest)
			return
		}
	}
	if q.Get("before") != "" {
		ghError(w, http.StatusBadRequest, "The emulator does not serve before cursors", ghDocListAttest)
		return
	}
	s := g.attestStore()
	s.mu.Lock()
	var match []*ghAttestation
	for _, a := range s.byRepo[repoKey(owner, repo)] {
		if a.digests[strings.ToLower(digest)] {
			match = append(match, a)
		}
	}
	omit := s.omitInline
	s.mu.Unlock()
	if len(match) == 0 {
		ghNotFound(w, ghDocListAttest)
		return
	}
	page := []ghAttestEntry{}
	more, last := false, int64(0)
	for _, a := range match {
		if a.id <= after {
			continue
		}
		if len(page) == per {
			more = true
			break
		}
		e := ghAttestEntry{Bundle: json.RawMessage("null"), RepositoryID: ghRepoID, BundleURL: g.URL() + ghAttestBlobPath + a.key}
		if !omit {
			e.Bundle = a.bundle
		}
		page = append(page, e)
		last = a.id
	}
	if more {
		u := url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path}
		v := url.Values{"per_page": {strconv.Itoa(per)}, "after": {encodeAttestCursor(last)}}
		u.RawQuery = v.Encode()
		w.Header().Set("Link", "<"+u.String()+`>; rel="next"`)
	}
	writeJSON(w, http.StatusOK, struct {
		Attestations []ghAttestEntry `json:"attestations"`
	}{page})
}

// serveAttestBlob answers a bundle_url with the snappy-compressed bundle. Like a
// pre-signed storage URL it needs no token.
func (g *GitHub) serveAttestBlob(w http.ResponseWriter, r *http.Request, key string) {
	s := g.attestStore()
	s.mu.Lock()
	blob, ok := s.blobs[key]
	s.mu.Unlock()
	if !ok || r.Method != http.MethodGet {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.Itoa(len(blob)))
	_, _ = w.Write(blob)
}

// Cursors are opaque to clients; here they are the last id of a page.
func encodeAttestCursor(id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("attestation:" + strconv.FormatInt(id, 10)))
}

func decodeAttestCursor(c string) int64 {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0
	}
	n, err := strconv.ParseInt(strings.TrimPrefix(string(b), "attestation:"), 10, 64)
	if err != nil || n <= 0 || !strings.HasPrefix(string(b), "attestation:") {
		return 0
	}
	return n
}
