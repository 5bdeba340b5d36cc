package audit

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// The logs under testdata/e2e were written by the releaser binary against the
// emulators (internal/testenv), one scenario each:
//
//	whole-release        build job, then the publishing job with two approvals, all
//	                     four registries, an immutable GitHub release (all rules pass)
//	dry-run              `releaser run --dry-run` of the whole pipeline
//	not-approved         one of two required approvals: the pipeline stopped at approve
//	tampered-artifact    an artifact changed after the build: attest refused it
//	pull-request-target  the publishing job started by pull_request_target: exchange refused
//	immutable-off        published, but the repository does not make releases immutable
//	mutable-later        published immutable, then reported mutable by a later finalize
//
// whole-release-publish-job.log is the publishing job's stdout from the same run as
// whole-release.jsonl (::add-mask:: lines removed), with GitHub's BOM and timestamps.
//
// They were made with cmd/releaser's end-to-end harness (newPublishEnvWith, runBin),
// copying .releaser/audit.jsonl after each scenario; the issuer's run_id and actor
// claims were set to the run's GITHUB_RUN_ID and GITHUB_ACTOR so the tokens belong to
// the run that logged them, as on GitHub.

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "e2e", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// auditLogs reads each log into one Collector, as `releaser audit FILE...` does: a
// broken chain is reported, and the events before the break are still judged.
func auditLogs(t testing.TB, p Policy, logs map[string][]byte, order ...string) Report {
	t.Helper()
	c := NewCollector()
	var chains []ChainResult
	for _, name := range order {
		n := 0
		err := Read(bytes.NewReader(logs[name]), func(line int, e Event) error {
			n++
			c.Add(name, line, e)
			return nil
		})
		cr := ChainResult{Source: name, OK: err == nil, Events: n}
		if err != nil {
			cr.Error = err.Error()
		}
		chains = append(chains, cr)
	}
	return NewReport(c.Releases(), chains, p)
}

func statuses(r ReleaseReport) map[string]Status {
	m := map[string]Status{}
	for _, f := range r.Findings {
		m[f.Rule] = f.Status
	}
	return m
}

// TestRealPipelineLogs audits every scenario's log and checks the verdict of every rule.
func TestRealPipelineLogs(t *testing.T) {
	const P, F, N = StatusPass, StatusFail, StatusNA
	rules := RuleNames()
	tests := []struct {
		log  string
		want []Status // in RuleNames order
	}{
		{"whole-release.jsonl", []Status{P, P, P, P, P, P, P, P, P}},
		{"dry-run.jsonl", []Status{P, N, N, N, N, N, N, P, P}},
		{"not-approved.jsonl", []Status{P, N, N, N, N, N, N, P, P}},
		{"tampered-artifact.jsonl", []Status{P, N, N, N, N, N, N, P, P}},
		{"pull-request-target.jsonl", []Status{P, N, N, N, N, N, N, F, P}},
		{"immutable-off.jsonl", []Status{P, P, P, N, P, F, P, P, P}},
		{"mutable-later.jsonl", []Status{P, P, P, N, P, F, P, P, P}},
	}
	for _, tt := range tests {
		t.Run(tt.log, func(t *testing.T) {
			r := auditLogs(t, Policy{}, map[string][]byte{tt.log: readFixture(t, tt.log)}, tt.log)
			if len(r.Releases) != 1 || r.Releases[0].ID != "hello-releaser@1.2.3" || !r.Chains[0].OK {
				t.Fatalf("report: %+v", r)
			}
			got := statuses(r.Releases[0])
			failed := false
			for i, rule := range rules {
				if got[rule] != tt.want[i] {
					t.Errorf("%s: %s, want %s", rule, got[rule], tt.want[i])
				}
				failed = failed || tt.want[i] == F
			}
			if r.Failed != failed {
				t.Errorf("Failed = %v", r.Failed)
			}
			if t.Failed() {
				var b strings.Builder
				_ = r.Text(&b)
				t.Log(b.String())
			}
		})
	}
}

// TestRealPipelineLogsWithPolicy checks the whole release against the policy its
// release.toml stated, and against stricter ones.
func TestRealPipelineLogsWithPolicy(t *testing.T) {
	log := readFixture(t, "whole-release.jsonl")
	tests := []struct {
		policy Policy
		rule   string
		want   Status
	}{
		{Policy{Workflow: "release.yml", Environment: "release", RequiredApprovals: 2, RefPattern: "refs/tags/v*", AllowedEvents: []string{"push"}}, "tokens", StatusPass},
		{Policy{RequiredApprovals: 2}, "approvals", StatusPass},
		{Policy{RequiredApprovals: 3}, "approvals", StatusFail},
		{Policy{Environment: "production"}, "tokens", StatusFail},
		{Policy{AllowedEvents: []string{"release"}}, "tokens", StatusFail},
	}
	for _, tt := range tests {
		r := auditLogs(t, tt.policy, map[string][]byte{"a": log}, "a")
		if got := statuses(r.Releases[0])[tt.rule]; got != tt.want {
			t.Errorf("%+v: %s is %s, want %s", tt.policy, tt.rule, got, tt.want)
		}
	}
}

