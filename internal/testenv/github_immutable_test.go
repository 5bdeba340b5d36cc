package testenv

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

const (
	commitA = "0123456789abcdef0123456789abcdef01234567"
	commitB = "89abcdef0123456789abcdef0123456789abcdef"
)

var jsonCT = map[string]string{"Content-Type": "application/json"}

func ghPatch(t *testing.T, g *GitHub, url, body string) ghResp {
	t.Helper()
	return ghCall(t, g, http.MethodPatch, url, "", []byte(body), jsonCT)
}

// publishTestDraft creates the draft tag with one asset and publishes it.
func publishTestDraft(t *testing.T, g *GitHub, tag string) (rel ghTestRelease, assetID int64) {
	t.Helper()
	return publishTestRelease(t, g, createTestRelease(t, g, tag, true))
}

// publishTestRelease gives the draft d one asset and publishes it.
func publishTestRelease(t *testing.T, g *GitHub, d ghTestRelease) (rel ghTestRelease, assetID int64) {
	t.Helper()
	var a ghTestAsset
	uploadTestAsset(t, g, d.ID, "demo.whl", []byte("wheel")).want(t, http.StatusCreated).decode(t, &a)
	ghPatch(t, g, fmt.Sprintf("%s/releases/%d", g.testRepoAPI(), d.ID), `{"draft":false}`).want(t, http.StatusOK).decode(t, &rel)
	return rel, a.ID
}

func TestGitHubImmutableSettingRoutes(t *testing.T) {
	g := newGitHubRepo(t)
	u := g.testRepoAPI() + "/immutable-releases"
	get := func() ghResp { return ghCall(t, g, http.MethodGet, u, "", nil, nil) }

	get().wantBody(t, http.StatusNotFound, `{"message":"Not Found","documentation_url":"`+ghDocCheckImmutable+`"}`)
	ghCall(t, g, http.MethodPut, u, "", nil, nil).want(t, http.StatusNoContent)
	get().wantBody(t, http.StatusOK, `{"enabled":true,"enforced_by_owner":false}`)
	ghCall(t, g, http.MethodDelete, u, "", nil, nil).want(t, http.StatusNoContent)
	get().want(t, http.StatusNotFound)

	g.EnforceImmutableReleases("octo-org", "octo-repo")
	get().wantBody(t, http.StatusOK, `{"enabled":true,"enforced_by_owner":true}`)
	for _, m := range []string{http.MethodPut, http.MethodDelete} {
		r := ghCall(t, g, m, u, "", nil, nil).want(t, http.StatusConflict)
		if !strings.Contains(string(r.body), "enforced by the repository owner") {
			t.Errorf("%s while enforced: %s", m, r.body)
		}
	}
	get().want(t, http.StatusOK)

	ghCall(t, g, http.MethodPost, u, "", nil, nil).want(t, http.StatusNotFound)
	ghCall(t, g, http.MethodGet, g.APIURL()+"repos/octo-org/nope/immutable-releases", "", nil, nil).want(t, http.StatusNotFound)
	ghCall(t, g, http.MethodGet, u, "-", nil, nil).want(t, http.StatusUnauthorized)
}

func TestGitHubGetRepository(t *testing.T) {
	g := newGitHubRepo(t)
	var repo struct {
		FullName      string `json:"full_name"`
		DefaultBranch string `json:"default_branch"`
	}
	ghCall(t, g, http.MethodGet, g.testRepoAPI(), "", nil, nil).want(t, http.StatusOK).decode(t, &repo)
	if repo.FullName != "octo-org/octo-repo" || repo.DefaultBranch != "main" {
		t.Fatalf("repository %+v", repo)
	}
	ghCall(t, g, http.MethodGet, g.APIURL()+"repos/octo-org/nope", "", nil, nil).
		wantBody(t, http.StatusNotFound, `{"message":"Not Found","documentation_url":"`+ghDocGetRepo+`"}`)
}

