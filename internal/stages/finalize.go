package stages

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/releaserhq/releaser/internal/artifact"
	"github.com/releaserhq/releaser/internal/audit"
	"github.com/releaserhq/releaser/internal/github"
)

// Finalize publishes the draft release through the only door that makes it
// immutable, then reads it back and proves the lock holds: immutable, the
// tag on the built commit, every asset the bytes that were built.
type Finalize struct{}

func (Finalize) Name() string { return "finalize" }

// Link is a place a release can be seen, for the closing summary.
type Link struct {
	Label string `json:"label"`
	URL   string `json:"url"`
}

func (r *Release) addLink(label, url string) {
	for _, l := range r.Links {
		if l.URL == url {
			return
		}
	}
	r.Links = append(r.Links, Link{Label: label, URL: url})
}

func (Finalize) Check(ctx context.Context, r *Release) []Check {
	if !*r.Config.GitHub.Release {
		return []Check{{Name: "GitHub release", Code: CodeFinalizeGitHubRelease, Status: StatusSkipped, Detail: "[github].release = false"}}
	}
	owner, repo, ok := r.githubRepo()
	c, err := r.githubClient(true)
	if err != nil && !errors.Is(err, errNoGitHubToken) {
		return []Check{{Name: "GitHub release", Code: CodeFinalizeGitHubRelease, Status: StatusFailed, Detail: err.Error()}}
	}
	if !ok || err != nil || r.Tag == "" {
		status := StatusNeedsCI
		if ok && r.Tag != "" {
			// Only the token is missing: with one, this could be checked here.
			status = StatusNeedsToken
		}
		if r.Env.InCI() && !r.DryRun {
			status = StatusFailed
		}
		detail := "the release job has the repository, the tag and GITHUB_TOKEN"
		if err != nil && r.Env.InCI() {
			detail = err.Error()
		}
		chk := Check{Name: "GitHub release", Code: CodeFinalizeGitHubRelease, Status: status, Detail: detail}
		if status == StatusNeedsToken {
			chk.Detail, chk.Fix = err.Error(), "set GITHUB_TOKEN or GH_TOKEN, or `gh auth login`, to check the release from here"
			if r.Env.InCI() {
				chk.Fix = "pass `env: GITHUB_TOKEN: ${{ github.token }}` to the releaser step"
			}
		}
		return []Check{chk}
	}
	checks := []Check{immutableCheck(ctx, c, r, owner, repo)}
	m, mErr := r.peekManifest()
	if mErr != nil {
		return append(checks, Check{Name: "manifest", Code: CodeFinalizeManifest, Status: StatusWarning, Detail: "not built yet: " + mErr.Error()})
	}
	rel, err := c.FindRelease(ctx, owner, repo, r.Tag)
	switch {
	case err != nil:
		checks = append(checks, Check{Name: "draft release", Code: CodeFinalizeDraftRelease, Status: StatusFailed, Detail: err.Error(), Fix: apiFix(err)})
	case rel == nil && r.DryRun:
		checks = append(checks, Check{Name: "draft release", Code: CodeFinalizeDraftRelease, Status: StatusWarning, Detail: "no release for " + r.Tag + " yet: the publish stage creates the draft"})
	case rel == nil:
		checks = append(checks, Check{Name: "draft release", Code: CodeFinalizeDraftRelease, Status: StatusFailed, Detail: "no release for " + r.Tag,
			Fix: "run the publish stage first (releaser run --from publish)"})
	default:
		chk := Check{Name: "release assets", Code: CodeFinalizeReleaseAssets, Status: StatusOK}
		if diffs := assetDiffs(rel, expectedAssets(r, m)); len(diffs) > 0 {
			chk.Status, chk.Detail = StatusFailed, strings.Join(diffs, "; ")
			chk.Fix = "run the publish stage again to attach what is missing; delete assets that do not belong to this release"
			if !rel.Draft {
				chk.Fix = "the release is already published: it cannot be changed; release a new version"
			}
		} else if rel.Draft {
			chk.Detail = fmt.Sprintf("draft %s holds exactly the %d expected assets", rel.Tag, len(rel.Assets))
		} else {
			chk.Detail = fmt.Sprintf("%s is already published (immutable: %v) with exactly the expected assets", rel.Tag, rel.Immutable)
			if !rel.Immutable && *r.Config.GitHub.RequireImmutable {
				chk.Status = StatusFailed
				chk.Detail = fmt.Sprintf("%s is already published but mutable: its assets and tag can be changed", rel.Tag)
				chk.Fix = "a published release cannot be made immutable afterwards: enable immutable releases and release a new version"
			}
		}
		checks = append(checks, chk)
	}
	if !r.publishedInThisRun {
		checks = append(checks, r.uploadsCheck(m))
	}
	if m.Release.Commit != "" {
		chk := Check{Name: "tag still on the built commit", Code: CodeFinalizeTagCommit}
		got, err := c.TagCommit(ctx, owner, repo, r.Tag)
		switch {
		case err != nil:
			chk.Status, chk.Detail, chk.Fix = StatusFailed, err.Error(), apiFix(err)
		case got != m.Release.Commit:
			chk.Status = StatusFailed
			chk.Detail = fmt.Sprintf("tag %s now points at %s, the artifacts were built from %s", r.Tag, short(got), short(m.Release.Commit))
			chk.Fix = "someone moved the tag after the build: find out who (the repository's audit log), restore it, and protect release tags with a ruleset"
		default:
			chk.Status, chk.Detail = StatusOK, fmt.Sprintf("%s → %s", r.Tag, short(got))
		}
		checks = append(checks, chk)
	}
	return checks
}

