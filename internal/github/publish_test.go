package github

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	gogithub "github.com/google/go-github/v60/github"
	"github.com/releaserhq/releaser/internal/testenv"
)

const commitA = "0123456789abcdef0123456789abcdef01234567"

func releasePath(rel *Release) string { return fmt.Sprintf("%s/releases/%d", repoAPIPath, rel.ID) }

// attach uploads name with data to rel and returns its sha256.
func (e *env) attach(rel *Release, name, data string) (string, error) {
	path, sum := e.file(name, []byte(data))
	_, _, err := e.c.EnsureAsset(e.t.Context(), rel, name, path, int64(len(data)), sum, nil)
	return sum, err
}

// stagedDraft is the draft v1.2.3 with two assets, its tag at commitA.
func (e *env) stagedDraft() (rel *Release, digests map[string]string) {
	e.t.Helper()
	e.gh.AddTag(owner, repo, "v1.2.3", commitA, true)
	rel = e.draft()
	digests = map[string]string{}
	for name, data := range map[string]string{"demo-1.2.3.tar.gz": "sdist", "demo-1.2.3-py3-none-any.whl": "wheel"} {
		sum, err := e.attach(rel, name, data)
		if err != nil {
			e.t.Fatal(err)
		}
		digests[name] = "sha256:" + sum
	}
	return rel, digests
}

func TestPublishReleaseImmutable(t *testing.T) {
	e := newEnv(t)
	e.gh.SetImmutableReleases(owner, repo, true)
	draft, digests := e.stagedDraft()

	pub, err := e.c.PublishRelease(t.Context(), draft, PublishOptions{Name: "Demo 1.2.3", Body: "The notes.", MakeLatest: "true"})
	if err != nil {
		t.Fatal(err)
	}
	if pub.ID != draft.ID || pub.Draft || !pub.Immutable || pub.Name != "Demo 1.2.3" || pub.Repository() != owner+"/"+repo ||
		!strings.HasSuffix(pub.HTMLURL, "/octo-org/octo-repo/releases/tag/v1.2.3") {
		t.Fatalf("published %+v", pub)
	}
	if len(pub.Assets) != len(digests) {
		t.Fatalf("assets %+v, want %v", pub.Assets, digests)
	}
	for _, a := range pub.Assets {
		if a.Digest != digests[a.Name] || !strings.Contains(a.URL, "/releases/download/v1.2.3/") {
			t.Errorf("asset %+v, want digest %s", a, digests[a.Name])
		}
	}
	emu := e.gh.Releases(owner, repo)[0]
	if emu.Body != "The notes." || emu.Draft || !emu.Immutable || !emu.Latest || emu.Prerelease {
		t.Fatalf("emulator has %+v", emu)
	}

	// Published immutable: GitHub refuses what follows, and says why.
	_, err = e.attach(pub, "late.whl", "late")
	var ae *APIError
	if !IsImmutableRefusal(err) || !errors.As(err, &ae) || ae.Status != http.StatusUnprocessableEntity ||
		!strings.Contains(err.Error(), "Cannot upload assets to an immutable release") || !strings.Contains(ae.Fix(), "release a new version") {
		t.Fatalf("late upload: %v", err)
	}
	if n := len(e.assets(pub.ID)); n != 2 {
		t.Fatalf("%d assets after the refused upload", n)
	}
	// The tag cannot be moved or deleted (through go-github's own refs calls).
	move := &gogithub.Reference{Ref: gogithub.String("refs/tags/v1.2.3"), Object: &gogithub.GitObject{SHA: gogithub.String(commitB)}}
	if _, resp, err := e.c.api.Git.UpdateRef(t.Context(), owner, repo, move, true); err == nil || resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("tag move: %v", err)
	}
	if resp, err := e.c.api.Git.DeleteRef(t.Context(), owner, repo, "tags/v1.2.3"); err == nil || resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("tag deletion: %v", err)
	}
	if sha, err := e.c.TagCommit(t.Context(), owner, repo, "v1.2.3"); err != nil || sha != commitA {
		t.Fatalf("tag at %q (%v), want %s", sha, err, commitA)
	}
}