func TestGitHubPublishingWhileOnIsImmutable(t *testing.T) {
	g := newGitHubRepo(t)
	g.SetImmutableReleases("octo-org", "octo-repo", true)
	draft := createTestRelease(t, g, "v1.2.3", true)
	if draft.Immutable == nil || *draft.Immutable || draft.PublishedAt != nil || !strings.Contains(draft.HTMLURL, "/releases/tag/untagged-") {
		t.Fatalf("draft %+v", draft)
	}
	rel, assetID := publishTestRelease(t, g, draft)
	if rel.ID != draft.ID {
		t.Fatalf("published %d, not the draft %d", rel.ID, draft.ID)
	}
	if rel.Immutable == nil || !*rel.Immutable || rel.Draft || rel.PublishedAt == nil || !strings.HasSuffix(rel.HTMLURL, "/octo-org/octo-repo/releases/tag/v1.2.3") {
		t.Fatalf("published %+v", rel)
	}
	var a ghTestAsset
	if err := json.Unmarshal(rel.Assets[0], &a); err != nil || !strings.Contains(a.BrowserDownloadURL, "/releases/download/v1.2.3/demo.whl") {
		t.Fatalf("asset %s (%v)", rel.Assets[0], err)
	}
	emu := g.Releases("octo-org", "octo-repo")
	if len(emu) != 1 || !emu[0].Immutable || !emu[0].Latest {
		t.Fatalf("emulator has %+v", emu)
	}
	if got := g.TagCommit("octo-org", "octo-repo", "v1.2.3"); got != commitFor("main") {
		t.Fatalf("publishing created the tag at %q, want the made-up head of main", got)
	}

	// Turning the setting off later does not unlock it.
	g.SetImmutableReleases("octo-org", "octo-repo", false)

	uploadTestAsset(t, g, rel.ID, "late.whl", []byte("late")).
		wantBody(t, http.StatusUnprocessableEntity, `{"message":"Cannot upload assets to an immutable release.","documentation_url":"https://docs.github.com/rest"}`)
	ghCall(t, g, http.MethodDelete, fmt.Sprintf("%s/releases/assets/%d", g.testRepoAPI(), assetID), "", nil, nil).
		wantBody(t, http.StatusUnprocessableEntity, `{"message":"Validation Failed","errors":[{"resource":"ReleaseAsset","code":"custom","message":"Cannot delete asset from an immutable release"}],"documentation_url":"`+ghDocDeleteAsset+`","status":"422"}`)
	if got := g.Releases("octo-org", "octo-repo")[0].Assets; len(got) != 1 || got[0].Name != "demo.whl" {
		t.Fatalf("assets after refused changes: %+v", got)
	}
}

func TestGitHubImmutableReleaseEdits(t *testing.T) {
	relURL := func(g *GitHub, id int64) string { return fmt.Sprintf("%s/releases/%d", g.testRepoAPI(), id) }
	for _, tc := range []struct {
		name, body string
		field      string // "" = accepted
	}{
		{"title and notes", `{"name":"Demo 1.2.3","body":"new notes"}`, ""},
		{"prerelease and latest", `{"prerelease":true,"make_latest":"legacy"}`, ""},
		{"same tag and draft false", `{"tag_name":"v1.2.3","draft":false}`, ""},
		{"new tag", `{"tag_name":"v1.2.4"}`, "tag_name"},
		{"new target", `{"target_commitish":"` + commitB + `"}`, "target_commitish"},
		{"back to draft", `{"draft":true}`, "draft"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := newGitHubRepo(t)
			g.SetImmutableReleases("octo-org", "octo-repo", true)
			rel, _ := publishTestDraft(t, g, "v1.2.3")
			r := ghPatch(t, g, relURL(g, rel.ID), tc.body)
			if tc.field == "" {
				var got ghTestRelease
				r.want(t, http.StatusOK).decode(t, &got)
				if got.Immutable == nil || !*got.Immutable || got.Draft {
					t.Fatalf("after an accepted edit: %+v", got)
				}
				return
			}
			var body struct {
				Message string          `json:"message"`
				Errors  []ghCustomError `json:"errors"`
			}
			r.want(t, http.StatusUnprocessableEntity).decode(t, &body)
			if body.Message != "Validation Failed" || len(body.Errors) != 1 || body.Errors[0].Field != tc.field || body.Errors[0].Code != "custom" {
				t.Fatalf("refusal %s", r.body)
			}
			emu := g.Releases("octo-org", "octo-repo")[0]
			if emu.Tag != "v1.2.3" || emu.Draft || !emu.Immutable {
				t.Fatalf("release changed by a refused edit: %+v", emu)
			}
		})
	}
}