func immutableCheck(ctx context.Context, c *github.Client, r *Release, owner, repo string) Check {
	chk := Check{Name: "immutable releases enabled", Code: CodeFinalizeImmutableReleases}
	s, err := c.ImmutableReleases(ctx, owner, repo)
	var ae *github.APIError
	switch {
	case errors.As(err, &ae) && ae.Status == 403:
		// Reading the setting needs Administration: read, which a workflow's
		// GITHUB_TOKEN can never have; the release itself says after publishing.
		chk.Status = StatusWarning
		chk.Detail = "this token may not read the repository's immutable-releases setting; releaser will require GitHub to report the release immutable right after publishing it"
		chk.Fix = "check Settings → General → Releases → \"Enable release immutability\" before releasing (or give releaser a token with Administration: read)"
	case err != nil:
		chk.Status, chk.Detail, chk.Fix = StatusFailed, err.Error(), apiFix(err)
	case s.Enabled:
		chk.Status, chk.Detail = StatusOK, fmt.Sprintf("%s/%s: published releases are locked", owner, repo)
		if s.EnforcedByOwner {
			chk.Detail += " (enforced by the owner)"
		}
	default:
		chk.Status = StatusFailed
		if !*r.Config.GitHub.RequireImmutable {
			chk.Status = StatusWarning
		}
		chk.Detail = fmt.Sprintf("%s/%s does not make published releases immutable: their assets and tag could be changed afterwards", owner, repo)
		chk.Fix = fmt.Sprintf("Settings → General → Releases → \"Enable release immutability\"; or gh api -X PUT repos/%s/%s/immutable-releases", owner, repo)
	}
	return chk
}

// expectedAssets are the files the release must hold, name → sha256.
func expectedAssets(r *Release, m *artifact.Manifest) map[string]string {
	want := map[string]string{}
	for _, a := range m.Artifacts {
		want[a.Name] = a.Digests.SHA256
	}
	_, sum := sumsContent(m)
	want[sumsName] = sum
	if *r.Config.Attest.Enabled {
		for _, b := range r.bundleFiles() {
			// By name only: a release may keep an earlier run's bundle for
			// the same subjects (publish never replaces one).
			want[filepath.Base(b)] = ""
		}
	}
	return want
}

