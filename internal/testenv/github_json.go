package testenv

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Documentation URLs GitHub puts in error bodies, per endpoint.
const (
	ghDocREST          = "https://docs.github.com/rest"
	ghDocListReleases  = "https://docs.github.com/rest/releases/releases#list-releases"
	ghDocCreate        = "https://docs.github.com/rest/releases/releases#create-a-release"
	ghDocByTag         = "https://docs.github.com/rest/releases/releases#get-a-release-by-tag-name"
	ghDocGet           = "https://docs.github.com/rest/releases/releases#get-a-release"
	ghDocUpdate        = "https://docs.github.com/rest/releases/releases#update-a-release"
	ghDocDelete        = "https://docs.github.com/rest/releases/releases#delete-a-release"
	ghDocListAssets    = "https://docs.github.com/rest/releases/assets#list-release-assets"
	ghDocGetAsset      = "https://docs.github.com/rest/releases/assets#get-a-release-asset"
	ghDocDeleteAsset   = "https://docs.github.com/rest/releases/assets#delete-a-release-asset"
	ghDocUpload        = "https://docs.github.com/rest/releases/assets#upload-a-release-asset"
	ghTimeLayout       = "2006-01-02T15:04:05Z"
	ghUserAgentMessage = "Request forbidden by administrative rules. Please make sure your request has a User-Agent header (https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-required). Check https://developer.github.com for other possible causes.\n"
)

// ghFieldError is one entry of a validation error's "errors" array.
type ghFieldError struct {
	Resource string `json:"resource"`
	Code     string `json:"code"`
	Field    string `json:"field"`
}

type ghErrorBody struct {
	Message          string         `json:"message"`
	Errors           []ghFieldError `json:"errors,omitempty"`
	DocumentationURL string         `json:"documentation_url"`
}

func ghError(w http.ResponseWriter, status int, message, doc string, errs ...ghFieldError) {
	writeJSON(w, status, ghErrorBody{Message: message, Errors: errs, DocumentationURL: doc})
}

func ghNotFound(w http.ResponseWriter, doc string) {
	ghError(w, http.StatusNotFound, "Not Found", doc)
}

// ghValidation is GitHub's 422 "Validation Failed" with one field error.
func ghValidation(w http.ResponseWriter, doc, resource, code, field string) {
	ghError(w, http.StatusUnprocessableEntity, "Validation Failed", doc, ghFieldError{Resource: resource, Code: code, Field: field})
}

// ghUser is the author/uploader object. In Actions, GITHUB_TOKEN acts as this bot.
type ghUser struct {
	Login string `json:"login"`
	ID    int64  `json:"id"`
	Type  string `json:"type"`
}

var ghActionsBot = ghUser{Login: "github-actions[bot]", ID: 41898282, Type: "Bot"}

type ghReleaseJSON struct {
	URL             string        `json:"url"`
	AssetsURL       string        `json:"assets_url"`
	UploadURL       string        `json:"upload_url"`
	HTMLURL         string        `json:"html_url"`
	ID              int64         `json:"id"`
	Author          ghUser        `json:"author"`
	NodeID          string        `json:"node_id"`
	TagName         string        `json:"tag_name"`
	TargetCommitish string        `json:"target_commitish"`
	Name            *string       `json:"name"`
	Draft           bool          `json:"draft"`
	Immutable       bool          `json:"immutable"`
	Prerelease      bool          `json:"prerelease"`
	CreatedAt       string        `json:"created_at"`
	PublishedAt     *string       `json:"published_at"`
	Assets          []ghAssetJSON `json:"assets"`
	TarballURL      *string       `json:"tarball_url"`
	ZipballURL      *string       `json:"zipball_url"`
	Body            *string       `json:"body"`
}

