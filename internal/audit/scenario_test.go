package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// step is one line of a synthetic log. A step with a run identity (newRun) closes the
// log and reopens it with that identity, as a new job appending to the same file would.
type step struct {
	newRun *RunIdentity
	stage  string
	typ    string
	data   map[string]any
}

type obj = map[string]any

func ev(stage, typ string, data obj) step { return step{stage: stage, typ: typ, data: data} }

func runStart(id RunIdentity, dry bool, tag string, stages ...string) step {
	s := ev("", "run.start", obj{"dry_run": dry, "stages": stages, "tag": tag, "commit": "c0ffee", "config": "release.toml"})
	s.newRun = &id
	return s
}

func stageRun(stage string, result string, events ...step) []step {
	out := []step{ev(stage, "stage.checks", obj{"checks": []obj{{"name": "ok", "status": "ok"}}})}
	out = append(out, events...)
	return append(out, ev(stage, "stage.end", obj{"result": result}))
}

const (
	tarName    = "demo-1.0.0.tar.gz"
	crateName  = "demo-1.0.0.crate"
	bundleName = "demo-1.0.0.sigstore.json"
)

var (
	tarSum    = strings.Repeat("a1", 32)
	crateSum  = strings.Repeat("b2", 32)
	bundleSum = strings.Repeat("c3", 32)
)

// sumsDigest is SHA256SUMS for the two artifacts, computed here independently of the
// package's own sumsOf.
func sumsDigest() string {
	s := sha256.Sum256([]byte(crateSum + "  " + crateName + "\n" + tarSum + "  " + tarName + "\n"))
	return hex.EncodeToString(s[:])
}

var (
	laptop = RunIdentity{Local: true}
	ciRun  = RunIdentity{Repository: "acme/demo", RunID: "77", RunAttempt: "1", Job: "publish",
		WorkflowRef: "acme/demo/.github/workflows/release.yml@refs/tags/v1.0.0", Actor: "carol",
		EventName: "push", Ref: "refs/tags/v1.0.0", SHA: "c0ffee", RunnerEnvironment: "github-hosted"}
)

func claims() obj {
	return obj{"iss": "https://token.actions.githubusercontent.com", "jti": "j", "sub": "repo:acme/demo:environment:release",
		"repository": "acme/demo", "repository_id": "1", "repository_owner_id": "2",
		"workflow_ref": ciRun.WorkflowRef, "job_workflow_ref": ciRun.WorkflowRef, "environment": "release",
		"ref": "refs/tags/v1.0.0", "sha": "c0ffee", "event_name": "push", "runner_environment": "github-hosted",
		"run_id": "77", "run_attempt": "1", "actor": "carol"}
}

func minted(registry, claim string) step {
	return ev("exchange", "token.minted", obj{"registry": registry, "package": "demo", "endpoint": "https://x/mint",
		"audience": registry, "expires": "2026-11-25T11:00:00Z", "expiry_estimated": false, "attempts": 1,
		"workflow_claim": claim, "claims": claims()})
}