// assetDiffs names every difference between a release's assets and want.
func assetDiffs(rel *github.Release, want map[string]string) []string {
	var diffs []string
	have := map[string]github.Asset{}
	for _, a := range rel.Assets {
		have[a.Name] = a
		w, ok := want[a.Name]
		switch {
		case !ok:
			diffs = append(diffs, fmt.Sprintf("%s is on the release but was not built", a.Name))
		case w != "" && a.Digest != "" && !strings.EqualFold(a.Digest, "sha256:"+w):
			diffs = append(diffs, fmt.Sprintf("%s on the release is %s, built sha256:%s", a.Name, a.Digest, w))
		}
	}
	for name := range want {
		if _, ok := have[name]; !ok {
			diffs = append(diffs, fmt.Sprintf("%s is missing from the release", name))
		}
	}
	sort.Strings(diffs)
	return diffs
}

// uploadsCheck requires that the audit log shows every registry upload as
// published or identical, when finalize runs without this run's publish.
func (r *Release) uploadsCheck(m *artifact.Manifest) Check {
	c := Check{Name: "registry uploads done", Code: CodeFinalizeRegistryUploads}
	if len(r.Config.Registry) == 0 {
		c.Status, c.Detail = StatusSkipped, "no registries"
		return c
	}
	done := map[string]string{}
	f, err := os.Open(r.Config.AuditLogPath())
	if err == nil {
		err = audit.Read(f, func(_ int, e audit.Event) error {
			if e.Type != "publish.upload" {
				return nil
			}
			var d struct{ Registry, Package, Artifact, Outcome string }
			if jerr := json.Unmarshal(e.Data, &d); jerr == nil {
				done[d.Registry+" "+d.Package+" "+d.Artifact] = d.Outcome
			}
			return nil
		})
		f.Close()
	}
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		c.Status, c.Detail = StatusFailed, "read the audit log: "+err.Error()
		return c
	}
	var missing []string
	for _, reg := range r.Config.Registry {
		up, uerr := r.uploader(reg)
		if uerr != nil {
			continue
		}
		for _, name := range selectArtifacts(m, reg, up) {
			switch done[reg.Kind+" "+reg.Package+" "+name] {
			case "published", "already_published":
			default:
				missing = append(missing, name+" → "+up.Name())
			}
		}
	}
	if len(missing) > 0 {
		c.Status = StatusFailed
		if r.DryRun {
			c.Status = StatusWarning
		}
		c.Detail = "not published yet according to the audit log: " + strings.Join(missing, ", ")
		c.Fix = "run the publish stage (releaser run --from publish); finalize makes the release public only after every registry has the files"
		return c
	}
	c.Status, c.Detail = StatusOK, "every registry upload is recorded as published or identical"
	return c
}

