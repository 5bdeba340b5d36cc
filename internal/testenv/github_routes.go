package testenv

import (
	"net/http"
	"strconv"
	"strings"
)

// route dispatches by hand: GitHub's release paths overlap in ways http.ServeMux
// patterns refuse ("releases/tags/{tag}" against "releases/{id}/assets"), and tags may
// contain slashes.
func (g *GitHub) route(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, "/api/v3/"):
		if g.authorized(w, r) && g.permitted(w, r) && !g.serveRunLogs(w, r) && !g.serveProtections(w, r) && !g.serveRepoGit(w, r) && !g.serveAttestations(w, r) {
			g.serveAPI(w, r, strings.Split(strings.TrimPrefix(p, "/api/v3/"), "/"))
		}
	case strings.HasPrefix(p, "/api/uploads/"):
		if g.authorized(w, r) && g.permitted(w, r) {
			g.serveUploads(w, r, strings.Split(strings.TrimPrefix(p, "/api/uploads/"), "/"))
		}
	case strings.HasPrefix(p, ghAttestBlobPath):
		g.serveAttestBlob(w, r, strings.TrimPrefix(p, ghAttestBlobPath))
	case strings.HasPrefix(p, ghLogsStoragePrefix):
		g.serveLogsStorage(w, r)
	case strings.HasPrefix(p, "/download/"):
		g.serveStorage(w, r, strings.TrimPrefix(p, "/download/"))
	default:
		g.serveBrowserDownload(w, r, strings.Split(strings.TrimPrefix(p, "/"), "/"))
	}
}

// authorized checks what GitHub checks before routing: a User-Agent (403 without one) and
// the token, as "Bearer" or the older "token" scheme.
func (g *GitHub) authorized(w http.ResponseWriter, r *http.Request) bool {
	if r.Header.Get("User-Agent") == "" {
		writeRaw(w, http.StatusForbidden, ghUserAgentMessage)
		return false
	}
	scheme, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if (!strings.EqualFold(scheme, "Bearer") && !strings.EqualFold(scheme, "token")) || tok != g.token {
		ghError(w, http.StatusUnauthorized, "Bad credentials", ghDocREST)
		return false
	}
	return true
}

// serveAPI handles /api/v3/repos/{owner}/{repo}/releases...
func (g *GitHub) serveAPI(w http.ResponseWriter, r *http.Request, seg []string) {
	if len(seg) < 4 || seg[0] != "repos" || seg[3] != "releases" {
		ghNotFound(w, ghDocREST)
		return
	}
	owner, repo, rest := seg[1], seg[2], seg[4:]
	m := r.Method
	switch {
	case len(rest) == 0 && m == http.MethodGet:
		g.listReleases(w, r, owner, repo)
	case len(rest) == 0 && m == http.MethodPost:
		g.createRelease(w, r, owner, repo)
	case len(rest) >= 2 && rest[0] == "tags" && m == http.MethodGet:
		g.releaseByTag(w, owner, repo, strings.Join(rest[1:], "/"))
	case len(rest) == 2 && rest[0] == "assets":
		id, err := strconv.ParseInt(rest[1], 10, 64)
		switch {
		case err != nil:
			ghNotFound(w, ghDocGetAsset)
		case m == http.MethodGet:
			g.getAsset(w, r, owner, repo, id)
		case m == http.MethodDelete:
			g.deleteAsset(w, owner, repo, id)
		default:
			ghNotFound(w, ghDocREST)
		}
	case len(rest) == 1 || (len(rest) == 2 && rest[1] == "assets"):
		id, err := strconv.ParseInt(rest[0], 10, 64)
		switch {
		case err != nil:
			ghNotFound(w, ghDocGet)
		case len(rest) == 2 && m == http.MethodGet:
			g.listAssets(w, r, owner, repo, id)
		case len(rest) == 1 && m == http.MethodGet:
			g.getRelease(w, owner, repo, id)
		case len(rest) == 1 && m == http.MethodPatch:
			g.updateRelease(w, r, owner, repo, id)
		case len(rest) == 1 && m == http.MethodDelete:
			g.deleteRelease(w, owner, repo, id)
		default:
			ghNotFound(w, ghDocREST)
		}
	default:
		ghNotFound(w, ghDocREST)
	}
}

// serveUploads handles POST /api/uploads/repos/{owner}/{repo}/releases/{id}/assets.
func (g *GitHub) serveUploads(w http.ResponseWriter, r *http.Request, seg []string) {
	if len(seg) != 6 || seg[0] != "repos" || seg[3] != "releases" || seg[5] != "assets" || r.Method != http.MethodPost {
		ghNotFound(w, ghDocUpload)
		return
	}
	id, err := strconv.ParseInt(seg[4], 10, 64)
	if err != nil {
		ghNotFound(w, ghDocUpload)
		return
	}
	g.upload(w, r, seg[1], seg[2], id)
}
