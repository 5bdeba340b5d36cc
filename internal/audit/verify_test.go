package audit

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

// TestVerifyDetectsTampering damages a valid 5-line log in every way the chain must
// catch and checks the first bad line and the reason.
func TestVerifyDetectsTampering(t *testing.T) {
	_, good := writeLog(t, 5)
	lines := splitLines(good)
	var ev [6]Event // ev[i] = event on line i
	if err := Read(bytes.NewReader(good), func(n int, e Event) error { ev[n] = e; return nil }); err != nil {
		t.Fatal(err)
	}
	edit := func(i int, old, repl string) [][]byte {
		l := cloneLines(lines)
		l[i-1] = bytes.Replace(l[i-1], []byte(old), []byte(repl), 1)
		return l
	}
	remove := func(i int) [][]byte {
		l := cloneLines(lines)
		return append(l[:i-1], l[i:]...)
	}
	insertAt := func(i int, line []byte) [][]byte { // line becomes line number i
		l := cloneLines(lines)
		return append(l[:i-1], append([][]byte{line}, l[i-1:]...)...)
	}
	swap := func(i, j int) [][]byte {
		l := cloneLines(lines)
		l[i-1], l[j-1] = l[j-1], l[i-1]
		return l
	}
	// rehash edits line 3 and recomputes its hash, as an attacker who knows the format would.
	rehash := func() [][]byte {
		e := ev[3]
		e.Data = json.RawMessage(`{"name":"evil"}`)
		l := cloneLines(lines)
		l[2] = forge(t, e)
		return l
	}
	forged := func(seq int64, prev string) []byte {
		return forge(t, Event{Seq: seq, Time: ev[2].Time, Run: ev[2].Run, Release: ev[2].Release, Stage: "publish", Type: "forged", Prev: prev})
	}
	tests := []struct {
		name   string
		lines  [][]byte
		line   int
		seq    int64
		reason string
	}{
		{"edited data byte", edit(3, "value3", "valuX"), 3, 3, "hash mismatch: the line was edited"},
		{"edited seq", edit(3, `"seq":3`, `"seq":9`), 3, 9, "the line was edited"},
		{"edited hash", edit(3, `"hash":"`, `"hash":"0`), 3, 0, "does not end with"},
		{"edited and rehashed", rehash(), 4, 4, "prev does not match"},
		{"middle line removed", remove(3), 3, 4, "seq gap after 2: a line was removed"},
		{"first line removed", remove(1), 1, 2, "first line has seq 2"},
		{"line duplicated", insertAt(3, lines[1]), 3, 2, "a line was duplicated"},
		{"adjacent lines swapped", swap(2, 3), 2, 3, "reordered"},
		{"distant lines swapped", swap(4, 2), 2, 4, "reordered"},
		{"forged line with wrong prev", insertAt(3, forged(3, strings.Repeat("0", 64))), 3, 3, "prev does not match the previous line's hash"},
		{"forged line with right prev", insertAt(3, forged(3, ev[2].Hash)), 4, 3, "a line was duplicated"},
		{"forged first line with prev", insertAt(1, forged(1, strings.Repeat("0", 64))), 1, 1, "first line has a non-empty prev"},
		{"seq going back", insertAt(4, forged(1, ev[3].Hash)), 4, 1, "out of order"},
		{"last line cut, no newline", [][]byte{joinLines(lines)[:len(good)-20]}, 5, 0, "no trailing newline"},
		{"last line cut, newline kept", append(remove(5), append(bytes.Clone(lines[4][:40]), '\n')), 5, 0, "does not end with"},
		{"final newline missing", [][]byte{good[:len(good)-1]}, 5, 0, "torn"},
		{"blank line", insertAt(3, []byte("\n")), 3, 0, "blank line"},
		{"blank last line", append(cloneLines(lines), []byte("\n")), 6, 0, "blank line"},
		{"line over 1 MiB", insertAt(2, append(bytes.Repeat([]byte("x"), MaxLineSize+1), '\n')), 2, 0, "longer than"},
		{"junk", insertAt(2, []byte("hello world\n")), 2, 0, "not an audit line"},
		{"CRLF", [][]byte{bytes.ReplaceAll(good, []byte("\n"), []byte("\r\n"))}, 1, 0, "CRLF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Verify(bytes.NewReader(joinLines(tt.lines)))
			var ce *ChainError
			if !errors.As(err, &ce) {
				t.Fatalf("Verify = %v, want a *ChainError", err)
			}
			if ce.Line != tt.line || ce.Seq != tt.seq || !strings.Contains(ce.Reason, tt.reason) {
				t.Errorf("got line %d seq %d %q; want line %d seq %d containing %q", ce.Line, ce.Seq, ce.Reason, tt.line, tt.seq, tt.reason)
			}
		})
	}
}

