package audit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

func TestRoundTripWithConcurrencyAndReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nested", "dir", "audit.jsonl")
	opts := testOptions()
	l, err := Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	var appended []Event
	for i := range 3 {
		e, err := l.Append("build", "step", map[string]int{"i": i})
		if err != nil {
			t.Fatal(err)
		}
		appended = append(appended, e)
	}
	const workers, each = 8, 5
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				if _, err := l.Append("publish", "upload", map[string]string{"id": fmt.Sprintf("w%d-%d", w, i)}); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("file mode %v, want 0600", fi.Mode().Perm())
		}
	}

	// A second run appends to the same file and continues the chain.
	l2, err := Open(path, Options{Run: RunIdentity{RunID: "43"}, Now: stepClock()})
	if err != nil {
		t.Fatal(err)
	}
	l2.SetRelease("widget@1.2.4")
	e, err := l2.Append("finalize", "done", nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(3 + workers*each + 1); e.Seq != want {
		t.Errorf("seq after reopen = %d, want %d", e.Seq, want)
	}
	if err := l2.Close(); err != nil {
		t.Fatal(err)
	}

	sum, err := VerifyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	total := 3 + workers*each + 1
	if sum.Events != total || sum.LastSeq != int64(total) || sum.LastHash != e.Hash {
		t.Errorf("summary %+v, want %d events ending in %s", sum, total, e.Hash)
	}
	if !sum.FirstTime.Equal(appended[0].Time) || !sum.LastTime.Equal(e.Time) {
		t.Errorf("summary times %v .. %v, want %v .. %v", sum.FirstTime, sum.LastTime, appended[0].Time, e.Time)
	}

	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ids := map[string]bool{}
	var got []Event
	err = Read(f, func(line int, ev Event) error {
		if int64(line) != ev.Seq {
			t.Errorf("line %d has seq %d", line, ev.Seq)
		}
		var d struct{ ID string }
		if ev.Stage == "publish" {
			if err := json.Unmarshal(ev.Data, &d); err != nil {
				t.Fatal(err)
			}
			ids[d.ID] = true
		}
		got = append(got, ev)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != workers*each {
		t.Errorf("%d distinct concurrent events, want %d", len(ids), workers*each)
	}
	for i, want := range appended {
		assertSameEvent(t, got[i], want)
	}
	last := got[len(got)-1]
	if last.Release != "widget@1.2.4" || last.Run.RunID != "43" || last.Data != nil {
		t.Errorf("last event %+v: want release from SetRelease, run 43, no data", last)
	}
}

func assertSameEvent(t *testing.T, got, want Event) {
	t.Helper()
	if !got.Time.Equal(want.Time) {
		t.Errorf("seq %d time %v, want %v", want.Seq, got.Time, want.Time)
	}
	got.Time = want.Time
	gb, _ := json.Marshal(got)
	wb, _ := json.Marshal(want)
	if !bytes.Equal(gb, wb) {
		t.Errorf("event read back\n got %s\nwant %s", gb, wb)
	}
}

func TestMirror(t *testing.T) {
	var mirror bytes.Buffer
	opts := testOptions()
	opts.Mirror = &mirror
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	l, err := Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if _, err := l.Append("build", "step", map[string]any{"i": i, "html": "<a href=x>&</a>"}); err != nil {
			t.Fatal(err)
		}
	}
	l.Close()
	file, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rebuilt []byte
	for _, ml := range strings.SplitAfter(mirror.String(), "\n") {
		if ml == "" {
			continue
		}
		if !strings.HasPrefix(ml, MirrorPrefix) {
			t.Errorf("mirrored line without prefix: %q", ml)
		}
		line, ok := ExtractLine("2026-11-25T10:00:00.1234567Z " + ml)
		if !ok {
			t.Fatalf("ExtractLine rejected mirrored line %q", ml)
		}
		rebuilt = append(rebuilt, line+"\n"...)
	}
	if !bytes.Equal(rebuilt, file) {
		t.Errorf("mirror differs from file\nmirror %s\nfile   %s", rebuilt, file)
	}
	if _, err := Verify(bytes.NewReader(rebuilt)); err != nil {
		t.Errorf("mirrored copy does not verify: %v", err)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("stdout closed") }

func TestMirrorFailureKeepsFileEvent(t *testing.T) {
	opts := testOptions()
	opts.Mirror = failWriter{}
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	l, err := Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	e, err := l.Append("build", "step", nil)
	if err == nil || !strings.Contains(err.Error(), "mirroring it failed") || e.Seq != 1 {
		t.Fatalf("Append = %+v, %v; want the event and a mirror error", e, err)
	}
	if sum, err := VerifyFile(path); err != nil || sum.Events != 1 {
		t.Fatalf("VerifyFile = %+v, %v; want 1 event", sum, err)
	}
}

func TestAppendData(t *testing.T) {
	tests := []struct {
		name    string
		data    any
		want    string // data member as written, "" for none
		wantErr string
	}{
		{"nil", nil, "", ""},
		{"typed nil map", map[string]int(nil), "", ""},
		{"struct", struct {
			A string `json:"a"`
		}{"x"}, `{"a":"x"}`, ""},
		{"raw message compacted", json.RawMessage("{ \"a\" :\n 1 }"), `{"a":1}`, ""},
		{"array", []int{1}, "", "must marshal to a JSON object"},
		{"string", "hello", "", "must marshal to a JSON object"},
		{"unmarshalable", map[string]any{"f": func() {}}, "", "marshal data"},
		{"invalid raw", json.RawMessage("{"), "", "marshal data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "audit.jsonl")
			l, err := Open(path, testOptions())
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			e, err := l.Append("build", "step", tt.data)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), "build/step") {
					t.Fatalf("err = %v, want one naming build/step and containing %q", err, tt.wantErr)
				}
				if b, _ := os.ReadFile(path); len(b) != 0 {
					t.Fatalf("rejected event was written: %s", b)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(e.Data) != tt.want {
				t.Errorf("data %s, want %s", e.Data, tt.want)
			}
			b, _ := os.ReadFile(path)
			if has := bytes.Contains(b, []byte(`"data":`)); has != (tt.want != "") {
				t.Errorf("line %s: data member present = %v", b, has)
			}
		})
	}
}

func TestAppendRejectsOversizeLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	l, err := Open(path, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if _, err := l.Append("build", "big", map[string]string{"x": strings.Repeat("a", MaxLineSize)}); err == nil || !strings.Contains(err.Error(), "line limit") {
		t.Fatalf("err = %v, want line limit error", err)
	}
	e, err := l.Append("build", "small", nil)
	if err != nil || e.Seq != 1 {
		t.Fatalf("after a rejected event: %+v, %v; want seq 1", e, err)
	}
}

func TestAppendAfterCloseAndDoubleClose(t *testing.T) {
	l, err := Open(filepath.Join(t.TempDir(), "audit.jsonl"), testOptions())
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := l.Append("build", "x", nil); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("Append after Close: %v", err)
	}
}

func TestFailedWriteStopsFurtherAppends(t *testing.T) {
	l, err := Open(filepath.Join(t.TempDir(), "audit.jsonl"), testOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	l.f.Close() // make the next write fail as a full disk would
	if _, err := l.Append("build", "x", nil); err == nil {
		t.Fatal("write to closed file succeeded")
	}
	if _, err := l.Append("build", "y", nil); err == nil || !strings.Contains(err.Error(), "earlier write failed") {
		t.Errorf("second Append: %v, want refusal after failed write", err)
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := Open(dir, testOptions()); err == nil {
		t.Error("Open on a directory succeeded")
	}
	blocker := filepath.Join(dir, "file")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(filepath.Join(blocker, "audit.jsonl"), testOptions()); err == nil {
		t.Error("Open under a regular file succeeded")
	}
	if runtime.GOOS == "linux" {
		_, err := Open("/dev/null", testOptions())
		if err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("Open(/dev/null) = %v, want not a regular file", err)
		}
	}
}

func TestOpenEmptyExistingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := Open(path, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if e, err := l.Append("build", "x", nil); err != nil || e.Seq != 1 || e.Prev != "" {
		t.Fatalf("first event in empty file: %+v, %v", e, err)
	}
}

// TestOpenRefusesDamagedLog checks that Open never appends to a log that fails
// verification and leaves it byte for byte as it was.
func TestOpenRefusesDamagedLog(t *testing.T) {
	tests := []struct {
		name   string
		damage func([]byte) []byte
		line   int
	}{
		{"edited", func(b []byte) []byte { return bytes.Replace(b, []byte("value2"), []byte("valuX"), 1) }, 2},
		{"middle line removed", func(b []byte) []byte {
			l := splitLines(b)
			return joinLines(append(l[:1:1], l[2:]...))
		}, 2},
		{"torn last write", func(b []byte) []byte { return b[:len(b)-10] }, 3},
		{"missing final newline", func(b []byte) []byte { return b[:len(b)-1] }, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path, good := writeLog(t, 3)
			bad := tt.damage(bytes.Clone(good))
			if err := os.WriteFile(path, bad, 0o600); err != nil {
				t.Fatal(err)
			}
			l, err := Open(path, testOptions())
			if err == nil {
				l.Close()
				t.Fatal("Open accepted a damaged log")
			}
			var ce *ChainError
			if !errors.As(err, &ce) || ce.Line != tt.line {
				t.Errorf("err = %v, want a ChainError at line %d", err, tt.line)
			}
			for _, want := range []string{path, fmt.Sprintf("line %d", tt.line), "move it aside"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
			after, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(after, bad) {
				t.Error("Open modified the damaged log")
			}
		})
	}
}