func TestGitHubPublishingWhileOffIsMutable(t *testing.T) {
	g := newGitHubRepo(t)
	g.AddTag("octo-org", "octo-repo", "v1.2.3", commitA, false)
	rel, assetID := publishTestDraft(t, g, "v1.2.3")
	if rel.Immutable == nil || *rel.Immutable || rel.PublishedAt == nil {
		t.Fatalf("published %+v", rel)
	}
	uploadTestAsset(t, g, rel.ID, "late.whl", []byte("late")).want(t, http.StatusCreated)
	ghCall(t, g, http.MethodDelete, fmt.Sprintf("%s/releases/assets/%d", g.testRepoAPI(), assetID), "", nil, nil).want(t, http.StatusNoContent)
	ghPatch(t, g, g.testRepoAPI()+"/git/refs/tags/v1.2.3", `{"sha":"`+commitB+`","force":true}`).want(t, http.StatusOK)
	if got := g.TagCommit("octo-org", "octo-repo", "v1.2.3"); got != commitB {
		t.Fatalf("tag at %s after the move", got)
	}
	// Turning the setting on later does not lock a release published before.
	g.SetImmutableReleases("octo-org", "octo-repo", true)
	uploadTestAsset(t, g, rel.ID, "later.whl", []byte("later")).want(t, http.StatusCreated)
}

func TestGitHubCreatePublishedWhileOn(t *testing.T) {
	g := newGitHubRepo(t)
	g.SetImmutableReleases("octo-org", "octo-repo", true)
	rel := createTestRelease(t, g, "v2.0.0", false)
	if rel.Immutable == nil || !*rel.Immutable {
		t.Fatalf("created published release %+v", rel)
	}
	uploadTestAsset(t, g, rel.ID, "a.whl", []byte("a")).want(t, http.StatusUnprocessableEntity)
}

func TestGitHubImmutableTagLocked(t *testing.T) {
	g := newGitHubRepo(t)
	g.SetImmutableReleases("octo-org", "octo-repo", true)
	g.AddTag("octo-org", "octo-repo", "v1.2.3", commitA, true)
	rel, _ := publishTestDraft(t, g, "v1.2.3")
	refURL := g.testRepoAPI() + "/git/refs/tags/v1.2.3"

	ghPatch(t, g, refURL, `{"sha":"`+commitB+`","force":true}`).
		wantBody(t, http.StatusUnprocessableEntity, `{"message":"Repository rule violations found\n\nCannot update this protected ref.\n\n","documentation_url":"`+ghDocUpdateRef+`"}`)
	ghCall(t, g, http.MethodDelete, refURL, "", nil, nil).
		wantBody(t, http.StatusUnprocessableEntity, `{"message":"Repository rule violations found\n\nCannot delete this protected ref.\n\n","documentation_url":"`+ghDocDeleteRef+`"}`)
	if got := g.TagCommit("octo-org", "octo-repo", "v1.2.3"); got != commitA {
		t.Fatalf("tag at %s after refused changes", got)
	}

	// ForceMutable: the release says it is mutable and behaves so.
	g.ForceMutable("octo-org", "octo-repo", "v1.2.3")
	var got ghTestRelease
	ghCall(t, g, http.MethodGet, fmt.Sprintf("%s/releases/%d", g.testRepoAPI(), rel.ID), "", nil, nil).want(t, http.StatusOK).decode(t, &got)
	if got.Immutable == nil || *got.Immutable {
		t.Fatalf("after ForceMutable: %+v", got)
	}
	ghPatch(t, g, refURL, `{"sha":"`+commitB+`"}`).want(t, http.StatusOK)
	uploadTestAsset(t, g, rel.ID, "late.whl", []byte("late")).want(t, http.StatusCreated)
}