// happyRelease is a complete, rule-abiding release of demo@1.0.0: a build on a laptop,
// then the publishing job with two approvals, tokens for PyPI and crates.io, uploads, a
// GitHub release finalized immutable, and the crates.io token revoked.
func happyRelease() []step {
	s := []step{runStart(laptop, false, "v1.0.0", "build")}
	s = append(s, stageRun("build", "done",
		ev("build", "build.command", obj{"argv": []string{"make"}, "exit_code": 0}),
		ev("build", "artifact", obj{"name": tarName, "path": tarName, "size": 10, "kind": "sdist", "digests": obj{"sha256": tarSum}}),
		ev("build", "artifact", obj{"name": crateName, "path": crateName, "size": 20, "kind": "crate", "digests": obj{"sha256": crateSum}}),
		ev("build", "manifest.written", obj{"path": "dist/releaser-manifest.json", "artifacts": 2}))...)
	s = append(s, ev("", "run.end", obj{"exit_code": 0}))
	s = append(s, runStart(ciRun, false, "v1.0.0", "attest", "approve", "exchange", "publish", "finalize"))
	s = append(s, stageRun("attest", "done",
		ev("attest", "attest.bundle", obj{"file": bundleName, "sha256": bundleSum, "subjects": []string{crateName, tarName}, "local": false, "transparency": "rekor"}))...)
	s = append(s, stageRun("approve", "done",
		ev("approve", "approval.counted", obj{"login": "alice", "id": 1, "environments": []string{"release"}, "comment": "ok", "run_id": 77, "run_attempt": 1}),
		ev("approve", "approval.counted", obj{"login": "bob", "id": 2, "environments": []string{"release"}, "comment": "ok", "run_id": 77, "run_attempt": 1}),
		ev("approve", "approval.result", obj{"required": 2, "counted": 2, "approvers": []string{"alice", "bob"}, "excluded": []string{"carol"},
			"environments": []string{"release"}, "approved": true, "run_id": 77}))...)
	s = append(s, stageRun("exchange", "done", minted("pypi", "job_workflow_ref"), minted("crates", "workflow_ref"))...)
	s = append(s, stageRun("publish", "done",
		ev("publish", "publish.upload", obj{"registry": "pypi", "package": "demo", "artifact": tarName, "sha256": tarSum, "size": 10, "outcome": "published", "url": "https://pypi/demo"}),
		ev("publish", "publish.upload", obj{"registry": "crates", "package": "demo", "artifact": crateName, "sha256": crateSum, "size": 20, "outcome": "published", "url": "https://crates/demo"}),
		ev("publish", "publish.release", obj{"tag": "v1.0.0", "id": 9, "draft": true, "url": "https://github/acme/demo/releases/9"}),
		ev("publish", "publish.asset", obj{"release": "v1.0.0", "asset": crateName, "sha256": crateSum, "size": 20, "outcome": "uploaded", "url": "u"}),
		ev("publish", "publish.asset", obj{"release": "v1.0.0", "asset": tarName, "sha256": tarSum, "size": 10, "outcome": "uploaded", "url": "u"}),
		ev("publish", "publish.asset", obj{"release": "v1.0.0", "asset": "SHA256SUMS", "sha256": sumsDigest(), "size": 170, "outcome": "uploaded", "url": "u"}),
		ev("publish", "publish.asset", obj{"release": "v1.0.0", "asset": bundleName, "sha256": bundleSum, "size": 900, "outcome": "uploaded", "url": "u"}))...)
	s = append(s, stageRun("finalize", "done",
		ev("finalize", "release.final", obj{"id": 9, "url": "https://github/acme/demo/releases/tag/v1.0.0", "tag": "v1.0.0",
			"immutable": true, "draft": false, "already_published": false, "problems": nil,
			"assets": obj{crateName: "sha256:" + crateSum, tarName: "sha256:" + tarSum, "SHA256SUMS": "sha256:" + sumsDigest(), bundleName: "sha256:" + bundleSum}}))...)
	s = append(s, ev("exchange", "token.revoke", obj{"registry": "crates", "package": "demo", "revoked": true}))
	return append(s, ev("", "run.end", obj{"exit_code": 0}))
}

// find returns the index of the nth (0-based) step of type typ.
func find(t testing.TB, s []step, typ string, nth int) int {
	t.Helper()
	left := nth
	for i := range s {
		if s[i].typ == typ {
			if left == 0 {
				return i
			}
			left--
		}
	}
	t.Fatalf("no %s #%d in the scenario", typ, nth)
	return -1
}

// writeSteps writes the steps as a real log through Open/Append and returns its bytes.
func writeSteps(t testing.TB, steps []step) []byte {
	t.Helper()
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	var l *Log
	clock := stepClock()
	for _, s := range steps {
		if s.newRun != nil {
			if l != nil {
				if err := l.Close(); err != nil {
					t.Fatal(err)
				}
			}
			var err error
			l, err = Open(path, Options{Run: *s.newRun, Release: "demo@1.0.0", Now: clock})
			if err != nil {
				t.Fatal(err)
			}
		}
		if l == nil {
			t.Fatal("scenario does not start with a run")
		}
		var data any
		if s.data != nil {
			data = s.data
		}
		if _, err := l.Append(s.stage, s.typ, data); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// collect reads a log through Read into a fresh Collector under the name source.
func collect(t testing.TB, source string, log []byte) *Collector {
	t.Helper()
	c := NewCollector()
	if err := Read(bytes.NewReader(log), func(line int, e Event) error {
		c.Add(source, line, e)
		return nil
	}); err != nil {
		t.Fatalf("read %s: %v", source, err)
	}
	return c
}

// evaluate writes and reads the scenario and returns the findings of its one release
// by rule name.
func evaluate(t testing.TB, steps []step, p Policy) map[string]Finding {
	t.Helper()
	rels := collect(t, "audit.jsonl", writeSteps(t, steps)).Releases()
	if len(rels) != 1 {
		t.Fatalf("%d releases, want 1", len(rels))
	}
	out := map[string]Finding{}
	for _, f := range Evaluate(rels[0], p) {
		out[f.Rule] = f
	}
	return out
}

func at(line int) string { return fmt.Sprintf("audit.jsonl:%d: ", line) }