func TestPublishReleaseSettingOffIsMutable(t *testing.T) {
	e := newEnv(t)
	draft, _ := e.stagedDraft()
	pub, err := e.c.PublishRelease(t.Context(), draft, PublishOptions{Prerelease: true, MakeLatest: "false"})
	if err != nil {
		t.Fatal(err)
	}
	if pub.Draft || pub.Immutable || !pub.Prerelease {
		t.Fatalf("published %+v", pub)
	}
	if emu := e.gh.Releases(owner, repo)[0]; emu.Latest || emu.Name != "v1.2.3" || emu.Body != "notes" {
		t.Fatalf("emulator has %+v (name and body must stay the draft's)", emu)
	}
	if _, err := e.attach(pub, "late.whl", "late"); err != nil {
		t.Fatalf("a mutable release refused an asset: %v", err)
	}
}

func TestPublishReleaseAlreadyPublished(t *testing.T) {
	e := newEnv(t)
	e.gh.SetImmutableReleases(owner, repo, true)
	draft, _ := e.stagedDraft()
	if _, err := e.c.PublishRelease(t.Context(), draft, PublishOptions{}); err != nil {
		t.Fatal(err)
	}
	// The stale draft, with other options: nothing is sent, nothing changes.
	again, err := e.c.PublishRelease(t.Context(), draft, PublishOptions{Name: "other", Prerelease: true, MakeLatest: "false"})
	if err != nil {
		t.Fatal(err)
	}
	if n := e.gh.Requests(http.MethodPatch, releasePath(draft)); n != 1 {
		t.Fatalf("%d PATCHes, want 1", n)
	}
	if again.Draft || !again.Immutable || again.Name != "v1.2.3" || again.Prerelease || len(again.Assets) != 2 {
		t.Fatalf("re-run returned %+v", again)
	}
}

func TestPublishReleaseRetries(t *testing.T) {
	for _, tc := range []struct {
		name    string
		fault   func(e *env, rel *Release)
		patches int // PATCH requests that reached GitHub (or its fault layer)
	}{
		{"lost answer: re-read, not re-sent", func(e *env, rel *Release) {
			e.gh.Faults().Add("PATCH "+releasePath(rel), testenv.LostResponse())
		}, 1},
		{"502 on the PATCH", func(e *env, rel *Release) {
			e.gh.Faults().Add("PATCH "+releasePath(rel), testenv.Status(http.StatusBadGateway, `{"message":"Server Error"}`))
		}, 2},
		{"reset on the PATCH", func(e *env, rel *Release) { e.gh.Faults().Add("PATCH "+releasePath(rel), testenv.Reset()) }, 2},
		{"500 on the first read", func(e *env, rel *Release) {
			e.gh.Faults().Add("GET "+releasePath(rel), testenv.Status(http.StatusInternalServerError, ""))
		}, 1},
		{"502 listing the published release's assets", func(e *env, rel *Release) {
			e.gh.Faults().Add("GET "+releasePath(rel)+"/assets", testenv.Status(http.StatusBadGateway, ""))
		}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.gh.SetImmutableReleases(owner, repo, true)
			draft, _ := e.stagedDraft()
			tc.fault(e, draft)
			pub, err := e.c.PublishRelease(t.Context(), draft, PublishOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if pub.Draft || !pub.Immutable || len(pub.Assets) != 2 {
				t.Fatalf("published %+v", pub)
			}
			if n := e.gh.Requests(http.MethodPatch, releasePath(draft)); n != tc.patches {
				t.Fatalf("%d PATCHes, want %d", n, tc.patches)
			}
			if e.gh.Faults().Pending() != 0 {
				t.Fatal("the fault did not fire")
			}
		})
	}
}

func TestPublishReleaseRefusedLocally(t *testing.T) {
	e := newEnv(t)
	draft := e.draft()
	for _, tc := range []struct {
		name string
		rel  *Release
		o    PublishOptions
		err  string
	}{
		{"unknown make_latest", draft, PublishOptions{MakeLatest: "yes"}, `make_latest "yes"`},
		{"prerelease marked latest", draft, PublishOptions{Prerelease: true, MakeLatest: "true"}, "a prerelease cannot be marked latest"},
		{"no release", nil, PublishOptions{}, "needs a release read from GitHub"},
		{"a release not read from GitHub", &Release{ID: draft.ID, Tag: "v1.2.3", Draft: true}, PublishOptions{}, "needs a release read from GitHub"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.c.PublishRelease(t.Context(), tc.rel, tc.o)
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("error %v, want %q", err, tc.err)
			}
		})
	}
	if n := e.gh.Requests(http.MethodGet, releasePath(draft)) + e.gh.Requests(http.MethodPatch, releasePath(draft)); n != 0 {
		t.Fatalf("%d requests for refused calls", n)
	}
}