func TestGitHubDeletedImmutableReleaseBurnsTag(t *testing.T) {
	g := newGitHubRepo(t)
	g.SetImmutableReleases("octo-org", "octo-repo", true)
	rel, _ := publishTestDraft(t, g, "v1.2.3")
	ghCall(t, g, http.MethodDelete, fmt.Sprintf("%s/releases/%d", g.testRepoAPI(), rel.ID), "", nil, nil).want(t, http.StatusNoContent)
	// With the release gone the tag may be deleted, but the name stays reserved.
	ghCall(t, g, http.MethodDelete, g.testRepoAPI()+"/git/refs/tags/v1.2.3", "", nil, nil).want(t, http.StatusNoContent)

	burned := `{"message":"Validation Failed","errors":[{"resource":"Release","code":"custom","field":"tag_name","message":"tag_name was used by an immutable release"}],"documentation_url":"%s","status":"422"}`
	ghCall(t, g, http.MethodPost, g.testRepoAPI()+"/releases", "", []byte(`{"tag_name":"v1.2.3","draft":false}`), jsonCT).
		wantBody(t, http.StatusUnprocessableEntity, fmt.Sprintf(burned, ghDocCreate))
	d := createTestRelease(t, g, "v1.2.3", true) // a draft names no tag yet
	ghPatch(t, g, fmt.Sprintf("%s/releases/%d", g.testRepoAPI(), d.ID), `{"draft":false}`).
		wantBody(t, http.StatusUnprocessableEntity, fmt.Sprintf(burned, ghDocUpdate))
	// Even with the setting off.
	g.SetImmutableReleases("octo-org", "octo-repo", false)
	ghPatch(t, g, fmt.Sprintf("%s/releases/%d", g.testRepoAPI(), d.ID), `{"draft":false}`).want(t, http.StatusUnprocessableEntity)
}

func TestGitHubGitRefsAndTags(t *testing.T) {
	g := newGitHubRepo(t)
	g.AddTag("octo-org", "octo-repo", "v1.0.0", commitA, false)
	g.AddTag("octo-org", "octo-repo", "release/v2", commitB, true)
	api := g.testRepoAPI()

	var ref struct {
		Ref    string       `json:"ref"`
		URL    string       `json:"url"`
		Object ghObjectJSON `json:"object"`
	}
	ghCall(t, g, http.MethodGet, api+"/git/ref/tags/v1.0.0", "", nil, nil).want(t, http.StatusOK).decode(t, &ref)
	if ref.Ref != "refs/tags/v1.0.0" || ref.Object.Type != "commit" || ref.Object.SHA != commitA || ref.Object.URL != api+"/git/commits/"+commitA {
		t.Fatalf("lightweight ref %+v", ref)
	}

	ghCall(t, g, http.MethodGet, api+"/git/ref/tags/release/v2", "", nil, nil).want(t, http.StatusOK).decode(t, &ref)
	if ref.Ref != "refs/tags/release/v2" || ref.Object.Type != "tag" || ref.Object.SHA == commitB || !strings.HasSuffix(ref.URL, "/git/refs/tags/release/v2") {
		t.Fatalf("annotated ref %+v", ref)
	}
	var tag struct {
		Tag    string       `json:"tag"`
		SHA    string       `json:"sha"`
		Object ghObjectJSON `json:"object"`
	}
	ghCall(t, g, http.MethodGet, api+"/git/tags/"+ref.Object.SHA, "", nil, nil).want(t, http.StatusOK).decode(t, &tag)
	if tag.Tag != "release/v2" || tag.SHA != ref.Object.SHA || tag.Object.Type != "commit" || tag.Object.SHA != commitB {
		t.Fatalf("tag object %+v", tag)
	}

	for _, p := range []string{"/git/ref/tags/v1", "/git/ref/tags/v9.9.9", "/git/tags/" + commitA, "/git/ref/heads/main"} {
		ghCall(t, g, http.MethodGet, api+p, "", nil, nil).want(t, http.StatusNotFound)
	}
	ghPatch(t, g, api+"/git/refs/tags/v9.9.9", `{"sha":"`+commitA+`"}`).
		wantBody(t, http.StatusUnprocessableEntity, `{"message":"Reference does not exist","documentation_url":"`+ghDocUpdateRef+`"}`)
	ghPatch(t, g, api+"/git/refs/tags/v1.0.0", `{"force":true}`).want(t, http.StatusUnprocessableEntity)
	ghPatch(t, g, api+"/git/refs/tags/v1.0.0", `{"sha":"nope"}`).
		wantBody(t, http.StatusUnprocessableEntity, `{"message":"Object does not exist","documentation_url":"`+ghDocUpdateRef+`"}`)
	ghCall(t, g, http.MethodDelete, api+"/git/refs/tags/v9.9.9", "", nil, nil).want(t, http.StatusUnprocessableEntity)

	ghCall(t, g, http.MethodDelete, api+"/git/refs/tags/v1.0.0", "", nil, nil).want(t, http.StatusNoContent)
	ghCall(t, g, http.MethodGet, api+"/git/ref/tags/v1.0.0", "", nil, nil).want(t, http.StatusNotFound)
	if got := g.TagCommit("octo-org", "octo-repo", "release/v2"); got != commitB {
		t.Fatalf("TagCommit of the annotated tag: %q", got)
	}
}

