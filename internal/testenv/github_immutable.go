package testenv

import (
	"net/http"
	"time"
)

// Immutable releases, as docs.github.com describes them ("Immutable releases"): a release
// published while the repository's setting is on is immutable for good (turning the
// setting off later does not unlock it). Its assets can be neither added nor deleted,
// and its tag can be neither moved nor deleted while the release exists; its title,
// notes, prerelease flag and "latest" mark stay editable. A tag an immutable release
// was published with can never back another published release, even after that
// release is deleted.

// Error texts GitHub sends for refused changes to an immutable release.
const (
	// Seen in the wild as `422 {"message":"Cannot upload assets to an immutable release.",
	// "documentation_url":"https://docs.github.com/rest"}`.
	ghImmutableUploadMessage = "Cannot upload assets to an immutable release."
	// Seen as 422 Validation Failed with {"resource":"ReleaseAsset","code":"custom",
	// "message":"Cannot delete asset from an immutable release"}.
	ghImmutableDeleteMessage = "Cannot delete asset from an immutable release"
	// Seen as 422 Validation Failed with {"resource":"Release","code":"custom",
	// "field":"tag_name","message":"tag_name was used by an immutable release"}.
	ghTagBurnedMessage = "tag_name was used by an immutable release"
)

// SetImmutableReleases turns the repository's immutable-releases setting on or off, as
// the repository's Settings page (or PUT/DELETE /repos/{owner}/{repo}/immutable-releases)
// does. Releases published while it is on become immutable; existing ones keep what they
// are. Turning it off also lifts an owner's enforcement.
func (g *GitHub) SetImmutableReleases(owner, repo string, on bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	rp := g.mustRepo("SetImmutableReleases", owner, repo)
	rp.immutableOn = on
	if !on {
		rp.enforcedByOwner = false
	}
}

// EnforceImmutableReleases turns the setting on as an organization policy does: the
// setting reads enforced_by_owner true and the repository cannot turn it off (409).
func (g *GitHub) EnforceImmutableReleases(owner, repo string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	rp := g.mustRepo("EnforceImmutableReleases", owner, repo)
	rp.immutableOn, rp.enforcedByOwner = true, true
}

// ForceMutable is a test hook for a GitHub that does not keep its promise: every
// published release for tag reports "immutable": false from now on, and accepts asset
// changes and tag moves like any mutable release.
func (g *GitHub) ForceMutable(owner, repo, tag string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	rp := g.mustRepo("ForceMutable", owner, repo)
	for _, rel := range rp.releases {
		if !rel.draft && rel.tag == tag {
			rel.immutable = false
		}
	}
}

// mustRepo is a test hook's repository; the caller holds g.mu.
func (g *GitHub) mustRepo(hook, owner, repo string) *ghRepo {
	rp := g.repos[repoKey(owner, repo)]
	if rp == nil {
		panic("testenv: GitHub." + hook + ": no repository " + owner + "/" + repo)
	}
	return rp
}

// publish makes rel a published release: it gets its published_at, becomes immutable
// when the setting is on, and its tag is created when it does not exist yet (GitHub
// creates it from target_commitish). makeLatest is the request's make_latest, nil when
// absent. The caller holds g.mu.
func (g *GitHub) publish(rp *ghRepo, rel *ghRelease, makeLatest *string) {
	if rel.published.IsZero() {
		rel.published = time.Now()
	}
	if rp.immutableOn {
		rel.immutable = true
		rp.burned[rel.tag] = true
	}
	if rp.tags[rel.tag] == nil {
		rp.tags[rel.tag] = &ghTag{sha: commitFor(rel.target), objType: "commit"}
	}
	ml := "true" // GitHub's default for a newly published release
	if makeLatest != nil {
		ml = *makeLatest
	}
	rp.markLatest(rel, ml)
}