// TestHandEditedLogs edits the whole release's log the ways the issue names. Plain
// edits break the chain at the edited line; an attacker who also rewrites every hash
// after the edit keeps the chain intact, and then the rules catch the edit at its line.
func TestHandEditedLogs(t *testing.T) {
	good := readFixture(t, "whole-release.jsonl")
	lines := splitLines(good)
	events := readEvents(t, good)
	if lines[32-1] == nil || events[33-1].Type != "publish.upload" || events[22-1].Type != "approval.counted" {
		t.Fatal("the fixture changed: line numbers below are stale")
	}
	changedDigest := func(e []Event) []Event {
		e[33-1].Data = bytes.Replace(e[33-1].Data, []byte(`"sha256":"e87f`), []byte(`"sha256":"0000`), 1)
		return e
	}
	removeLine := func(n int) func(e []Event) []Event {
		return func(e []Event) []Event { return append(e[:n-1:n-1], e[n:]...) }
	}
	moveLine := func(from, to int) func(e []Event) []Event {
		return func(e []Event) []Event {
			x := e[from-1]
			e = append(e[:from-1:from-1], e[from:]...)
			return append(e[:to-1:to-1], append([]Event{x}, e[to-1:]...)...)
		}
	}
	tests := []struct {
		name      string
		log       []byte
		chainLine int    // 0: the chain holds
		chain     string // in the chain error
		rule      string // with the chain intact: the rule that fails
		evidence  string // its evidence line prefix and text
	}{
		{name: "changed digest", log: joinLines(editLine(lines, 33, `"sha256":"e87f`, `"sha256":"0000`)), chainLine: 33, chain: "hash mismatch: the line was edited"},
		{name: "removed approval line", log: joinLines(append(cloneLines(lines[:21]), lines[22:]...)), chainLine: 22, chain: "seq gap after 21"},
		{name: "reordered lines", log: joinLines(swapLines(lines, 27, 28)), chainLine: 27, chain: "seq gap after 26"},
		{name: "truncated mid-line", log: good[:len(good)-30], chainLine: 51, chain: "torn"},
		{name: "truncated at a line", log: joinLines(lines[:40]), rule: "log-complete", evidence: "whole-release.jsonl:40: the run never ended"},
		{name: "truncated before the revocation", log: joinLines(lines[:45]), rule: "crates-revoked", evidence: "whole-release.jsonl:29: crates.io token for hello-releaser never revoked"},
		{name: "changed digest, rehashed", log: rechain(t, changedDigest(events)), rule: "digests-match",
			evidence: "whole-release.jsonl:33: pypi published hello_releaser-1.2.3-py3-none-any.whl has sha256 0000"},
		{name: "removed approval line, rehashed", log: rechain(t, removeLine(22)(readEvents(t, good))), rule: "approvals",
			evidence: "whole-release.jsonl:23: 1 distinct approval(s) (alice) recorded for run 4242, 2 required"},
		{name: "upload moved before the exchange, rehashed", log: rechain(t, moveLine(33, 27)(readEvents(t, good))), rule: "stages-in-order",
			evidence: "whole-release.jsonl:27: publish.upload outside the publish stage (open stage: exchange)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := auditLogs(t, Policy{}, map[string][]byte{"whole-release.jsonl": tt.log}, "whole-release.jsonl")
			c := r.Chains[0]
			if tt.chainLine != 0 {
				var ce *ChainError
				err := Read(bytes.NewReader(tt.log), func(int, Event) error { return nil })
				if !errors.As(err, &ce) || ce.Line != tt.chainLine || !strings.Contains(ce.Reason, tt.chain) || c.OK || c.Events != tt.chainLine-1 {
					t.Fatalf("chain: %v (%+v), want line %d %q", err, c, tt.chainLine, tt.chain)
				}
				if !r.Failed {
					t.Error("a broken chain did not fail the report")
				}
				return
			}
			if !c.OK {
				t.Fatalf("chain: %+v", c)
			}
			for _, f := range r.Releases[0].Findings {
				if f.Rule != tt.rule {
					continue
				}
				if f.Status != StatusFail || !containsPrefix(f.Evidence, tt.evidence) {
					t.Fatalf("%s: %s\n%s", f.Rule, f.Status, strings.Join(f.Evidence, "\n"))
				}
				return
			}
			t.Fatalf("no finding %s", tt.rule)
		})
	}
}

func containsPrefix(lines []string, prefix string) bool {
	for _, l := range lines {
		if strings.HasPrefix(l, prefix) {
			return true
		}
	}
	return false
}

func editLine(lines [][]byte, n int, old, repl string) [][]byte {
	l := cloneLines(lines)
	l[n-1] = bytes.Replace(l[n-1], []byte(old), []byte(repl), 1)
	return l
}

func swapLines(lines [][]byte, a, b int) [][]byte {
	l := cloneLines(lines)
	l[a-1], l[b-1] = l[b-1], l[a-1]
	return l
}

