//go:build releaserbench

// Package benchkit is what the benchmark harnesses share: running a client
// under GNU time, keeping its raw output in BENCH_DIR, and writing a section
// of bench/RESULTS.md plus rows of its Targets table. Build tag
// releaserbench: never part of the test suite.
package benchkit

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Env is a variable bench/run sets; the harness cannot run without it.
func Env(t testing.TB, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		t.Fatalf("%s is not set: run the benchmarks through bench/run", name)
	}
	return v
}

// EnvInt is Env as a positive integer.
func EnvInt(t testing.TB, name string) int {
	t.Helper()
	n, err := strconv.Atoi(Env(t, name))
	if err != nil || n <= 0 {
		t.Fatalf("%s=%q is not a positive integer", name, os.Getenv(name))
	}
	return n
}

// RawDir is where each measurement's raw output is kept (BENCH_DIR/raw).
func RawDir(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(Env(t, "BENCH_DIR"), "raw")
	Must(t, os.MkdirAll(dir, 0o755))
	return dir
}

// Section writes md as this harness's part of RESULTS.md (BENCH_OUT).
func Section(t testing.TB, md string) {
	t.Helper()
	Must(t, os.WriteFile(Env(t, "BENCH_OUT"), []byte(md), 0o644))
}

// Target adds a row to the Targets table (BENCH_TARGETS, one tab-separated
// line per row: group, target, figure, verdict); bench/run sorts the rows
// by group, keeping each group's rows in the order they came.
func Target(t testing.TB, group, target, figure string, met bool) {
	t.Helper()
	verdict := "not met"
	if met {
		verdict = "met"
	}
	f, err := os.OpenFile(Env(t, "BENCH_TARGETS"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	Must(t, err)
	defer f.Close()
	for _, s := range []string{group, target, figure} {
		if strings.ContainsAny(s, "\t\n") {
			t.Fatalf("target row field %q has a tab or newline", s)
		}
	}
	_, err = fmt.Fprintf(f, "%s\t%s\t%s\t%s\n", group, target, figure, verdict)
	Must(t, err)
}

// RSSLimitKiB is the memory target of every releaser row: 64 MiB whatever
// the artifact size.
const RSSLimitKiB = 64 << 10

// RSSTarget adds the peak-RSS row of one releaser measurement.
func RSSTarget(t testing.TB, row string, kib int64) {
	t.Helper()
	Target(t, "2-rss", "peak RSS ≤ 64 MiB: "+row, fmt.Sprintf("%.1f MiB", float64(kib)/1024), kib <= RSSLimitKiB)
}

// MiB is bytes in MiB.
func MiB(bytes int64) float64 { return float64(bytes) / (1 << 20) }

// Must fails the test on err.
func Must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// CopyFile copies src to dst (small files: the audit logs kept as raw
// output).
func CopyFile(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, b, 0o644)
}
