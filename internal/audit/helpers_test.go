package audit

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// stepClock returns a deterministic clock that advances 1ms per call. Log calls Now
// under its mutex, so the clock needs no locking of its own.
func stepClock() func() time.Time {
	t := time.Date(2026, 11, 25, 10, 0, 0, 123456789, time.UTC)
	return func() time.Time {
		t = t.Add(time.Millisecond)
		return t
	}
}

func testOptions() Options {
	return Options{
		Run:     RunIdentity{Repository: "acme/widget", RunID: "42", RunAttempt: "1", Job: "release"},
		Release: "widget@1.2.3",
		Now:     stepClock(),
	}
}

// writeLog writes n events to a fresh log and returns its path and bytes.
func writeLog(t testing.TB, n int) (string, []byte) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	l, err := Open(path, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= n; i++ {
		if _, err := l.Append("build", "artifact.hashed", map[string]any{"name": "file", "n": i, "value": "value" + string(rune('0'+i))}); err != nil {
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
	return path, b
}

func splitLines(b []byte) [][]byte {
	lines := bytes.SplitAfter(b, []byte("\n"))
	if len(lines) > 0 && len(lines[len(lines)-1]) == 0 {
		lines = lines[:len(lines)-1]
	}
	return lines
}

func joinLines(lines [][]byte) []byte { return bytes.Join(lines, nil) }

// forge builds a line with a correct self-hash, as an attacker who knows the format can.
func forge(t testing.TB, e Event) []byte {
	t.Helper()
	line, _, err := encodeLine(e)
	if err != nil {
		t.Fatal(err)
	}
	return append(line, '\n')
}
