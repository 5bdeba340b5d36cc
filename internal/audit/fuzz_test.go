package audit

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func FuzzVerify(f *testing.F) {
	_, good := writeLog(f, 3)
	lines := splitLines(good)
	f.Add(good)
	f.Add([]byte{})
	f.Add(bytes.Replace(good, []byte("value2"), []byte("valuX"), 1))
	f.Add(joinLines([][]byte{lines[1], lines[0], lines[2]}))
	f.Add(joinLines([][]byte{lines[0], lines[2]}))
	f.Add(good[:len(good)-7])
	f.Add(append(append(bytes.Clone(lines[0]), '\n'), lines[1]...))
	f.Add([]byte("{}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		sum, err := Verify(bytes.NewReader(data))
		n := bytes.Count(data, []byte("\n"))
		if err != nil {
			// bytes.Reader cannot fail, so every error is a chain error at a real line.
			var ce *ChainError
			if !errors.As(err, &ce) {
				t.Fatalf("non-chain error: %v", err)
			}
			if ce.Line < 1 || ce.Line > n+1 || ce.Seq < 0 || len(ce.Reason) > maxReason+len("…") {
				t.Fatalf("bad ChainError %+v for %d lines", ce, n)
			}
			if sum.Events >= ce.Line {
				t.Fatalf("%d events counted before an error at line %d", sum.Events, ce.Line)
			}
			return
		}
		if sum.Events != n || sum.LastSeq != int64(n) {
			t.Fatalf("valid log with %d lines: summary %+v", n, sum)
		}
		count := 0
		if err := Read(bytes.NewReader(data), func(int, Event) error { count++; return nil }); err != nil || count != n {
			t.Fatalf("Read disagrees with Verify: %v, %d events", err, count)
		}
	})
}

func FuzzExtractLine(f *testing.F) {
	for _, s := range []string{
		MirrorPrefix + `{"seq":1}`,
		"2026-11-25T10:00:00.1234567Z " + MirrorPrefix + "{}\r\n",
		"\ufeff2026-11-25T10:00:00Z " + MirrorPrefix + "{",
		"::error::x",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		line, ok := ExtractLine(s)
		if !ok {
			if line != "" {
				t.Fatalf("not ok but returned %q", line)
			}
			return
		}
		if !strings.HasPrefix(line, "{") || strings.ContainsAny(line, "\r\n") || !strings.Contains(s, MirrorPrefix+line) {
			t.Fatalf("ExtractLine(%q) = %q", s, line)
		}
	})
}

// FuzzRedact checks the one promise that matters for secrets: whatever the secret and
// the data, a line that is produced contains no trace of the secret, decoded or not.
func FuzzRedact(f *testing.F) {
	f.Add(canary, "token", "Bearer "+canary)
	f.Add("12345", "n", "12345")
	f.Add(`<&>"`, `k<&>"`, `v\<&>"`)
	f.Add("RED", "k", "xREDx")
	f.Add("a", "k", "v")
	f.Fuzz(func(t *testing.T, secret, key, value string) {
		if secret == "" {
			return
		}
		data, err := json.Marshal(map[string]any{key: value, "n": json.Number("12345")})
		if err != nil {
			return
		}
		e := Event{Seq: 1, Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Stage: value, Type: key, Data: data}
		line, got, err := secretFreeLine(e, []string{secret})
		if err != nil {
			return // refusing to write is always safe
		}
		if bytes.Contains(line, []byte(secret)) {
			t.Fatalf("secret %q in line %s", secret, line)
		}
		var v any
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("line is not JSON: %v\n%s", err, line)
		}
		if s := findString(v, secret); s != "" {
			t.Fatalf("secret %q inside decoded %q of line %s", secret, s, line)
		}
		c := Chain{}
		if _, err := c.Next(line); err != nil {
			t.Fatalf("redacted line does not verify: %v", err)
		}
		if got.Seq != 1 || len(got.Hash) != 64 {
			t.Fatalf("event %+v", got)
		}
	})
}

func findString(v any, secret string) string {
	switch v := v.(type) {
	case string:
		if strings.Contains(v, secret) {
			return v
		}
	case json.Number:
		if strings.Contains(string(v), secret) {
			return string(v)
		}
	case []any:
		for _, x := range v {
			if s := findString(x, secret); s != "" {
				return s
			}
		}
	case map[string]any:
		for k, x := range v {
			if strings.Contains(k, secret) {
				return k
			}
			if s := findString(x, secret); s != "" {
				return s
			}
		}
	}
	return ""
}