func cloneLines(l [][]byte) [][]byte {
	out := make([][]byte, len(l))
	for i := range l {
		out[i] = bytes.Clone(l[i])
	}
	return out
}

// TestVerifyStrictFormat feeds lines whose self-hash is correct but whose JSON breaks
// the format, so only the format checks can reject them.
func TestVerifyStrictFormat(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		reason string
	}{
		{"not an object", `[1,2]}`, "not a JSON object"},
		{"keys out of order", `{"time":"2026-11-25T10:00:00Z","seq":1,"run":{},"release":"","stage":"","type":"","prev":""}`, `unexpected key "time"`},
		{"missing prev", `{"seq":1,"time":"2026-11-25T10:00:00Z","run":{},"release":"","stage":"","type":""}`, `missing key "prev"`},
		{"extra key", `{"seq":1,"time":"2026-11-25T10:00:00Z","run":{},"release":"","stage":"","type":"","prev":"","x":1}`, `unexpected key "x"`},
		{"duplicate key", `{"seq":1,"seq":1,"time":"2026-11-25T10:00:00Z","run":{},"release":"","stage":"","type":"","prev":""}`, `unexpected key "seq"`},
		{"fractional seq", `{"seq":1.0,"time":"2026-11-25T10:00:00Z","run":{},"release":"","stage":"","type":"","prev":""}`, "positive integer"},
		{"zero seq", `{"seq":0,"time":"2026-11-25T10:00:00Z","run":{},"release":"","stage":"","type":"","prev":""}`, "positive integer"},
		{"non-UTC time", `{"seq":1,"time":"2026-11-25T10:00:00+01:00","run":{},"release":"","stage":"","type":"","prev":""}`, "UTC time"},
		{"null stage", `{"seq":1,"time":"2026-11-25T10:00:00Z","run":{},"release":"","stage":null,"type":"","prev":""}`, `"stage": must be a JSON string`},
		{"unknown run field", `{"seq":1,"time":"2026-11-25T10:00:00Z","run":{"token":"x"},"release":"","stage":"","type":"","prev":""}`, "invalid run identity"},
		{"data not object", `{"seq":1,"time":"2026-11-25T10:00:00Z","run":{},"release":"","stage":"","type":"","data":[1],"prev":""}`, `"data": must be a JSON object`},
		{"bad prev", `{"seq":1,"time":"2026-11-25T10:00:00Z","run":{},"release":"","stage":"","type":"","prev":"ABC"}`, "64 lowercase hex"},
		{"trailing data", `{"seq":1,"time":"2026-11-25T10:00:00Z","run":{},"release":"","stage":"","type":"","prev":""} {}`, "after the object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := []byte(tt.body)
			if !strings.HasSuffix(tt.body, "}") {
				t.Fatal("test body must end in }")
			}
			line := string(body[:len(body)-1]) + `,"hash":"` + hashBody(body) + `"}` + "\n"
			_, err := Verify(strings.NewReader(line))
			var ce *ChainError
			if !errors.As(err, &ce) || ce.Line != 1 || !strings.Contains(ce.Reason, tt.reason) {
				t.Fatalf("Verify = %v, want line 1 containing %q", err, tt.reason)
			}
		})
	}
}

