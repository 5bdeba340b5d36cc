package testenv

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// GitHub emulates the part of the GitHub REST API a release needs: releases (list, get by
// tag or id, create, update) and their assets (list, upload, download, delete), and the
// protections the approval stage reads: environments with their deployment branch
// policies, rulesets, workflow runs with their review history and pending deployments;
// and immutable releases: the repository setting, releases published while it is on
// locking their assets and tag, tags read through the git refs and tag objects
// (github_immutable*.go). It is laid out like GitHub Enterprise Server: the API under
// /api/v3/, uploads under /api/uploads/.
//
// Shapes, status codes and error bodies follow docs.github.com (REST "Releases" and
// "Release assets", API version 2022-11-28), including the asset "digest" field
// ("sha256:<hex>", added in June 2025). Every API and upload request must carry the
// emulator's token as "Authorization: Bearer <token>" or "token <token>" and a
// User-Agent. The fault layer sits in front of every route.
type GitHub struct {
	*Server
	token string
	dir   string // spooled asset bodies

	mu          sync.Mutex
	repos       map[string]*ghRepo // "owner/repo", lower-case: GitHub names are case-insensitive
	nextID      int64
	uploads     int
	omitDigests bool
	failNext    []UploadFailure

	// Environments, rulesets and workflow runs (github_env*.go, github_rules*.go,
	// github_runs*.go).
	denied     map[string]string // route -> X-Accepted-GitHub-Permissions of its 403
	hideBypass bool              // omit rulesets' bypass_actors, as for a token that cannot write them
	userIDs    map[string]int64  // login (lower-case) -> id, so a person keeps one id
}

// UploadFailure is a way the next upload fails after GitHub has created the asset record.
type UploadFailure int

const (
	// UploadBadGateway reads the whole body, leaves the asset in state "starter" and
	// answers 502: "When an upstream failure occurs, you will receive a 502 Bad Gateway
	// status. This may leave an empty asset with a state of starter." (REST docs,
	// "Upload a release asset").
	UploadBadGateway UploadFailure = iota + 1
	// UploadDropped reads half the body, leaves a "starter" asset and drops the
	// connection: an upload interrupted mid-body.
	UploadDropped
)

type ghRepo struct {
	owner, name string
	releases    []*ghRelease // creation order
	envs        []*ghEnv     // creation order
	rulesets    []*ghRuleset // creation order
	runs        map[int64]*ghRun

	// Immutable releases and tags (github_immutable*.go).
	immutableOn     bool                    // the repository's immutable-releases setting
	enforcedByOwner bool                    // the setting is the organization's: the repository cannot change it
	tags            map[string]*ghTag       // tag name -> its ref
	tagObjects      map[string]*ghTagObject // annotated tag objects by sha
	burned          map[string]bool         // tag names an immutable release was published with
	latest          int64                   // the release marked latest; 0 = none
}

type ghRelease struct {
	id                      int64
	tag, name, body, target string
	draft, prerelease       bool
	untagged                string // "untagged-<hex>": a draft's stand-in for its tag in URLs
	immutable               bool   // published while the repository's setting was on
	created, published      time.Time
	assets                  []*ghAsset // upload order
}

type ghAsset struct {
	id                       int64
	name, label, contentType string
	// state is "uploaded", or "starter" while the body is arriving and after an upload
	// failed: the REST docs' prose names that state "starter"; the OpenAPI enum lists
	// only "uploaded" and "open", so which word GitHub really sends is UNCONFIRMED.
	state            string
	size             int64
	sha256           string // lower-case hex; "" until uploaded
	path             string // spooled body
	key              string // the download URL's secret part
	created, updated time.Time
}

// EmuRelease is a release as the emulator holds it.
type EmuRelease struct {
	ID                int64
	Tag, Name, Body   string
	Draft, Prerelease bool
	Immutable         bool // what "immutable" says (ForceMutable can clear it)
	Latest            bool // the repository's latest release
	Assets            []EmuAsset
}

// EmuAsset is a release asset as the emulator holds it.
type EmuAsset struct {
	ID                       int64
	Name, Label, ContentType string
	State                    string // "uploaded" or "starter"
	Size                     int64
	SHA256                   string // lower-case hex, "" for a starter
}

// NewGitHub starts a GitHub emulator with no repositories (AddRepo adds them).
func NewGitHub(t testing.TB) *GitHub {
	t.Helper()
	g := &GitHub{
		// A GitHub App installation token (what GITHUB_TOKEN is in Actions) is "ghs_" and
		// 36 characters.
		token:   "ghs_" + CanaryMarker + randomAlnum(30),
		dir:     t.TempDir(),
		repos:   map[string]*ghRepo{},
		nextID:  1000,
		denied:  map[string]string{},
		userIDs: map[string]int64{},
	}
	g.Server = NewServer(t, http.HandlerFunc(g.route))
	return g
}

// APIURL is the REST API base, URL()+"/api/v3/" (GitHub Enterprise Server layout).
func (g *GitHub) APIURL() string { return g.URL() + "/api/v3/" }

