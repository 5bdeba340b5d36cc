//go:build releaserbench

// Package audit measures `releaser audit` on a generated corpus of release
// logs. It runs only through bench/audit.sh (build tag releaserbench).
package audit

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/releaserhq/releaser/internal/audit"
)

// TestAuditBench writes BENCH_RELEASES releases, each a replay of a real
// publishing run's events (internal/audit/testdata/e2e), 100 releases per
// log file, then times releaser audit over the directory.
func TestAuditBench(t *testing.T) {
	n, err := strconv.Atoi(os.Getenv("BENCH_RELEASES"))
	if err != nil || n <= 0 {
		t.Fatalf("BENCH_RELEASES=%q", os.Getenv("BENCH_RELEASES"))
	}
	dir := filepath.Join(os.Getenv("BENCH_CORPUS_DIR"), fmt.Sprintf("audit-corpus-%d", n))
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
	cmd := exec.Command("/usr/bin/time", "-v", os.Getenv("RELEASER"), "audit", "--json", "--config", "/nonexistent", dir)
	out, _ := cmd.CombinedOutput() // exit 1 is expected: the replayed runs break rules (same run ids)
	s := string(out)
	var wall float64
	if m := regexp.MustCompile(`Elapsed \(wall clock\) time.*: (\S+)`).FindStringSubmatch(s); m != nil {
		for _, part := range strings.Split(m[1], ":") {
			v, _ := strconv.ParseFloat(part, 64)
			wall = wall*60 + v
		}
	}
	var rss int64
	if m := regexp.MustCompile(`Maximum resident set size \(kbytes\): (\d+)`).FindStringSubmatch(s); m != nil {
		rss, _ = strconv.ParseInt(m[1], 10, 64)
	}
	releases := strings.Count(s, `"id": "bench`)
	if wall == 0 || releases != n {
		t.Fatalf("audit judged %d releases of %d (wall %.2f):\n%.2000s", releases, n, wall, s)
	}
	mib := float64(total) / (1 << 20)
	table := fmt.Sprintf("### Audit throughput\n\n%d releases (%d events each, replayed from a real publishing run), %d log files, %.0f MiB; `releaser audit --json DIR`: chain verification of every line, then every rule for every release.\n\n| releases | log MiB | wall s | MiB/s | releases/s | peak RSS KiB |\n|---:|---:|---:|---:|---:|---:|\n| %d | %.0f | %.2f | %.1f | %.0f | %d |\n",
		n, eventsPer, len(files), mib, n, mib, wall, mib/wall, float64(n)/wall, rss)
	if err := os.WriteFile(os.Getenv("BENCH_OUT"), []byte(table), 0o644); err != nil {
		t.Fatal(err)
	}
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
