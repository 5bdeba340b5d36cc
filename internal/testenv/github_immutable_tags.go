package testenv

import (
	"crypto/sha1"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// The emulator has no commits or branches, only tags: each names a commit sha directly
// (lightweight) or through an annotated tag object.

// ghTag is a tag's ref: the object it names.
type ghTag struct {
	sha     string // the object the ref points at
	objType string // "commit", or "tag" for an annotated tag object
}

// ghTagObject is an annotated tag object.
type ghTagObject struct {
	sha, tag, message string
	target            string // the commit it points at
	created           time.Time
}

// Documentation URLs of the git database endpoints.
const (
	ghDocGetRef    = "https://docs.github.com/rest/git/refs#get-a-reference"
	ghDocUpdateRef = "https://docs.github.com/rest/git/refs#update-a-reference"
	ghDocDeleteRef = "https://docs.github.com/rest/git/refs#delete-a-reference"
	ghDocGetTag    = "https://docs.github.com/rest/git/tags#get-a-tag"
)

// Refusals of a ref change. GitHub enforces an immutable release's tag lock as a
// repository rule (the rule-suites API names its source "immutable_release_tag"); git
// push reports it as "GH013: Repository rule violations found". The REST answer below
// is the one GitHub gives for ruleset violations on the refs API, UNCONFIRMED for this
// particular rule.
const (
	ghRefUpdateLocked = "Repository rule violations found\n\nCannot update this protected ref.\n\n"
	ghRefDeleteLocked = "Repository rule violations found\n\nCannot delete this protected ref.\n\n"
	ghRefMissing      = "Reference does not exist"
	ghObjectMissing   = "Object does not exist"
)

// AddTag creates (or, bypassing every protection, replaces) tag, pointing at
// commitSHA (40 hex digits): directly, or through an annotated tag object.
func (g *GitHub) AddTag(owner, repo, tag, commitSHA string, annotated bool) {
	if !isHex40(commitSHA) || tag == "" {
		panic("testenv: GitHub.AddTag: want a tag name and a 40-hex commit sha")
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	rp := g.mustRepo("AddTag", owner, repo)
	commitSHA = strings.ToLower(commitSHA)
	if !annotated {
		rp.tags[tag] = &ghTag{sha: commitSHA, objType: "commit"}
		return
	}
	obj := &ghTagObject{tag: tag, message: "Release " + tag + "\n", target: commitSHA, created: time.Now()}
	obj.sha = fakeSHA("tag", tag, commitSHA, randomHex(8))
	rp.tagObjects[obj.sha] = obj
	rp.tags[tag] = &ghTag{sha: obj.sha, objType: "tag"}
}

// TagCommit is the commit tag points at now (annotated tags dereferenced), or "".
func (g *GitHub) TagCommit(owner, repo, tag string) string {
	g.mu.Lock()
	defer g.mu.Unlock()
	rp := g.repos[repoKey(owner, repo)]
	if rp == nil || rp.tags[tag] == nil {
		return ""
	}
	t := rp.tags[tag]
	if obj := rp.tagObjects[t.sha]; t.objType == "tag" && obj != nil {
		return obj.target
	}
	return t.sha
}

// commitFor is the commit a tag created by publishing points at: target_commitish when
// it is a sha, else a made-up commit standing for the branch's head.
func commitFor(target string) string {
	if isHex40(target) {
		return strings.ToLower(target)
	}
	return fakeSHA("commit", target)
}

func fakeSHA(parts ...string) string {
	s := sha1.Sum([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(s[:])
}

func isHex40(s string) bool {
	if len(s) != 40 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

type ghObjectJSON struct {
	SHA  string `json:"sha"`
	Type string `json:"type"`
	URL  string `json:"url"`
}

type ghRefJSON struct {
	Ref    string       `json:"ref"`
	NodeID string       `json:"node_id"`
	URL    string       `json:"url"`
	Object ghObjectJSON `json:"object"`
}

type ghTagObjectJSON struct {
	NodeID  string       `json:"node_id"`
	Tag     string       `json:"tag"`
	SHA     string       `json:"sha"`
	URL     string       `json:"url"`
	Message string       `json:"message"`
	Tagger  ghTaggerJSON `json:"tagger"`
	Object  ghObjectJSON `json:"object"`
	// Verification is "unsigned": the emulator signs nothing.
	Verification struct {
		Verified   bool    `json:"verified"`
		Reason     string  `json:"reason"`
		Signature  *string `json:"signature"`
		Payload    *string `json:"payload"`
		VerifiedAt *string `json:"verified_at"`
	} `json:"verification"`
}

type ghTaggerJSON struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	Date  string `json:"date"`
}

// object renders the git object sha of type typ; the caller holds g.mu.
func (g *GitHub) object(rp *ghRepo, sha, typ string) ghObjectJSON {
	kind := "commits"
	if typ == "tag" {
		kind = "tags"
	}
	return ghObjectJSON{SHA: sha, Type: typ, URL: g.repoAPI(rp) + "/git/" + kind + "/" + sha}
}

// refJSON renders tag's ref; the caller holds g.mu.
func (g *GitHub) refJSON(rp *ghRepo, tag string, t *ghTag) ghRefJSON {
	return ghRefJSON{
		Ref:    "refs/tags/" + tag,
		NodeID: "REF_kwDOA" + fakeSHA("ref", tag)[:12],
		URL:    g.repoAPI(rp) + "/git/refs/tags/" + escapePath(tag),
		Object: g.object(rp, t.sha, t.objType),
	}
}

// escapePath escapes each segment of a slash-separated name.
func escapePath(p string) string {
	seg := strings.Split(p, "/")
	for i, s := range seg {
		seg[i] = url.PathEscape(s)
	}
	return strings.Join(seg, "/")
}

// getRef is "Get a reference" for refs/tags/{tag}: exact names only.
func (g *GitHub) getRef(w http.ResponseWriter, owner, repo, tag string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	rp := g.repo(w, owner, repo, ghDocGetRef)
	if rp == nil {
		return
	}
	t := rp.tags[tag]
	if t == nil {
		ghNotFound(w, ghDocGetRef)
		return
	}
	writeJSON(w, http.StatusOK, g.refJSON(rp, tag, t))
}

// getTagObject is "Get a tag": an annotated tag object by its sha.
func (g *GitHub) getTagObject(w http.ResponseWriter, owner, repo, sha string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	rp := g.repo(w, owner, repo, ghDocGetTag)
	if rp == nil {
		return
	}
	obj := rp.tagObjects[strings.ToLower(sha)]
	if obj == nil {
		ghNotFound(w, ghDocGetTag)
		return
	}
	j := ghTagObjectJSON{
		NodeID:  "TA_kwDOA" + obj.sha[:12],
		Tag:     obj.tag,
		SHA:     obj.sha,
		URL:     g.repoAPI(rp) + "/git/tags/" + obj.sha,
		Message: obj.message,
		Tagger:  ghTaggerJSON{Name: "Octo Cat", Email: "octocat@example.com", Date: ghTime(obj.created)},
		Object:  g.object(rp, obj.target, "commit"),
	}
	j.Verification.Reason = "unsigned"
	writeJSON(w, http.StatusOK, j)
}

// updateRef is "Update a reference" for refs/tags/{tag}: {"sha": ..., "force": ...}.
// The emulator has no history, so it cannot tell a fast-forward and takes force as
// given.
func (g *GitHub) updateRef(w http.ResponseWriter, r *http.Request, owner, repo, tag string) {
	var in struct {
		SHA   *string `json:"sha"`
		Force bool    `json:"force"`
	}
	ok := decodeBody(r, &in)
	g.mu.Lock()
	defer g.mu.Unlock()
	rp := g.repo(w, owner, repo, ghDocUpdateRef)
	switch {
	case rp == nil:
	case !ok:
		ghError(w, http.StatusBadRequest, "Problems parsing JSON", ghDocUpdateRef)
	case in.SHA == nil:
		ghError(w, http.StatusUnprocessableEntity, "Invalid request.\n\n\"sha\" wasn't supplied.", ghDocUpdateRef)
	case rp.tags[tag] == nil:
		ghError(w, http.StatusUnprocessableEntity, ghRefMissing, ghDocUpdateRef)
	case rp.tagLocked(tag):
		ghError(w, http.StatusUnprocessableEntity, ghRefUpdateLocked, ghDocUpdateRef)
	case !isHex40(*in.SHA):
		ghError(w, http.StatusUnprocessableEntity, ghObjectMissing, ghDocUpdateRef)
	default:
		sha := strings.ToLower(*in.SHA)
		t := &ghTag{sha: sha, objType: "commit"}
		if rp.tagObjects[sha] != nil {
			t.objType = "tag"
		}
		rp.tags[tag] = t
		writeJSON(w, http.StatusOK, g.refJSON(rp, tag, t))
	}
}

// deleteRef is "Delete a reference" for refs/tags/{tag}.
func (g *GitHub) deleteRef(w http.ResponseWriter, owner, repo, tag string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	rp := g.repo(w, owner, repo, ghDocDeleteRef)
	switch {
	case rp == nil:
	case rp.tags[tag] == nil:
		ghError(w, http.StatusUnprocessableEntity, ghRefMissing, ghDocDeleteRef)
	case rp.tagLocked(tag):
		ghError(w, http.StatusUnprocessableEntity, ghRefDeleteLocked, ghDocDeleteRef)
	default:
		delete(rp.tags, tag)
		w.WriteHeader(http.StatusNoContent)
	}
}
