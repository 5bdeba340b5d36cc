package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/releaserhq/releaser/internal/audit"
	"github.com/releaserhq/releaser/internal/github"
	"github.com/releaserhq/releaser/internal/testenv"
)

// finalizeEnv is a publishEnv whose repository has the release tag on the
// built commit and, unless off, immutable releases turned on.
func newFinalizeEnv(t *testing.T, immutable bool) *publishEnv {
	t.Helper()
	e := newPublishEnv(t)
	e.gh.SetImmutableReleases("octo-org", "octo-repo", immutable)
	e.gh.AddTag("octo-org", "octo-repo", "v1.2.3", gitRun(t, e.p.dir, "rev-parse", "HEAD"), true)
	e.build(e.p)
	return e
}

func (e *publishEnv) finalize(args ...string) result {
	e.t.Helper()
	if len(args) == 0 {
		args = []string{"run", "--from", "attest", "--to", "finalize"}
	}
	res := runBin(e.t, e.p.dir, e.env(), args...)
	e.scan(e.p, res)
	return res
}

func (e *publishEnv) release() testenv.EmuRelease {
	e.t.Helper()
	rels := e.gh.Releases("octo-org", "octo-repo")
	if len(rels) != 1 {
		e.t.Fatalf("%d releases", len(rels))
	}
	return rels[0]
}

func TestFinalizeE2E(t *testing.T) {
	e := newFinalizeEnv(t, true)
	res := e.finalize()
	if res.code != 0 {
		t.Fatalf("exit %d\n%s", res.code, brief(res))
	}
	rel := e.release()
	if rel.Draft || !rel.Immutable {
		t.Fatalf("release after finalize: %+v", rel)
	}
	for _, s := range []string{"published v1.2.3, immutable, 7 assets verified", "GitHub release: ", "gh release verify v1.2.3 -R octo-org/octo-repo",
		"gh attestation verify", "PyPI: "} {
		if !strings.Contains(res.stdout, s) {
			t.Errorf("output does not say %q:\n%s", s, brief(res))
		}
	}
	final := strings.Count(e.p.read(".releaser/audit.jsonl"), `"type":"release.final"`)
	if final != 1 || !strings.Contains(e.p.read(".releaser/audit.jsonl"), `"immutable":true`) {
		t.Errorf("audit log has %d release.final events", final)
	}

	// A re-run on the final release changes nothing and succeeds.
	uploads := e.uploads()
	res = e.finalize()
	if res.code != 0 || !strings.Contains(res.stdout, "was already published and immutable with the built assets: nothing changed") {
		t.Fatalf("re-run: exit %d\n%s", res.code, brief(res))
	}
	if e.uploads() != uploads {
		t.Errorf("re-run uploaded: %s → %s", uploads, e.uploads())
	}

	// GitHub refuses changes to the published release.
	c, err := github.New(e.gh.APIURL(), e.gh.Token(), nil, "test")
	if err != nil {
		t.Fatal(err)
	}
	extra := filepath.Join(t.TempDir(), "extra.txt")
	if err := os.WriteFile(extra, []byte("late addition"), 0o644); err != nil {
		t.Fatal(err)
	}
	ghRel, err := c.FindRelease(context.Background(), "octo-org", "octo-repo", "v1.2.3")
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = c.EnsureAsset(context.Background(), ghRel, "extra.txt", extra, 13, "e9c0d5b52f11b7e5b3d0d8c1d1b1d1e1e0c0d5b52f11b7e5b3d0d8c1d1b1d1e1", nil)
	if err == nil || !github.IsImmutableRefusal(err) {
		t.Errorf("adding an asset to the immutable release: %v", err)
	}

	// The same release reported mutable later: a loud failure.
	e.gh.ForceMutable("octo-org", "octo-repo", "v1.2.3")
	res = e.finalize("run", "--only", "finalize")
	if res.code != 1 || !strings.Contains(res.all(), "already published but mutable") {
		t.Errorf("mutable published release: exit %d\n%s", res.code, brief(res))
	}
}