func readEvents(t testing.TB, log []byte) []Event {
	t.Helper()
	var out []Event
	if err := Read(bytes.NewReader(log), func(_ int, e Event) error { out = append(out, e); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

// rechain writes events as a fresh, valid chain (seq 1…n, prev linked, hashes
// recomputed), as an attacker who knows the format can.
func rechain(t testing.TB, events []Event) []byte {
	t.Helper()
	var b bytes.Buffer
	prev := ""
	for i, e := range events {
		e.Seq, e.Prev = int64(i+1), prev
		line, hash, err := encodeLine(e)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(line)
		b.WriteByte('\n')
		prev = hash
	}
	return b.Bytes()
}

// TestRunLogSource reads the publishing job's run log the way the GitHub source does:
// ExtractLine on each line, the chain continued from the build job's last line. With
// the build job's part of the file it proves the same release; given the whole file
// too, the publishing run is recognised as the same run and kept once.
func TestRunLogSource(t *testing.T) {
	file := readFixture(t, "whole-release.jsonl")
	fileLines := splitLines(file)
	build := joinLines(fileLines[:11])
	sum, err := Verify(bytes.NewReader(build))
	if err != nil {
		t.Fatal(err)
	}

	const source = "run 4242 job publish"
	jobLog := readFixture(t, "whole-release-publish-job.log")
	addJobLog := func(c *Collector) (int, error) {
		chain := ContinueChain(sum.LastSeq, sum.LastHash)
		sc := bufio.NewScanner(bytes.NewReader(jobLog))
		n, found := 0, 0
		for sc.Scan() {
			n++
			line, ok := ExtractLine(sc.Text())
			if !ok {
				continue
			}
			e, err := chain.Next([]byte(line))
			if err != nil {
				return found, err
			}
			found++
			c.Add(source, n, e)
		}
		return found, sc.Err()
	}

	c := collect(t, "build.jsonl", build)
	found, err := addJobLog(c)
	if err != nil || found != 40 {
		t.Fatalf("run log: %d events, %v", found, err)
	}
	rels := c.Releases()
	if len(rels) != 1 || len(rels[0].Runs) != 2 || rels[0].Runs[1].Source != source {
		t.Fatalf("releases: %+v", rels)
	}
	for _, f := range Evaluate(rels[0], Policy{}) {
		if f.Status != StatusPass {
			t.Errorf("%s: %s %v", f.Rule, f.Status, f.Evidence)
		}
		if f.Rule == "approvals" && (len(f.Evidence) != 1 || !strings.HasPrefix(f.Evidence[0], source+":32: run 4242: 2 distinct")) {
			t.Errorf("approval evidence does not point into the run log: %v", f.Evidence)
		}
	}

	// The file and the run log together: the publishing run is there twice.
	c = collect(t, "whole-release.jsonl", file)
	if _, err := addJobLog(c); err != nil {
		t.Fatal(err)
	}
	rels = c.Releases()
	if len(rels) != 1 || len(rels[0].Runs) != 2 {
		t.Fatalf("%d releases, %d runs: the mirrored run was not recognised", len(rels), len(rels[0].Runs))
	}
}

// TestReportGolden pins the three output formats on real logs: a passing release, a
// failing one, and a broken chain.
func TestReportGolden(t *testing.T) {
	whole := readFixture(t, "whole-release.jsonl")
	tampered := joinLines(editLine(splitLines(whole), 33, `"sha256":"e87f`, `"sha256":"0000`))
	tests := []struct {
		name  string
		logs  map[string][]byte
		order []string
	}{
		{"whole-release", map[string][]byte{"whole-release.jsonl": whole}, []string{"whole-release.jsonl"}},
		{"mutable-later", map[string][]byte{"mutable-later.jsonl": readFixture(t, "mutable-later.jsonl")}, []string{"mutable-later.jsonl"}},
		{"broken-chain", map[string][]byte{"edited.jsonl": tampered, "dry-run.jsonl": readFixture(t, "dry-run.jsonl")}, []string{"edited.jsonl", "dry-run.jsonl"}},
	}
	for _, tt := range tests {
		r := auditLogs(t, Policy{}, tt.logs, tt.order...)
		for _, f := range []struct {
			ext   string
			write func(r Report, b *bytes.Buffer) error
		}{
			{"txt", func(r Report, b *bytes.Buffer) error { return r.Text(b) }},
			{"md", func(r Report, b *bytes.Buffer) error { return r.Markdown(b) }},
			{"json", func(r Report, b *bytes.Buffer) error { return r.JSON(b) }},
		} {
			t.Run(tt.name+"."+f.ext, func(t *testing.T) {
				var b bytes.Buffer
				if err := f.write(r, &b); err != nil {
					t.Fatal(err)
				}
				golden(t, filepath.Join("testdata", "golden", tt.name+"."+f.ext), b.Bytes())
			})
		}
	}
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output (go test -update rewrites it):\n%s", path, got)
	}
}
