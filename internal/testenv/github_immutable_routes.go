package testenv

import (
	"net/http"
	"strings"
)

// Documentation URLs of the repository endpoints.
const (
	ghDocGetRepo          = "https://docs.github.com/rest/repos/repos#get-a-repository"
	ghDocCheckImmutable   = "https://docs.github.com/rest/repos/repos#check-if-immutable-releases-are-enabled-for-a-repository"
	ghDocEnableImmutable  = "https://docs.github.com/rest/repos/repos#enable-immutable-releases"
	ghDocDisableImmutable = "https://docs.github.com/rest/repos/repos#disable-immutable-releases"
	// The 409's text is UNCONFIRMED; the REST docs say only that 409 means the setting
	// is enforced by the owner.
	ghImmutableEnforcedMessage = "Immutable releases are enforced by the repository owner and cannot be changed"
)

// serveRepoGit answers GET /repos/{owner}/{repo}, the immutable-releases setting and the
// git refs and tag objects of tags, and reports whether the request was one of theirs.
func (g *GitHub) serveRepoGit(w http.ResponseWriter, r *http.Request) bool {
	seg, ok := apiSegments(r)
	if !ok || len(seg) < 3 || seg[0] != "repos" {
		return false
	}
	owner, repo, rest, m := seg[1], seg[2], seg[3:], r.Method
	switch {
	case len(rest) == 0 && m == http.MethodGet:
		g.getRepo(w, owner, repo)
	case len(rest) == 0:
		ghNotFound(w, ghDocREST)
	case len(rest) == 1 && rest[0] == "immutable-releases":
		g.serveImmutableSetting(w, m, owner, repo)
	case rest[0] == "git":
		g.serveGit(w, r, owner, repo, rest[1:])
	default:
		return false
	}
	return true
}

// serveGit handles /repos/{owner}/{repo}/git/...: a tag's ref (get, update, delete) and
// annotated tag objects. Tags may contain slashes.
func (g *GitHub) serveGit(w http.ResponseWriter, r *http.Request, owner, repo string, rest []string) {
	m := r.Method
	isTagRef := len(rest) >= 3 && rest[1] == "tags" && rest[2] != ""
	var tag string
	if isTagRef {
		tag = strings.Join(rest[2:], "/")
	}
	switch {
	case isTagRef && rest[0] == "ref" && m == http.MethodGet:
		g.getRef(w, owner, repo, tag)
	case isTagRef && rest[0] == "refs" && m == http.MethodPatch:
		g.updateRef(w, r, owner, repo, tag)
	case isTagRef && rest[0] == "refs" && m == http.MethodDelete:
		g.deleteRef(w, owner, repo, tag)
	case len(rest) == 2 && rest[0] == "tags" && m == http.MethodGet:
		g.getTagObject(w, owner, repo, rest[1])
	case len(rest) > 0 && rest[0] == "ref":
		ghNotFound(w, ghDocGetRef) // the emulator knows no branches
	default:
		ghNotFound(w, ghDocREST)
	}
}

// serveImmutableSetting is GET (200 with the setting when on, 404 when off, as the
// REST docs describe it), PUT (enable) and DELETE (disable) of
// /repos/{owner}/{repo}/immutable-releases.
func (g *GitHub) serveImmutableSetting(w http.ResponseWriter, method, owner, repo string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	doc := map[string]string{http.MethodGet: ghDocCheckImmutable, http.MethodPut: ghDocEnableImmutable, http.MethodDelete: ghDocDisableImmutable}[method]
	if doc == "" {
		ghNotFound(w, ghDocREST)
		return
	}
	rp := g.repo(w, owner, repo, doc)
	switch {
	case rp == nil:
	case method == http.MethodGet && !rp.immutableOn:
		ghNotFound(w, doc)
	case method == http.MethodGet:
		writeJSON(w, http.StatusOK, struct {
			Enabled         bool `json:"enabled"`
			EnforcedByOwner bool `json:"enforced_by_owner"`
		}{true, rp.enforcedByOwner})
	case rp.enforcedByOwner:
		ghError(w, http.StatusConflict, ghImmutableEnforcedMessage, doc)
	default:
		rp.immutableOn = method == http.MethodPut
		w.WriteHeader(http.StatusNoContent)
	}
}

// getRepo is "Get a repository", the fields a client checks a repository's existence
// and name with.
func (g *GitHub) getRepo(w http.ResponseWriter, owner, repo string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	rp := g.repo(w, owner, repo, ghDocGetRepo)
	if rp == nil {
		return
	}
	type ownerJSON struct {
		Login string `json:"login"`
		ID    int64  `json:"id"`
		Type  string `json:"type"`
	}
	writeJSON(w, http.StatusOK, struct {
		ID            int64     `json:"id"`
		NodeID        string    `json:"node_id"`
		Name          string    `json:"name"`
		FullName      string    `json:"full_name"`
		Owner         ownerJSON `json:"owner"`
		Private       bool      `json:"private"`
		HTMLURL       string    `json:"html_url"`
		URL           string    `json:"url"`
		DefaultBranch string    `json:"default_branch"`
	}{
		ID: 74, NodeID: "R_kgDOA" + fakeSHA("repo", rp.owner, rp.name)[:8], Name: rp.name,
		FullName: rp.owner + "/" + rp.name, Owner: ownerJSON{Login: rp.owner, ID: 65, Type: "Organization"},
		HTMLURL: g.URL() + "/" + rp.owner + "/" + rp.name, URL: g.repoAPI(rp), DefaultBranch: "main",
	})
}
