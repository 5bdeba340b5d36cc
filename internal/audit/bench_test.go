package audit

import (
	"bytes"
	"fmt"
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
