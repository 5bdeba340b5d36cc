//go:build releaserbench

package benchkit

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Measure is one run of a client under GNU time.
type Measure struct {
	Wall float64 // seconds, measured here (GNU time's has 10 ms steps)
	// CPU is user + system seconds: on a shared machine it says how much
	// work the run did when the wall time says mostly how long it waited.
	CPU    float64
	RSSKiB int64 // peak resident set size
	Exit   int
	Stdout []byte
	Stderr []byte
}

var (
	rssRE = regexp.MustCompile(`Maximum resident set size \(kbytes\): (\d+)`)
	cpuRE = regexp.MustCompile(`(?m)^\s*(?:User|System) time \(seconds\): ([0-9.]+)`)
)

// Timed runs cmd under /usr/bin/time -v and keeps its stdout, stderr and
// GNU time's report in RawDir as name.out, name.err and name.time. A
// non-zero exit fails the test unless it is one of okExits.
func Timed(t testing.TB, name string, cmd *exec.Cmd, okExits ...int) Measure {
	t.Helper()
	raw := RawDir(t)
	timeFile := filepath.Join(raw, name+".time")
	cmd.Args = append([]string{"/usr/bin/time", "-v", "-o", timeFile}, cmd.Args...)
	cmd.Path = "/usr/bin/time"
	cmd.Err = nil // exec.Command's LookPath error, if any, was for the old Path
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	m := Measure{Wall: time.Since(start).Seconds(), Stdout: []byte(stdout.String()), Stderr: []byte(stderr.String())}
	Must(t, os.WriteFile(filepath.Join(raw, name+".out"), m.Stdout, 0o644))
	Must(t, os.WriteFile(filepath.Join(raw, name+".err"), m.Stderr, 0o644))
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		m.Exit = ee.ExitCode()
	case err != nil:
		t.Fatalf("%s: %v", name, err)
	}
	if m.Exit != 0 && !contains(okExits, m.Exit) {
		t.Fatalf("%s: exit %d (raw output in %s)\n%s", name, m.Exit, raw, Tail(m.Stdout, m.Stderr))
	}
	report, err := os.ReadFile(timeFile)
	Must(t, err)
	if r := rssRE.FindSubmatch(report); r != nil {
		m.RSSKiB, _ = strconv.ParseInt(string(r[1]), 10, 64)
	}
	for _, c := range cpuRE.FindAllSubmatch(report, -1) {
		v, _ := strconv.ParseFloat(string(c[1]), 64)
		m.CPU += v
	}
	if m.RSSKiB == 0 {
		t.Fatalf("%s: no peak RSS in %s", name, timeFile)
	}
	return m
}

func contains(list []int, v int) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// Tail is the last few KiB of a client's output, for a failure message.
func Tail(outs ...[]byte) string {
	var b []byte
	for _, o := range outs {
		b = append(b, o...)
	}
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}
