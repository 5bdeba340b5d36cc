package audit

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// corpus is one log holding n releases of the happy scenario, one after another, as a
// long-lived audit file would.
func corpus(b *testing.B, n int) []byte {
	b.Helper()
	one := readEvents(b, writeSteps(b, happyRelease()))
	events := make([]Event, 0, n*len(one))
	for i := range n {
		id := fmt.Sprintf("demo@1.0.%d", i)
		for _, e := range one {
			e.Release = id
			e.Data = bytes.ReplaceAll(e.Data, []byte("v1.0.0"), []byte(strings.TrimPrefix(id, "demo@")))
			events = append(events, e)
		}
	}
	return rechain(b, events)
}

// BenchmarkAudit measures the whole audit of one file — verify, collect, evaluate,
// write the JSON report — in bytes of log per second.
func BenchmarkAudit(b *testing.B) {
	log := corpus(b, 1000)
	b.SetBytes(int64(len(log)))
	b.ReportAllocs()
	for b.Loop() {
		c := NewCollector()
		n := 0
		if err := Read(bytes.NewReader(log), func(line int, e Event) error {
			n++
			c.Add("audit.jsonl", line, e)
			return nil
		}); err != nil {
			b.Fatal(err)
		}
		r := NewReport(c.Releases(), []ChainResult{{Source: "audit.jsonl", OK: true, Events: n}}, Policy{})
		var out bytes.Buffer
		if err := r.JSON(&out); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAuditFiles measures AuditFiles and the JSON report, as `releaser audit
// --json DIR` runs them, over 10 files of 100 releases each (or over the *.jsonl files
// in $RELEASER_AUDIT_CORPUS, e.g. bench/audit.sh's corpus).
func BenchmarkAuditFiles(b *testing.B) {
	var paths []string
	if dir := os.Getenv("RELEASER_AUDIT_CORPUS"); dir != "" {
		paths, _ = filepath.Glob(filepath.Join(dir, "*.jsonl"))
	} else {
		events := readEvents(b, corpus(b, 1000))
		dir := b.TempDir()
		for i := range 10 {
			// Each file a chain of its own, of 100 releases.
			part := events[i*len(events)/10 : (i+1)*len(events)/10]
			p := filepath.Join(dir, fmt.Sprintf("log-%02d.jsonl", i))
			if err := os.WriteFile(p, rechain(b, part), 0o600); err != nil {
				b.Fatal(err)
			}
			paths = append(paths, p)
		}
	}
	var size int64
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			b.Fatal(err)
		}
		size += fi.Size()
	}
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		rw := NewReportWriter()
		chains := AuditFiles(paths, FilesOptions{}, rw)
		if err := rw.Render(io.Discard, FormatJSON, chains, false); err != nil {
			b.Fatal(err)
		}
		rw.Close()
	}
}