func TestGitHubPublishTagFromTargetSHA(t *testing.T) {
	g := newGitHubRepo(t)
	body := `{"tag_name":"v3.0.0","target_commitish":"` + commitB + `","draft":false}`
	ghCall(t, g, http.MethodPost, g.testRepoAPI()+"/releases", "", []byte(body), jsonCT).want(t, http.StatusCreated)
	if got := g.TagCommit("octo-org", "octo-repo", "v3.0.0"); got != commitB {
		t.Fatalf("tag created at %q, want the target %s", got, commitB)
	}
}

func TestGitHubMakeLatest(t *testing.T) {
	latest := func(g *GitHub) string {
		var tags []string
		for _, r := range g.Releases("octo-org", "octo-repo") {
			if r.Latest {
				tags = append(tags, r.Tag)
			}
		}
		return strings.Join(tags, ",")
	}
	publish := func(g *GitHub, tag, extra string) int64 {
		d := createTestRelease(t, g, tag, true)
		ghPatch(t, g, fmt.Sprintf("%s/releases/%d", g.testRepoAPI(), d.ID), `{"draft":false`+extra+`}`).want(t, http.StatusOK)
		return d.ID
	}
	g := newGitHubRepo(t)
	publish(g, "v1.0.0", "")
	if got := latest(g); got != "v1.0.0" {
		t.Fatalf("latest %q after the first publish", got)
	}
	v2 := publish(g, "v2.0.0", `,"make_latest":"false"`)
	if got := latest(g); got != "v1.0.0" {
		t.Fatalf("latest %q after make_latest false", got)
	}
	publish(g, "v3.0.0-rc.1", `,"prerelease":true`)
	if got := latest(g); got != "v1.0.0" {
		t.Fatalf("latest %q after a prerelease", got)
	}
	ghPatch(t, g, fmt.Sprintf("%s/releases/%d", g.testRepoAPI(), v2), `{"make_latest":"true"}`).want(t, http.StatusOK)
	if got := latest(g); got != "v2.0.0" {
		t.Fatalf("latest %q after marking v2 latest", got)
	}
	ghPatch(t, g, fmt.Sprintf("%s/releases/%d", g.testRepoAPI(), v2), `{"make_latest":"false"}`).want(t, http.StatusOK)
	if got := latest(g); got != "v1.0.0" {
		t.Fatalf("latest %q after unmarking v2", got)
	}
	publish(g, "v4.0.0", `,"make_latest":"legacy"`)
	if got := latest(g); got != "v4.0.0" {
		t.Fatalf("latest %q after legacy", got)
	}
}