type ghAssetJSON struct {
	URL                string  `json:"url"`
	ID                 int64   `json:"id"`
	NodeID             string  `json:"node_id"`
	Name               string  `json:"name"`
	Label              *string `json:"label"`
	Uploader           ghUser  `json:"uploader"`
	ContentType        string  `json:"content_type"`
	State              string  `json:"state"`
	Size               int64   `json:"size"`
	Digest             *string `json:"digest"`
	DownloadCount      int     `json:"download_count"`
	CreatedAt          string  `json:"created_at"`
	UpdatedAt          string  `json:"updated_at"`
	BrowserDownloadURL string  `json:"browser_download_url"`
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func ghTime(t time.Time) string { return t.UTC().Format(ghTimeLayout) }

// repoAPI is the repository's API URL prefix, ".../api/v3/repos/o/r".
func (g *GitHub) repoAPI(r *ghRepo) string {
	return g.APIURL() + "repos/" + url.PathEscape(r.owner) + "/" + url.PathEscape(r.name)
}

// releaseJSON renders rel; the caller holds g.mu.
func (g *GitHub) releaseJSON(r *ghRepo, rel *ghRelease) ghReleaseJSON {
	base := g.repoAPI(r) + "/releases/" + strconv.FormatInt(rel.id, 10)
	web := g.URL() + "/" + url.PathEscape(r.owner) + "/" + url.PathEscape(r.name)
	j := ghReleaseJSON{
		URL:             base,
		AssetsURL:       base + "/assets",
		UploadURL:       g.UploadURL() + "repos/" + url.PathEscape(r.owner) + "/" + url.PathEscape(r.name) + "/releases/" + strconv.FormatInt(rel.id, 10) + "/assets{?name,label}",
		HTMLURL:         web + "/releases/tag/" + url.PathEscape(rel.urlTag()),
		ID:              rel.id,
		Author:          ghActionsBot,
		NodeID:          fmt.Sprintf("RE_kwDOA%08d", rel.id),
		TagName:         rel.tag,
		TargetCommitish: rel.target,
		Name:            nullable(rel.name),
		Draft:           rel.draft,
		Prerelease:      rel.prerelease,
		Immutable:       rel.immutable,
		CreatedAt:       ghTime(rel.created),
		Assets:          []ghAssetJSON{},
		TarballURL:      nullable(g.repoAPI(r) + "/tarball/" + url.PathEscape(rel.tag)),
		ZipballURL:      nullable(g.repoAPI(r) + "/zipball/" + url.PathEscape(rel.tag)),
		Body:            nullable(rel.body),
	}
	if !rel.published.IsZero() {
		j.PublishedAt = nullable(ghTime(rel.published))
	}
	for _, a := range rel.assets {
		j.Assets = append(j.Assets, g.assetJSON(r, rel, a))
	}
	return j
}

// assetJSON renders a; the caller holds g.mu.
func (g *GitHub) assetJSON(r *ghRepo, rel *ghRelease, a *ghAsset) ghAssetJSON {
	j := ghAssetJSON{
		URL:                g.repoAPI(r) + "/releases/assets/" + strconv.FormatInt(a.id, 10),
		ID:                 a.id,
		NodeID:             fmt.Sprintf("RA_kwDOA%08d", a.id),
		Name:               a.name,
		Label:              nullable(a.label),
		Uploader:           ghActionsBot,
		ContentType:        a.contentType,
		State:              a.state,
		Size:               a.size,
		CreatedAt:          ghTime(a.created),
		UpdatedAt:          ghTime(a.updated),
		BrowserDownloadURL: g.URL() + "/" + url.PathEscape(r.owner) + "/" + url.PathEscape(r.name) + "/releases/download/" + url.PathEscape(rel.urlTag()) + "/" + url.PathEscape(a.name),
	}
	if a.sha256 != "" && !g.omitDigests {
		j.Digest = nullable("sha256:" + a.sha256)
	}
	return j
}

// paginate picks the page the request asks for out of n items (per_page: default 30,
// at most 100; page: default 1) and sets GitHub's Link header.
func paginate(w http.ResponseWriter, r *http.Request, n int) (lo, hi int) {
	return pageOf(w, r, n, false)
}

// paginateQuery is paginate for a list whose Link URLs keep the request's other query
// parameters (the run list's filters), as GitHub's do.
func paginateQuery(w http.ResponseWriter, r *http.Request, n int) (lo, hi int) {
	return pageOf(w, r, n, true)
}

func pageOf(w http.ResponseWriter, r *http.Request, n int, keepQuery bool) (lo, hi int) {
	q := r.URL.Query()
	per, err := strconv.Atoi(q.Get("per_page"))
	if err != nil || per < 1 {
		per = 30
	}
	per = min(per, 100)
	page, err := strconv.Atoi(q.Get("page"))
	if err != nil || page < 1 {
		page = 1
	}
	last := max(1, (n+per-1)/per)
	link := func(p int, rel string) string {
		u := url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path}
		v := url.Values{}
		if keepQuery {
			v = r.URL.Query()
		}
		v.Set("per_page", strconv.Itoa(per))
		v.Set("page", strconv.Itoa(p))
		u.RawQuery = v.Encode()
		return "<" + u.String() + ">; rel=\"" + rel + "\""
	}
	var links []string
	if page > 1 {
		links = append(links, link(min(page-1, last), "prev"))
	}
	if page < last {
		links = append(links, link(page+1, "next"), link(last, "last"))
	}
	if page > 1 {
		links = append(links, link(1, "first"))
	}
	if len(links) > 0 {
		w.Header().Set("Link", strings.Join(links, ", "))
	}
	lo = min((page-1)*per, n)
	hi = min(lo+per, n)
	return lo, hi
}
