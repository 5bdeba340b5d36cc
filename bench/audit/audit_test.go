//go:build releaserbench

// Package audit measures `releaser audit` on a generated corpus of release
// logs. It runs only through bench/audit.sh (build tag releaserbench).
package audit

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/releaserhq/releaser/bench/benchkit"
	"github.com/releaserhq/releaser/internal/audit"
)

// TestAuditBench writes BENCH_RELEASES releases, each a replay of a real
// publishing run's events (internal/audit/testdata/e2e), 100 releases per
// log file, then times releaser audit over the directory.
func TestAuditBench(t *testing.T) {
	n := benchkit.EnvInt(t, "BENCH_RELEASES")
	dir := filepath.Join(benchkit.Env(t, "BENCH_CORPUS_DIR"), fmt.Sprintf("audit-corpus-%d", n))
	tmpl := template(t)
	eventsPer := len(tmpl)
	if _, err := os.Stat(filepath.Join(dir, "done")); err != nil {
		generate(t, dir, n, tmpl)
	}
	var total int64
	files, _ := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	for _, f := range files {
		fi, _ := os.Stat(f)
		total += fi.Size()
	}
	cmd := exec.Command(benchkit.Env(t, "RELEASER"), "audit", "--json", "--config", "/nonexistent", dir)
	cmd.Env = benchkit.Environ(nil)
	// Exit 1 is expected: the replayed runs break rules (same run ids).
	m := benchkit.Timed(t, "audit", cmd, 1)
	releases := strings.Count(string(m.Stdout), `"id": "bench`)
	if releases != n {
		t.Fatalf("audit judged %d releases of %d:\n%s", releases, n, benchkit.Tail(m.Stdout, m.Stderr))
	}
	mib, mb := benchkit.MiB(total), float64(total)/1e6
	benchkit.Target(t, "5-audit", "audit ≥ 100 MB/s of log input", fmt.Sprintf("%.1f MB/s (%.0f MB in %.1f s)", mb/m.Wall, mb, m.Wall), mb/m.Wall >= 100)
	benchkit.RSSTarget(t, fmt.Sprintf("audit of %d releases (%.0f MiB of logs)", n, mib), m.RSSKiB)
	benchkit.Section(t, fmt.Sprintf("### Audit throughput\n\n%d releases (%d events each, replayed from a real publishing run), %d log files, %.0f MiB; "+
		"`releaser audit --json DIR`: chain verification of every line, then every rule for every release.\n\n"+
		"| releases | log MiB | wall s | CPU s | MB/s | MiB/s | releases/s | peak RSS KiB |\n|---:|---:|---:|---:|---:|---:|---:|---:|\n"+
		"| %d | %.0f | %.2f | %.2f | %.1f | %.1f | %.0f | %d |\n",
		n, eventsPer, len(files), mib, n, mib, m.Wall, m.CPU, mb/m.Wall, mib/m.Wall, float64(n)/m.Wall, m.RSSKiB))
}

// template is a real publishing run's events.
func template(t *testing.T) []audit.Event {
	t.Helper()
	f, err := os.Open("../../internal/audit/testdata/e2e/mutable-later.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var tmpl []audit.Event
	if err := audit.Read(f, func(_ int, e audit.Event) error { tmpl = append(tmpl, e); return nil }); err != nil {
		t.Fatal(err)
	}
	return tmpl
}

func generate(t *testing.T, dir string, n int, tmpl []audit.Event) {
	t.Helper()
	os.RemoveAll(dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var err error
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var l *audit.Log
	for i := 0; i < n; i++ {
		if i%100 == 0 {
			if l != nil {
				l.Close()
			}
			now := start.Add(time.Duration(i) * time.Minute)
			l, err = audit.Open(filepath.Join(dir, fmt.Sprintf("log-%05d.jsonl", i/100)), audit.Options{Run: tmpl[0].Run, Now: func() time.Time { return now }})
			if err != nil {
				t.Fatal(err)
			}
		}
		l.SetRelease(fmt.Sprintf("bench%05d@1.0.0", i))
		for _, e := range tmpl {
			if _, err := l.Append(e.Stage, e.Type, e.Data); err != nil {
				t.Fatal(err)
			}
		}
	}
	l.Close()
	if err := os.WriteFile(filepath.Join(dir, "done"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
}