func (Finalize) Run(ctx context.Context, r *Release) (Outcome, error) {
	if !*r.Config.GitHub.Release {
		return Outcome{Summary: "no GitHub release configured"}, nil
	}
	owner, repo, _ := r.githubRepo()
	g := r.Config.GitHub
	if r.DryRun {
		return Outcome{Plan: []string{fmt.Sprintf("publish the draft release %s in %s/%s (latest: %s, prerelease: %v), then require GitHub to report it immutable with the built assets",
			or(r.Tag, r.Config.Tag()), owner, repo, g.MakeLatest, g.Prerelease)}}, nil
	}
	m, err := r.LoadManifest(ctx)
	if err != nil {
		return Outcome{}, err
	}
	c, err := r.githubClient(false)
	if err != nil {
		return Outcome{}, err
	}
	want := expectedAssets(r, m)
	rel, err := c.FindRelease(ctx, owner, repo, r.Tag)
	if err != nil {
		return Outcome{}, githubFailure("find the release "+r.Tag, err)
	}
	if rel == nil {
		return Outcome{}, fmt.Errorf("no release for %s: run the publish stage first", r.Tag)
	}
	already := !rel.Draft
	if rel.Draft {
		if diffs := assetDiffs(rel, want); len(diffs) > 0 {
			return Outcome{}, fmt.Errorf("the draft %s does not hold exactly the built files, so it was not published: %s", rel.Tag, strings.Join(diffs, "; "))
		}
		notes, err := r.releaseNotes()
		if err != nil {
			return Outcome{}, err
		}
		rel, err = c.PublishRelease(ctx, rel, github.PublishOptions{Name: r.Tag, Body: notes, Prerelease: g.Prerelease, MakeLatest: latest(g.MakeLatest, g.Prerelease)})
		if err != nil {
			return Outcome{}, githubFailure("publish the release "+r.Tag, err)
		}
		// GitHub may mark a release immutable a moment after publishing it.
		for i := 0; i < 5 && !rel.Immutable && *g.RequireImmutable; i++ {
			select {
			case <-ctx.Done():
				return Outcome{}, ctx.Err()
			case <-time.After(time.Second):
			}
			if again, err := c.GetRelease(ctx, owner, repo, rel.ID); err == nil {
				rel = again
			}
		}
	}
	// From here on the release is public: every failure must say so.
	var problems []string
	if !rel.Immutable && *g.RequireImmutable {
		problems = append(problems, "GitHub reports it mutable (immutable: false): its assets and tag can still be changed")
	}
	problems = append(problems, assetDiffs(rel, want)...)
	if m.Release.Commit != "" {
		got, err := c.TagCommit(ctx, owner, repo, r.Tag)
		switch {
		case err != nil:
			problems = append(problems, "cannot read the tag's commit: "+err.Error())
		case got != m.Release.Commit:
			problems = append(problems, fmt.Sprintf("tag %s points at %s, the artifacts were built from %s", r.Tag, short(got), short(m.Release.Commit)))
		}
	}
	assets := map[string]string{}
	for _, a := range rel.Assets {
		assets[a.Name] = a.Digest
	}
	if err := r.Record("finalize", "release.final", map[string]any{
		"id": rel.ID, "url": rel.HTMLURL, "tag": rel.Tag, "immutable": rel.Immutable, "draft": rel.Draft,
		"already_published": already, "assets": assets, "problems": problems,
	}); err != nil {
		return Outcome{}, err
	}
	r.addLink("GitHub release", rel.HTMLURL)
	r.VerifyCommands = verifyCommands(owner, repo, rel.Tag, m)
	if len(problems) > 0 {
		state := "was published by this run"
		if already {
			state = "was already published"
		}
		return Outcome{}, fmt.Errorf("RELEASE %s IS PUBLIC (%s) BUT NOT AS BUILT: %s — check the repository's immutable-releases setting and audit log, and tell your users not to trust %s until it is fixed",
			rel.Tag, state, strings.Join(problems, "; "), rel.HTMLURL)
	}
	if already {
		return Outcome{Summary: fmt.Sprintf("%s was already published and immutable with the built assets: nothing changed (%s)", rel.Tag, rel.HTMLURL)}, nil
	}
	return Outcome{Summary: fmt.Sprintf("published %s, immutable, %d assets verified (%s)", rel.Tag, len(rel.Assets), rel.HTMLURL)}, nil
}

// latest is make_latest for the publish call: GitHub refuses "true" for a
// prerelease, which is never the latest release.
func latest(makeLatest string, prerelease bool) string {
	if prerelease && makeLatest == "true" {
		return "false"
	}
	return makeLatest
}

// verifyCommands are what a downstream user runs to check the release.
func verifyCommands(owner, repo, tag string, m *artifact.Manifest) []string {
	cmds := []string{fmt.Sprintf("gh release verify %s -R %s/%s", tag, owner, repo)}
	if len(m.Artifacts) > 0 {
		a := m.Artifacts[0].Name
		cmds = append(cmds,
			fmt.Sprintf("gh release verify-asset %s %s -R %s/%s", tag, a, owner, repo),
			fmt.Sprintf("gh attestation verify %s -R %s/%s", a, owner, repo))
	}
	return cmds
}