func TestFinalizeRefusals(t *testing.T) {
	t.Run("immutable releases off", func(t *testing.T) {
		e := newFinalizeEnv(t, false)
		res := e.finalize()
		if res.code != 1 || !strings.Contains(res.all(), "does not make published releases immutable") ||
			!strings.Contains(res.all(), "gh api -X PUT repos/octo-org/octo-repo/immutable-releases") {
			t.Fatalf("exit %d\n%s", res.code, brief(res))
		}
		if !e.release().Draft {
			t.Errorf("the release was published")
		}
	})
	t.Run("extra asset on the draft", func(t *testing.T) {
		e := newFinalizeEnv(t, true)
		if res := e.publish(e.p); res.code != 0 {
			t.Fatalf("publish: exit %d\n%s", res.code, brief(res))
		}
		e.gh.AddAsset("octo-org", "octo-repo", e.release().ID, "notes.txt", []byte("who put this here"), false)
		res := e.finalize("run", "--only", "finalize")
		if res.code != 1 || !strings.Contains(res.all(), "notes.txt is on the release but was not built") {
			t.Fatalf("exit %d\n%s", res.code, brief(res))
		}
		if !e.release().Draft {
			t.Errorf("the release was published")
		}
	})
	t.Run("missing asset on the draft", func(t *testing.T) {
		e := newFinalizeEnv(t, true)
		id := e.gh.AddRelease("octo-org", "octo-repo", "v1.2.3", true)
		e.gh.AddAsset("octo-org", "octo-repo", id, "SHA256SUMS", []byte("x"), false)
		res := e.finalize("run", "--only", "finalize")
		if res.code != 1 || !strings.Contains(res.all(), "hello-releaser-1.2.3.gem is missing from the release") ||
			!strings.Contains(res.all(), "not published yet according to the audit log") {
			t.Fatalf("exit %d\n%s", res.code, brief(res))
		}
	})
}

