package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"reflect"
	"testing"
	"unsafe"
)

// slowNext is Chain.Next as it was before the fast path: every line through parseBody
// (cutting the line and linking it are the same code as Next's).
// The fast path must never change an event or an error.
func slowNext(c *Chain, line []byte) (Event, error) {
	n, head, claimed, err := c.cut(line)
	if err != nil {
		return Event{}, err
	}
	body := append(bytes.Clone(head), '}')
	var e Event
	parseErr := parseBody(body, &e)
	sum := sha256.Sum256(body)
	if hex.EncodeToString(sum[:]) != string(claimed) {
		return Event{}, chainErr(n, e.Seq, "hash mismatch: the line was edited")
	}
	if parseErr != nil {
		return Event{}, chainErr(n, e.Seq, "%v", parseErr)
	}
	e.Hash = string(claimed)
	// Linking (seq, prev) is not what the fast path changed: the same code.
	if err := c.link(n, e); err != nil {
		return Event{}, err
	}
	return e, nil
}

// sameAsSlow feeds lines to a Chain and to slowNext and fails on any difference in an
// event, an error or the summary. It returns how many lines took the fast path.
func sameAsSlow(t *testing.T, lines [][]byte) int {
	t.Helper()
	return sameAsSlowFrom(t, Chain{}, lines)
}

// sameAsSlowFrom is sameAsSlow from a chain state.
func sameAsSlowFrom(t *testing.T, from Chain, lines [][]byte) int {
	t.Helper()
	fast, slow := from, from
	fastLines := 0
	for i, line := range lines {
		var v lineView
		if head, _, ok := cutHash(line); ok && parseFast(head, &v) {
			fastLines++
		}
		got, gerr := fast.Next(line)
		want, werr := slowNext(&slow, line)
		if (gerr == nil) != (werr == nil) || (gerr != nil && gerr.Error() != werr.Error()) {
			t.Fatalf("line %d %q:\nfast error %v\nslow error %v", i+1, line, gerr, werr)
		}
		if !reflect.DeepEqual(got, want) || got.Time.Location() != want.Time.Location() {
			t.Fatalf("line %d %q:\nfast %#v\nslow %#v", i+1, line, got, want)
		}
		if !reflect.DeepEqual(fast.Summary(), slow.Summary()) {
			t.Fatalf("line %d: summaries differ:\nfast %+v\nslow %+v", i+1, fast.Summary(), slow.Summary())
		}
	}
	return fastLines
}

// reseal recomputes a line's hash, so an edit reaches the parser instead of stopping
// at the hash check.
func reseal(line []byte) []byte {
	head, _, ok := cutHash(line)
	if !ok {
		return line
	}
	sum := sha256.Sum256(append(bytes.Clone(head), '}'))
	return append(append(bytes.Clone(head), hashKey...), hex.EncodeToString(sum[:])+`"}`...)
}

// lineEdits are edits the fast path must either read exactly as parseBody does or
// leave to it: each is applied to a real line, which is then resealed.
var lineEdits = [][2]string{
	{`{"seq":`, `{ "seq":`}, {`{"seq":1,`, `{"seq":1.0,`}, {`{"seq":1,`, `{"seq":01,`}, {`{"seq":1,`, `{"seq":-1,`},
	{`"time":"2026`, `"time":"0026`}, {`Z","run"`, `+00:00","run"`}, {`Z","run"`, `.000Z","run"`},
	{`"run":{`, `"run":{"Local":true,`}, {`"run":{`, `"run":{"x":"y",`}, {`"run":{`, `"run":{"job":null,`},
	{`"run":{`, `"run":{"job":"a","job":"b",`}, {`"release":"`, `"release":"\u0041`}, {`"release":"`, `"release":"\xff`},
	{`"stage":"`, `"stage":null,"x":"`}, {`"type":"`, `"type":"a\"`}, {`,"data":{`, `,"data":{ `},
	{`,"data":{`, `,"data":[{`}, {`,"data":{`, `,"data":{"deep":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]],`},
	{`,"prev":"`, `,"prev":"A`}, {`,"prev":"`, `,"prev" :"`}, {`"stage":"build"`, `"stage":"bui\u006cd"`},
	{`,"data":{`, `,"data":{"n":1e5,"s":"\ud83d\ude00","t":true,"f":false,"z":null,"a":[],"o":{}},"x":{`},
}

// TestFastLineMatchesParseBody runs every fixture log, and every fixture line under
// each edit, through the fast and the slow chain.
func TestFastLineMatchesParseBody(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "e2e", "*.jsonl"))
	for _, name := range files {
		lines := bytes.Split(bytes.TrimSuffix(readFixture(t, filepath.Base(name)), []byte("\n")), []byte("\n"))
		if n := sameAsSlow(t, lines); n != len(lines) {
			t.Errorf("%s: %d of %d lines took the fast path", name, n, len(lines))
		}
		events := readEvents(t, readFixture(t, filepath.Base(name)))
		for _, ed := range lineEdits {
			for i := range lines {
				edited := bytes.Replace(lines[i], []byte(ed[0]), []byte(ed[1]), 1)
				if bytes.Equal(edited, lines[i]) {
					continue
				}
				// The edited line and the one after it, from the chain state before it.
				from := Chain{}
				if i > 0 {
					from = *ContinueChain(events[i-1].Seq, events[i-1].Hash)
				}
				sameAsSlowFrom(t, from, append([][]byte{reseal(edited)}, lines[i+1:min(i+2, len(lines))]...))
			}
		}
	}
}

// TestFastLineReusesStrings: the strings each line repeats are shared with the
// previous event instead of allocated again, and prev is the previous hash itself.
func TestFastLineReusesStrings(t *testing.T) {
	lines := bytes.Split(bytes.TrimSuffix(readFixture(t, "whole-release.jsonl"), []byte("\n")), []byte("\n"))
	var c Chain
	var a, b Event
	for i, l := range lines[:13] { // lines 12 and 13 carry a CI run identity
		e, err := c.Next(l)
		if err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		a, b = b, e
	}
	for name, pair := range map[string][2]string{
		"release": {a.Release, b.Release}, "repository": {a.Run.Repository, b.Run.Repository},
		"actor": {a.Run.Actor, b.Run.Actor}, "prev": {a.Hash, b.Prev},
	} {
		if pair[0] == "" || pair[0] != pair[1] || unsafe.StringData(pair[0]) != unsafe.StringData(pair[1]) {
			t.Errorf("%s not shared: %q, %q", name, pair[0], pair[1])
		}
	}
}

func FuzzFastLine(f *testing.F) {
	lines := bytes.Split(bytes.TrimSuffix(readFixture(f, "whole-release.jsonl"), []byte("\n")), []byte("\n"))
	for _, l := range lines[:6] {
		f.Add(l, []byte(nil))
	}
	f.Add(lines[0], lines[1])
	for _, ed := range lineEdits {
		f.Add(reseal(bytes.Replace(lines[0], []byte(ed[0]), []byte(ed[1]), 1)), lines[1])
	}
	f.Fuzz(func(t *testing.T, first, second []byte) {
		// Resealed, so mutations reach the parsers instead of failing the hash.
		in := [][]byte{reseal(first)}
		if second != nil {
			in = append(in, reseal(second))
		}
		sameAsSlow(t, in)
	})
}
