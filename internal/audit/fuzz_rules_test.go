package audit

import (
	"bytes"
	"encoding/json"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// FuzzDecodeEvent feeds arbitrary input to the event decoder (Read), and whatever it
// accepts on through the Collector, every rule and every output format: none may
// panic, and what they produce must keep its promises. The seeds are whole logs, which
// the fuzzer takes a minute each to minimise by default; run it with
// -fuzzminimizetime 100x to spend that time fuzzing instead.
func FuzzDecodeEvent(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "e2e", "*.jsonl"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seed logs: %v", err)
	}
	for _, name := range files {
		f.Add(readFixture(f, filepath.Base(name)))
	}
	whole := readFixture(f, "whole-release.jsonl")
	f.Add(splitLines(whole)[0])
	f.Add(joinLines(splitLines(whole)[:12]))
	f.Add([]byte("{}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c := NewCollector()
		var prev int64
		err := Read(bytes.NewReader(data), func(line int, e Event) error {
			if e.Seq != prev+1 || len(e.Hash) != hashHexLen || e.Time.Location().String() != "UTC" {
				t.Fatalf("line %d decoded as seq %d (after %d), hash %q, time %v", line, e.Seq, prev, e.Hash, e.Time)
			}
			if len(e.Data) > 0 && (e.Data[0] != '{' || !json.Valid(e.Data)) {
				t.Fatalf("line %d: data is not a JSON object: %.80s", line, e.Data)
			}
			prev = e.Seq
			c.Add("fuzz.jsonl", line, e)
			return nil
		})
		var ce *ChainError
		if err != nil && !errors.As(err, &ce) {
			t.Fatalf("non-chain error from a bytes.Reader: %v", err)
		}
		checkReport(t, c.Releases())
	})
}

// FuzzEvaluate puts arbitrary event types, stages and data into a real release's
// events, where the decoder could never deliver them with a valid chain, so every
// rule meets every shape of data.
func FuzzEvaluate(f *testing.F) {
	events := readEvents(f, readFixture(f, "whole-release.jsonl"))
	for i, e := range events {
		f.Add(uint8(i), e.Type, e.Stage, []byte(e.Data))
	}
	f.Add(uint8(32), "publish.upload", "publish", []byte(`{"sha256":7,"outcome":null,"artifact":{}}`))
	f.Add(uint8(26), "token.minted", "exchange", []byte(`{"claims":{"run_id":4242,"run_attempt":1.5e300}}`))
	f.Add(uint8(23), "approval.result", "approve", []byte(`{"required":-1,"excluded":[""],"run_id":[]}`))
	f.Add(uint8(0), "run.start", "", []byte(`{"stages":["finalize","build"],"dry_run":false}`))
	f.Add(uint8(47), "release.final", "finalize", []byte(`{"assets":{"SHA256SUMS":""},"problems":[]}`))
	f.Fuzz(func(t *testing.T, pos uint8, typ, stage string, data []byte) {
		if len(data) > 0 && (data[0] != '{' || !json.Valid(data)) {
			return // Read only ever delivers a JSON object or no data
		}
		evs := slices.Clone(events)
		i := int(pos) % len(evs)
		evs[i].Type, evs[i].Stage, evs[i].Data = typ, stage, data
		c := NewCollector()
		for n, e := range evs {
			c.Add("fuzz.jsonl", n+1, e)
		}
		checkReport(t, c.Releases())
	})
}

// checkReport evaluates releases and writes every format, checking what must hold
// whatever the input.
func checkReport(t *testing.T, rels []*ReleaseRecord) {
	t.Helper()
	rules := RuleNames()
	r := NewReport(rels, []ChainResult{{Source: "fuzz.jsonl", OK: true}}, Policy{})
	for _, rel := range r.Releases {
		if len(rel.Findings) != len(rules) {
			t.Fatalf("%d findings", len(rel.Findings))
		}
		for i, fd := range rel.Findings {
			if fd.Rule != rules[i] || (fd.Status != StatusPass && fd.Status != StatusFail && fd.Status != StatusNA) {
				t.Fatalf("finding %d: %+v", i, fd)
			}
			if len(fd.Evidence) > maxEvidence || (fd.Status != StatusNA && len(fd.Evidence) == 0) {
				t.Fatalf("%s: %d evidence lines", fd.Rule, len(fd.Evidence))
			}
			for _, e := range fd.Evidence {
				if len(e) > maxEvidenceLine+len("…") {
					t.Fatalf("%s: evidence line %q", fd.Rule, e)
				}
			}
		}
	}
	var js, txt, md bytes.Buffer
	if err := r.JSON(&js); err != nil || !json.Valid(js.Bytes()) {
		t.Fatalf("JSON: %v\n%s", err, js.Bytes())
	}
	if err := r.Text(&txt); err != nil {
		t.Fatal(err)
	}
	if err := r.Markdown(&md); err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"text": txt.String(), "markdown": md.String()} {
		if strings.ContainsFunc(out, func(c rune) bool { return c != '\n' && (c < 0x20 || c == 0x7f) }) {
			t.Fatalf("%s output carries a control character:\n%q", name, out)
		}
	}
}