// TestWholeRelease runs the publishing job of the README's workflow —
// `releaser run --from attest` — with two required approvals: provenance,
// approvals, token exchange, uploads everywhere, the immutable release.
func TestWholeRelease(t *testing.T) {
	e := newPublishEnvWith(t, func(e *publishEnv) string {
		for _, name := range []string{"gate-1", "gate-2", "release"} {
			e.gh.AddEnvironment("octo-org", "octo-repo", goodEmuEnv(name))
		}
		e.gh.AddRuleset("octo-org", "octo-repo", testenv.EmuRuleset{Name: "release tags", Target: "tag", Enforcement: "active",
			Include: []string{"refs/tags/v*"}, Rules: []string{"update", "deletion"}, Source: "Repository"})
		e.gh.AddRun("octo-org", "octo-repo", runID, "carol", "carol", 1)
		e.gh.Approve("octo-org", "octo-repo", runID, "alice", 1, "ok", "gate-1")
		e.gh.Approve("octo-org", "octo-repo", runID, "bob", 2, "ok", "gate-2")
		e.gh.SetImmutableReleases("octo-org", "octo-repo", true)
		return `
[approval]
required = 2
environments = ["gate-1", "gate-2", "release"]
reviewers = ["@octo-org/release-team"]
poll_interval = "50ms"
`
	})
	e.gh.AddTag("octo-org", "octo-repo", "v1.2.3", gitRun(t, e.p.dir, "rev-parse", "HEAD"), true)
	// The job's ID tokens and its environment agree on the run (the audit
	// checks that tokens were minted for the run that logged them).
	e.is.Set("run_id", fmt.Sprint(runID))
	e.is.Set("actor", "carol")
	env := e.env()
	build := runBin(t, e.p.dir, env, "run", "--to", "build")
	if build.code != 0 {
		t.Fatalf("build job: exit %d\n%s", build.code, brief(build))
	}
	res := runBin(t, e.p.dir, env, "run", "--from", "attest")
	e.scan(e.p, res)
	if res.code != 0 {
		t.Fatalf("exit %d\n%s", res.code, brief(res))
	}
	for _, s := range []string{"approved by alice, bob", "short-lived tokens for PyPI", "published v1.2.3, immutable, 7 assets verified"} {
		if !strings.Contains(res.stdout, s) {
			t.Errorf("output does not say %q:\n%s", s, brief(res))
		}
	}
	e.final = true
	e.assertPublished(e.p)
	if rel := e.release(); rel.Draft || !rel.Immutable {
		t.Errorf("release: %+v", rel)
	}
	if _, err := audit.VerifyFile(e.p.path(".releaser/audit.jsonl")); err != nil {
		t.Errorf("audit chain: %v", err)
	}

	// The audit of this release, from its log file: every rule holds.
	aud := runBin(t, e.p.dir, nil, "audit", "--json", ".releaser/audit.jsonl")
	if aud.code != 0 {
		t.Fatalf("audit: exit %d\n%s", aud.code, aud.all())
	}
	for _, rule := range []string{"approvals", "tokens", "immutable", "crates-revoked", "digests-match", "attested"} {
		if !strings.Contains(aud.stdout, `"`+rule+`"`) {
			t.Errorf("audit JSON lacks rule %s", rule)
		}
	}
	if strings.Contains(aud.stdout, `"status": "fail"`) {
		t.Errorf("a rule failed:\n%s", aud.stdout)
	}

	// The same from the logs GitHub keeps: the job log carries the mirrored lines.
	mirrored := func(out string) []string {
		var lines []string
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, "[releaser-audit] ") {
				lines = append(lines, l)
			}
		}
		return lines
	}
	e.gh.AddWorkflowRun("octo-org", "octo-repo", "release.yml", testenv.EmuWorkflowRun{ID: runID, Event: "push", HeadBranch: "v1.2.3"},
		map[string][]string{"build": mirrored(build.stdout), "publish": mirrored(res.stdout)})
	e.gh.AddWorkflowRun("octo-org", "octo-repo", "release.yml", testenv.EmuWorkflowRun{ID: 4000, Event: "push"}, map[string][]string{"publish": {"old"}})
	e.gh.ExpireLogs("octo-org", "octo-repo", 4000)
	ghEnv := []string{"GITHUB_TOKEN=" + e.gh.Token(), "GITHUB_API_URL=" + e.gh.APIURL()}
	aud = runBin(t, e.p.dir, ghEnv, "audit", "--repo", "octo-org/octo-repo")
	if aud.code != 0 || !strings.Contains(aud.stdout, "hello-releaser@1.2.3") || !strings.Contains(aud.stdout, "logs expired") {
		t.Errorf("audit --repo: exit %d\n%s", aud.code, aud.all())
	}

	// --live: what the registries and the release serve today is what was published...
	aud = runBin(t, e.p.dir, ghEnv, "audit", "--live", "--json", ".releaser/audit.jsonl")
	if aud.code != 0 || !strings.Contains(aud.stdout, `"rule": "live"`) ||
		!strings.Contains(aud.stdout, "provenance of hello-releaser-1.2.3.gem verifies") ||
		!strings.Contains(aud.stdout, "RubyGems serves hello-releaser-1.2.3.gem as published") {
		t.Fatalf("audit --live: exit %d\n%s", aud.code, aud.all())
	}
	// ...until a file turns up on the release after the fact.
	e.gh.AddAsset("octo-org", "octo-repo", e.release().ID, "late.txt", []byte("added after the release"), false)
	aud = runBin(t, e.p.dir, ghEnv, "audit", "--live", ".releaser/audit.jsonl")
	if aud.code != 1 || !strings.Contains(aud.stdout, "late.txt, which was not published by releaser") {
		t.Errorf("audit --live after a late asset: exit %d\n%s", aud.code, aud.all())
	}

	// A hand-edited log: the changed line is named.
	log := e.p.read(".releaser/audit.jsonl")
	edited := strings.Replace(log, `"outcome":"published"`, `"outcome":"already_published"`, 1)
	e.p.write("edited.jsonl", edited)
	aud = runBin(t, e.p.dir, nil, "audit", "edited.jsonl")
	want := 1 + strings.Count(log[:strings.Index(log, `"outcome":"published"`)], "\n")
	if aud.code != 1 || !strings.Contains(aud.all(), fmt.Sprintf("line %d", want)) {
		t.Errorf("edited log: exit %d, want line %d named\n%s", aud.code, want, aud.all())
	}
}