func TestPublishReleaseRefusedByGitHub(t *testing.T) {
	t.Run("draft deleted", func(t *testing.T) {
		e := newEnv(t)
		draft := e.draft()
		deleteRelease(t, e, draft)
		_, err := e.c.PublishRelease(t.Context(), draft, PublishOptions{})
		var ae *APIError
		if !errors.As(err, &ae) || ae.Status != http.StatusNotFound || !strings.Contains(ae.Fix(), "no longer exists") {
			t.Fatalf("error %v", err)
		}
	})
	t.Run("tag used by a deleted immutable release", func(t *testing.T) {
		e := newEnv(t)
		e.gh.SetImmutableReleases(owner, repo, true)
		first, _ := e.stagedDraft()
		if _, err := e.c.PublishRelease(t.Context(), first, PublishOptions{}); err != nil {
			t.Fatal(err)
		}
		deleteRelease(t, e, first)
		second := e.draft()
		_, err := e.c.PublishRelease(t.Context(), second, PublishOptions{})
		if !IsImmutableRefusal(err) || !strings.Contains(err.Error(), "tag_name was used by an immutable release") {
			t.Fatalf("error %v", err)
		}
		if n := e.gh.Requests(http.MethodPatch, releasePath(second)); n != 1 {
			t.Fatalf("a refusal was sent %d times", n)
		}
	})
}

// deleteRelease deletes rel on the emulator, as a person would on GitHub.
func deleteRelease(t *testing.T, e *env, rel *Release) {
	t.Helper()
	req, err := http.NewRequest(http.MethodDelete, e.gh.URL()+releasePath(rel), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+e.gh.Token())
	req.Header.Set("User-Agent", "releaser-tests")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("delete release: HTTP %d", resp.StatusCode)
	}
}

func TestGetReleaseListsEveryAsset(t *testing.T) {
	e := newEnv(t)
	id := e.gh.AddRelease(owner, repo, "v1.2.3", true)
	want := map[string]string{}
	for i := range 120 {
		name, data := fmt.Sprintf("file-%03d.txt", i), fmt.Sprintf("content %d", i)
		e.gh.AddAsset(owner, repo, id, name, []byte(data), false)
		want[name] = "sha256:" + sha([]byte(data))
	}
	rel, err := e.c.GetRelease(t.Context(), owner, repo, id)
	if err != nil {
		t.Fatal(err)
	}
	if rel.ID != id || !rel.Draft || rel.Tag != "v1.2.3" || len(rel.Assets) != len(want) {
		t.Fatalf("release %d %s draft=%t with %d assets", rel.ID, rel.Tag, rel.Draft, len(rel.Assets))
	}
	for _, a := range rel.Assets {
		if want[a.Name] != a.Digest || a.State != "uploaded" {
			t.Fatalf("asset %+v, want digest %s", a, want[a.Name])
		}
		delete(want, a.Name)
	}
	if len(want) != 0 {
		t.Fatalf("missing %v", want)
	}
}

func TestGetReleaseRefusals(t *testing.T) {
	e := newEnv(t)
	_, err := e.c.GetRelease(t.Context(), owner, repo, 4242)
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusNotFound || !strings.Contains(ae.Fix(), "release id 4242 does not exist in octo-org/octo-repo") {
		t.Fatalf("error %v", err)
	}
	for _, id := range []int64{0, -1} {
		if _, err := e.c.GetRelease(t.Context(), owner, repo, id); err == nil || !strings.Contains(err.Error(), "not a release id") {
			t.Errorf("id %d: %v", id, err)
		}
	}
	if _, err := e.c.GetRelease(t.Context(), owner, "..", 1); err == nil {
		t.Error("a bad repository name was accepted")
	}
}
