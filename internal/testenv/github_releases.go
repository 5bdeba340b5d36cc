package testenv

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"time"
)

// ghCreate is the "Create a release" body.
type ghCreate struct {
	TagName         string  `json:"tag_name"`
	TargetCommitish string  `json:"target_commitish"`
	Name            string  `json:"name"`
	Body            string  `json:"body"`
	Draft           bool    `json:"draft"`
	Prerelease      bool    `json:"prerelease"`
	MakeLatest      *string `json:"make_latest"`
}

// ghUpdate is the "Update a release" body: absent fields stay as they are.
type ghUpdate struct {
	TagName         *string `json:"tag_name"`
	TargetCommitish *string `json:"target_commitish"`
	Name            *string `json:"name"`
	Body            *string `json:"body"`
	Draft           *bool   `json:"draft"`
	Prerelease      *bool   `json:"prerelease"`
	MakeLatest      *string `json:"make_latest"`
}

// repo finds the repository or answers 404; the caller holds g.mu.
func (g *GitHub) repo(w http.ResponseWriter, owner, repo, doc string) *ghRepo {
	r := g.repos[repoKey(owner, repo)]
	if r == nil {
		ghNotFound(w, doc)
	}
	return r
}

// newRelease records a release; the caller holds g.mu.
func (g *GitHub) newRelease(r *ghRepo, c ghCreate) *ghRelease {
	g.nextID++
	now := time.Now()
	rel := &ghRelease{
		id: g.nextID, tag: c.TagName, name: c.Name, body: c.Body, target: c.TargetCommitish,
		draft: c.Draft, prerelease: c.Prerelease, created: now,
		untagged: "untagged-" + randomHex(20),
	}
	if rel.target == "" {
		rel.target = "main"
	}
	r.releases = append(r.releases, rel)
	if !rel.draft {
		g.publish(r, rel, c.MakeLatest)
	}
	return rel
}

// publishedWithTag reports whether another published release already owns tag. Drafts
// own no tag: GitHub accepts several drafts naming the same tag (UNCONFIRMED for the
// create endpoint; the emulator allows it so clients must cope).
func (r *ghRepo) publishedWithTag(tag string, except int64) bool {
	for _, rel := range r.releases {
		if rel.id != except && !rel.draft && rel.tag == tag {
			return true
		}
	}
	return false
}

func decodeBody(r *http.Request, v any) bool {
	b, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	return err == nil && json.Unmarshal(b, v) == nil
}

// listReleases answers newest first, drafts included (the token can push).
func (g *GitHub) listReleases(w http.ResponseWriter, r *http.Request, owner, repo string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	rp := g.repo(w, owner, repo, ghDocListReleases)
	if rp == nil {
		return
	}
	n := len(rp.releases)
	lo, hi := paginate(w, r, n)
	out := []ghReleaseJSON{}
	for i := lo; i < hi; i++ {
		out = append(out, g.releaseJSON(rp, rp.releases[n-1-i]))
	}
	writeJSON(w, http.StatusOK, out)
}

func (g *GitHub) createRelease(w http.ResponseWriter, r *http.Request, owner, repo string) {
	var c ghCreate
	ok := decodeBody(r, &c)
	g.mu.Lock()
	defer g.mu.Unlock()
	rp := g.repo(w, owner, repo, ghDocCreate)
	switch {
	case rp == nil:
	case !ok:
		ghError(w, http.StatusBadRequest, "Problems parsing JSON", ghDocCreate)
	case c.TagName == "":
		ghValidation(w, ghDocCreate, "Release", "missing_field", "tag_name")
	case rp.publishedWithTag(c.TagName, 0):
		ghValidation(w, ghDocCreate, "Release", "already_exists", "tag_name")
	case !c.Draft && rp.burned[c.TagName]:
		ghTagBurned(w, ghDocCreate)
	default:
		rel := g.newRelease(rp, c)
		j := g.releaseJSON(rp, rel)
		w.Header().Set("Location", j.URL)
		writeJSON(w, http.StatusCreated, j)
	}
}

// releaseByTag finds a published release: drafts are not found by tag.
func (g *GitHub) releaseByTag(w http.ResponseWriter, owner, repo, tag string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	rp := g.repo(w, owner, repo, ghDocByTag)
	if rp == nil {
		return
	}
	for i := len(rp.releases) - 1; i >= 0; i-- {
		if rel := rp.releases[i]; !rel.draft && rel.tag == tag {
			writeJSON(w, http.StatusOK, g.releaseJSON(rp, rel))
			return
		}
	}
	ghNotFound(w, ghDocByTag)
}

func (g *GitHub) getRelease(w http.ResponseWriter, owner, repo string, id int64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	rp := g.repo(w, owner, repo, ghDocGet)
	if rp == nil {
		return
	}
	rel := rp.release(id)
	if rel == nil {
		ghNotFound(w, ghDocGet)
		return
	}
	writeJSON(w, http.StatusOK, g.releaseJSON(rp, rel))
}

func (g *GitHub) updateRelease(w http.ResponseWriter, r *http.Request, owner, repo string, id int64) {
	var u ghUpdate
	ok := decodeBody(r, &u)
	g.mu.Lock()
	defer g.mu.Unlock()
	rp := g.repo(w, owner, repo, ghDocUpdate)
	if rp == nil {
		return
	}
	rel := rp.release(id)
	switch {
	case rel == nil:
		ghNotFound(w, ghDocUpdate)
		return
	case !ok:
		ghError(w, http.StatusBadRequest, "Problems parsing JSON", ghDocUpdate)
		return
	}
	tag := rel.tag
	if u.TagName != nil {
		tag = *u.TagName
	}
	draft := rel.draft
	if u.Draft != nil {
		draft = *u.Draft
	}
	if tag == "" {
		ghValidation(w, ghDocUpdate, "Release", "missing_field", "tag_name")
		return
	}
	if !draft && rp.publishedWithTag(tag, rel.id) {
		ghValidation(w, ghDocUpdate, "Release", "already_exists", "tag_name")
		return
	}
	if refuseImmutableEdit(w, rel, u, tag, draft) {
		return
	}
	publishing := rel.draft && !draft
	if publishing && rp.burned[tag] {
		ghTagBurned(w, ghDocUpdate)
		return
	}
	rel.tag, rel.draft = tag, draft
	if u.Name != nil {
		rel.name = *u.Name
	}
	if u.Body != nil {
		rel.body = *u.Body
	}
	if u.Prerelease != nil {
		rel.prerelease = *u.Prerelease
	}
	if u.TargetCommitish != nil {
		rel.target = *u.TargetCommitish
	}
	switch {
	case publishing:
		g.publish(rp, rel, u.MakeLatest)
	case !rel.draft && u.MakeLatest != nil:
		rp.markLatest(rel, *u.MakeLatest)
	}
	writeJSON(w, http.StatusOK, g.releaseJSON(rp, rel))
}

func (g *GitHub) deleteRelease(w http.ResponseWriter, owner, repo string, id int64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	rp := g.repo(w, owner, repo, ghDocDelete)
	if rp == nil {
		return
	}
	for i, rel := range rp.releases {
		if rel.id == id {
			for _, a := range rel.assets {
				_ = os.Remove(a.path)
			}
			rp.releases = append(rp.releases[:i], rp.releases[i+1:]...)
			w.WriteHeader(http.StatusNoContent)
			return
		}
	}
	ghNotFound(w, ghDocDelete)
}