func TestVerifyValid(t *testing.T) {
	_, good := writeLog(t, 4)
	sum, err := Verify(bytes.NewReader(good))
	if err != nil || sum.Events != 4 || sum.LastSeq != 4 || len(sum.LastHash) != 64 {
		t.Fatalf("Verify = %+v, %v", sum, err)
	}
	empty, err := Verify(strings.NewReader(""))
	if err != nil || empty != (Summary{}) {
		t.Fatalf("Verify(empty) = %+v, %v; want zero summary", empty, err)
	}
	// A line of exactly MaxLineSize bytes is allowed; the limit is not off by one.
	pad := MaxLineSize - len(forge(t, Event{Seq: 1, Time: time.Unix(0, 0), Data: json.RawMessage(`{"p":""}`)})) + 1
	big := forge(t, Event{Seq: 1, Time: time.Unix(0, 0), Data: json.RawMessage(`{"p":"` + strings.Repeat("a", pad) + `"}`)})
	if len(big) != MaxLineSize+1 {
		t.Fatalf("test setup: line is %d bytes", len(big))
	}
	if _, err := Verify(bytes.NewReader(big)); err != nil {
		t.Errorf("line of exactly MaxLineSize bytes: %v", err)
	}
}

func TestReadStopsAtCallbackError(t *testing.T) {
	_, good := writeLog(t, 4)
	stop := errors.New("stop")
	calls := 0
	err := Read(bytes.NewReader(good), func(line int, e Event) error {
		calls++
		if line == 2 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || calls != 2 {
		t.Fatalf("Read = %v after %d calls, want stop after 2", err, calls)
	}
}

func TestReadDeliversOnlyVerifiedEvents(t *testing.T) {
	_, good := writeLog(t, 4)
	bad := bytes.Replace(good, []byte("value3"), []byte("valuX"), 1)
	var seen []int64
	err := Read(bytes.NewReader(bad), func(_ int, e Event) error { seen = append(seen, e.Seq); return nil })
	var ce *ChainError
	if !errors.As(err, &ce) || ce.Line != 3 || len(seen) != 2 {
		t.Fatalf("Read = %v, saw %v; want error at line 3 after seeing 1,2", err, seen)
	}
}

type errReader struct{ data []byte }

func (r *errReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.ErrUnexpectedEOF
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

func TestVerifyReadError(t *testing.T) {
	_, good := writeLog(t, 2)
	_, err := Verify(&errReader{data: good})
	var ce *ChainError
	if !errors.Is(err, io.ErrUnexpectedEOF) || errors.As(err, &ce) {
		t.Fatalf("Verify = %v, want a wrapped read error, not a chain error", err)
	}
}

func TestVerifyFile(t *testing.T) {
	path, _ := writeLog(t, 2)
	if s, err := VerifyFile(path); err != nil || s.Events != 2 {
		t.Fatalf("VerifyFile = %+v, %v", s, err)
	}
	if _, err := VerifyFile(path + ".missing"); err == nil {
		t.Error("VerifyFile on a missing file succeeded")
	}
}

func TestContinueChain(t *testing.T) {
	_, good := writeLog(t, 4)
	lines := splitLines(good)
	var ev [5]Event
	if err := Read(bytes.NewReader(good), func(n int, e Event) error { ev[n] = e; return nil }); err != nil {
		t.Fatal(err)
	}
	c := ContinueChain(ev[2].Seq, ev[2].Hash)
	for _, l := range lines[2:] {
		if _, err := c.Next(bytes.TrimSuffix(l, []byte("\n"))); err != nil {
			t.Fatal(err)
		}
	}
	if s := c.Summary(); s.Events != 2 || s.LastHash != ev[4].Hash {
		t.Errorf("summary %+v", s)
	}
	c = ContinueChain(ev[1].Seq, ev[1].Hash)
	if _, err := c.Next(bytes.TrimSuffix(lines[2], []byte("\n"))); err == nil {
		t.Error("fragment that skips a line was accepted")
	}
}

func TestChainErrorMessage(t *testing.T) {
	tests := []struct {
		err  ChainError
		want string
	}{
		{ChainError{Line: 7, Seq: 7, Reason: "hash mismatch: the line was edited"}, "audit log line 7 (seq 7): hash mismatch: the line was edited"},
		{ChainError{Line: 2, Reason: "blank line"}, "audit log line 2: blank line"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
	long := chainErr(1, 0, "%s", strings.Repeat("x", 10000))
	if len(long.Reason) > maxReason+len("…") {
		t.Errorf("reason not bounded: %d bytes", len(long.Reason))
	}
}