// markLatest applies make_latest to a published release: "true" makes it the latest
// (drafts and prereleases cannot be: ignored, as the REST docs say they "cannot be set
// as latest"; whether GitHub answers an error instead is UNCONFIRMED), "false" leaves
// the mark where it is unless it was on rel, "legacy" picks the newest published full
// release by creation (GitHub also weighs semantic versions; the emulator does not).
func (rp *ghRepo) markLatest(rel *ghRelease, makeLatest string) {
	switch makeLatest {
	case "true":
		if !rel.draft && !rel.prerelease {
			rp.latest = rel.id
		}
	case "false":
		if rp.latest == rel.id {
			rp.latest = rp.legacyLatest(rel.id)
		}
	case "legacy":
		rp.latest = rp.legacyLatest(0)
	}
}

// legacyLatest is the newest published release that is not a prerelease, except the
// release except; 0 when there is none.
func (rp *ghRepo) legacyLatest(except int64) int64 {
	for i := len(rp.releases) - 1; i >= 0; i-- {
		if rel := rp.releases[i]; rel.id != except && !rel.draft && !rel.prerelease {
			return rel.id
		}
	}
	return 0
}

// tagLocked reports whether an immutable release holds tag.
func (rp *ghRepo) tagLocked(tag string) bool {
	for _, rel := range rp.releases {
		if rel.immutable && !rel.draft && rel.tag == tag {
			return true
		}
	}
	return false
}

// refuseImmutableEdit answers the edits an immutable release refuses ("Update a
// release" with a new tag_name or target_commitish, or back to draft) and reports
// whether it did. tag and draft are the values the update asks for. The texts are
// UNCONFIRMED: GitHub's docs say only that the tag is locked to its commit and that
// title, notes, prerelease and latest stay editable; the 422 Validation Failed shape
// with a "custom" code is GitHub's usual one for such refusals.
func refuseImmutableEdit(w http.ResponseWriter, rel *ghRelease, u ghUpdate, tag string, draft bool) bool {
	if !rel.immutable || rel.draft {
		return false
	}
	var field, msg string
	switch {
	case tag != rel.tag:
		field, msg = "tag_name", "Cannot change the tag of an immutable release"
	case u.TargetCommitish != nil && *u.TargetCommitish != rel.target:
		field, msg = "target_commitish", "Cannot change the target of an immutable release"
	case draft:
		field, msg = "draft", "Cannot convert an immutable release to a draft"
	default:
		return false
	}
	ghCustom(w, ghDocUpdate, ghCustomError{Resource: "Release", Code: "custom", Field: field, Message: msg})
	return true
}

// ghCustomError is a validation error entry with a message, whose "field" GitHub leaves
// out when it names none.
type ghCustomError struct {
	Resource string `json:"resource"`
	Code     string `json:"code"`
	Field    string `json:"field,omitempty"`
	Message  string `json:"message"`
}

type ghCustomErrorBody struct {
	Message          string          `json:"message"`
	Errors           []ghCustomError `json:"errors"`
	DocumentationURL string          `json:"documentation_url"`
	Status           string          `json:"status"`
}

// ghCustom is GitHub's 422 "Validation Failed" with custom error entries.
func ghCustom(w http.ResponseWriter, doc string, errs ...ghCustomError) {
	writeJSON(w, http.StatusUnprocessableEntity, ghCustomErrorBody{
		Message: "Validation Failed", Errors: errs, DocumentationURL: doc, Status: "422"})
}

func ghTagBurned(w http.ResponseWriter, doc string) {
	ghCustom(w, doc, ghCustomError{Resource: "Release", Code: "custom", Field: "tag_name", Message: ghTagBurnedMessage})
}

func ghImmutableUpload(w http.ResponseWriter) {
	ghError(w, http.StatusUnprocessableEntity, ghImmutableUploadMessage, ghDocREST)
}

func ghImmutableAssetDelete(w http.ResponseWriter) {
	ghCustom(w, ghDocDeleteAsset, ghCustomError{Resource: "ReleaseAsset", Code: "custom", Message: ghImmutableDeleteMessage})
}