// UploadURL is the uploads base, URL()+"/api/uploads/".
func (g *GitHub) UploadURL() string { return g.URL() + "/api/uploads/" }

// Token is the token the API requires (a canary).
func (g *GitHub) Token() string { return g.token }

// Secrets lists the secrets the emulator handed out: its token.
func (g *GitHub) Secrets() []string { return []string{g.token} }

// AddRepo creates an empty repository.
func (g *GitHub) AddRepo(owner, repo string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	k := repoKey(owner, repo)
	if g.repos[k] == nil {
		g.repos[k] = &ghRepo{owner: owner, name: repo, runs: map[int64]*ghRun{},
			tags: map[string]*ghTag{}, tagObjects: map[string]*ghTagObject{}, burned: map[string]bool{}}
	}
}

// OmitDigests makes every asset answer carry "digest": null, as assets uploaded before
// GitHub computed digests (and older GitHub Enterprise Server versions) do.
func (g *GitHub) OmitDigests(omit bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.omitDigests = omit
}

// FailNextUpload makes the next upload (one per call, in order) fail with f.
func (g *GitHub) FailNextUpload(f UploadFailure) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.failNext = append(g.failNext, f)
}

// Uploads counts uploads that stored a complete asset (including ones whose response a
// LostResponse fault threw away).
func (g *GitHub) Uploads() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.uploads
}

// Releases lists the repository's releases, oldest first, drafts included.
func (g *GitHub) Releases(owner, repo string) []EmuRelease {
	g.mu.Lock()
	defer g.mu.Unlock()
	r := g.repos[repoKey(owner, repo)]
	if r == nil {
		return nil
	}
	out := make([]EmuRelease, 0, len(r.releases))
	for _, rel := range r.releases {
		out = append(out, rel.emu(r.latest))
	}
	return out
}

// AssetBytes returns the content of the uploaded asset name on the release for tag
// (drafts included; the oldest such release with that asset), or nil.
func (g *GitHub) AssetBytes(owner, repo, tag, name string) []byte {
	g.mu.Lock()
	r := g.repos[repoKey(owner, repo)]
	var path string
	if r != nil {
		for _, rel := range r.releases {
			if rel.tag != tag {
				continue
			}
			if a := rel.asset(name); a != nil && a.state == "uploaded" {
				path = a.path
				break
			}
		}
	}
	g.mu.Unlock()
	if path == "" {
		return nil
	}
	return readSpool(path)
}

// AddRelease creates a release directly (draft or published) and returns its ID.
func (g *GitHub) AddRelease(owner, repo, tag string, draft bool) int64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	r := g.repos[repoKey(owner, repo)]
	if r == nil {
		panic("testenv: GitHub.AddRelease: no repository " + owner + "/" + repo)
	}
	return g.newRelease(r, ghCreate{TagName: tag, Name: tag, Draft: draft}).id
}

// AddAsset attaches data to the release as an uploaded asset named name, or, with
// starter set, leaves a "starter" record the way an interrupted upload does. It returns
// the asset ID.
func (g *GitHub) AddAsset(owner, repo string, releaseID int64, name string, data []byte, starter bool) int64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	r := g.repos[repoKey(owner, repo)]
	var rel *ghRelease
	if r != nil {
		rel = r.release(releaseID)
	}
	if rel == nil {
		panic("testenv: GitHub.AddAsset: no such release")
	}
	a := g.newAsset(rel, name, "", "application/octet-stream")
	if !starter {
		path, sum, err := spool(g.dir, strings.NewReader(string(data)))
		if err != nil {
			panic("testenv: GitHub.AddAsset: " + err.Error())
		}
		a.finish(path, sum, int64(len(data)))
	}
	return a.id
}

func repoKey(owner, repo string) string { return strings.ToLower(owner + "/" + repo) }

func (r *ghRepo) release(id int64) *ghRelease {
	for _, rel := range r.releases {
		if rel.id == id {
			return rel
		}
	}
	return nil
}

func (r *ghRepo) asset(id int64) (*ghRelease, *ghAsset) {
	for _, rel := range r.releases {
		for _, a := range rel.assets {
			if a.id == id {
				return rel, a
			}
		}
	}
	return nil, nil
}

func (rel *ghRelease) asset(name string) *ghAsset {
	for _, a := range rel.assets {
		if a.name == name {
			return a
		}
	}
	return nil
}

func (rel *ghRelease) emu(latest int64) EmuRelease {
	e := EmuRelease{ID: rel.id, Tag: rel.tag, Name: rel.name, Body: rel.body, Draft: rel.draft, Prerelease: rel.prerelease,
		Immutable: rel.immutable, Latest: rel.id == latest}
	for _, a := range rel.assets {
		e.Assets = append(e.Assets, EmuAsset{ID: a.id, Name: a.name, Label: a.label, ContentType: a.contentType, State: a.state, Size: a.size, SHA256: a.sha256})
	}
	return e
}

// urlTag is the tag as release URLs show it: drafts have no tag yet.
func (rel *ghRelease) urlTag() string {
	if rel.draft {
		return rel.untagged
	}
	return rel.tag
}
