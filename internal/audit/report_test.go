package audit

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestDisplaySafe(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text", "plain text"},
		{"naïve ✓ 日本", "naïve ✓ 日本"},
		{"clear\x1b[2Jscreen", `clear\x1b[2Jscreen`},
		{"two\nlines\r", `two\x0alines\x0d`},
		{"tab\there", `tab\x09here`},
		{"bidi \u202egnp.exe", `bidi \u202egnp.exe`},
		{"zero\u200bwidth", `zero\u200bwidth`},
		{"c1 \u009b31m", `c1 \x9b31m`},
		{"bad \xff utf8", `bad \xff utf8`},
		{"replacement \ufffd char", "replacement \ufffd char"},
	}
	for _, tt := range tests {
		if got := displaySafe(tt.in); got != tt.want {
			t.Errorf("displaySafe(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMarkdownCode(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"a.jsonl:3: ok", "`a.jsonl:3: ok`"},
		{"a|b", "`a\\|b`"},
		{`a\|b`, "`a\\\u200b\\|b`"},
		{"uses `x`", "`` uses `x` ``"},
		{"a``b", "```a``b```"},
		{"@alice <b>*bold*</b> [x](http://e)", "`@alice <b>*bold*</b> [x](http://e)`"},
		{"line\nbreak", "`line\\x0abreak`"},
	}
	for _, tt := range tests {
		if got := mdCode(tt.in); got != tt.want {
			t.Errorf("mdCode(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// hostileReport carries evidence written to break out of each format.
func hostileReport() Report {
	return Report{
		Chains: []ChainResult{{Source: "evil\x1b[31m.jsonl", OK: false, Error: "line 1 | injected\n## heading", Events: 0}},
		Releases: []ReleaseReport{{ID: "x@1\x1b]0;title\x07", Findings: []Finding{
			{Rule: "approvals", Title: "t", Status: StatusPass, Evidence: []string{
				"a:1: comment \x1b[2J\r\n| fake | row |",
				"a:2: <script>alert(1)</script> @everyone `code` a\\|b",
			}},
			{Rule: "tokens", Title: "t", Status: StatusNA},
		}}},
	}
}

func TestFormatsEscapeHostileText(t *testing.T) {
	r := hostileReport()
	var txt, md bytes.Buffer
	if err := r.Text(&txt); err != nil {
		t.Fatal(err)
	}
	if err := r.Markdown(&md); err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"text": txt.String(), "markdown": md.String()} {
		if strings.ContainsAny(out, "\x1b\x07\r") {
			t.Errorf("%s output carries control characters:\n%q", name, out)
		}
		if strings.Contains(out, "\n| fake") || strings.Contains(out, "\n## heading") {
			t.Errorf("%s output lets a log line start a line of its own:\n%s", name, out)
		}
	}
	// Text: a header, the log, the release and its table: every line is ours.
	if n := strings.Count(txt.String(), "\n"); n != 10 {
		t.Errorf("text has %d lines:\n%s", n, txt.String())
	}
	// Markdown: one table row per chain and per finding, every log-derived text in a
	// code span, and no unescaped pipe inside a cell.
	var rows []string
	for _, l := range strings.Split(md.String(), "\n") {
		if strings.HasPrefix(l, "| `") {
			rows = append(rows, l)
		}
	}
	if len(rows) != 3 {
		t.Fatalf("%d table rows:\n%s", len(rows), md.String())
	}
	for _, row := range rows {
		if cells := splitCells(row); len(cells) != 3 && len(cells) != 4 {
			t.Errorf("row has %d cells: %s", len(cells), row)
		}
	}
	if !strings.Contains(md.String(), "`a:2: <script>alert(1)</script> @everyone `code` a\\\u200b\\|b`") &&
		!strings.Contains(md.String(), "`` a:2: <script>alert(1)</script> @everyone `code` a\\\u200b\\|b ``") {
		t.Errorf("evidence not in one code span:\n%s", md.String())
	}
}

// splitCells splits a GFM table row the way GFM does: a backslash escapes the next
// character, an unescaped pipe separates cells.
func splitCells(row string) []string {
	var cells []string
	var cur strings.Builder
	for i := 1; i < len(row); i++ {
		switch c := row[i]; {
		case c == '\\' && i+1 < len(row):
			cur.WriteByte(c)
			cur.WriteByte(row[i+1])
			i++
		case c == '|':
			cells = append(cells, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	return cells
}

func TestJSONSchema(t *testing.T) {
	t.Run("empty report", func(t *testing.T) {
		var b bytes.Buffer
		if err := (Report{}).JSON(&b); err != nil {
			t.Fatal(err)
		}
		want := "{\n  \"schema\": 1,\n  \"failed\": false,\n  \"chains\": [],\n  \"releases\": []\n}\n"
		if b.String() != want {
			t.Errorf("got %s", b.String())
		}
	})
	t.Run("failure shown even when Failed is unset", func(t *testing.T) {
		r := Report{Releases: []ReleaseReport{{ID: "x@1", Findings: []Finding{{Rule: "tokens", Status: StatusFail}, {Rule: "immutable", Status: StatusNA}}}}}
		var b bytes.Buffer
		if err := r.JSON(&b); err != nil {
			t.Fatal(err)
		}
		var got struct {
			Failed   bool
			Releases []struct {
				Status   string
				Findings []struct {
					Evidence []string
				}
			}
		}
		if err := json.Unmarshal(b.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		if !got.Failed || got.Releases[0].Status != "fail" || got.Releases[0].Findings[1].Evidence == nil {
			t.Errorf("got %s", b.String())
		}
		if !strings.Contains(b.String(), `"evidence": []`) {
			t.Errorf("nil evidence is not an empty array: %s", b.String())
		}
	})
	t.Run("release status", func(t *testing.T) {
		for _, tt := range []struct {
			s    []Status
			want Status
		}{
			{[]Status{StatusNA, StatusNA}, StatusNA},
			{[]Status{StatusNA, StatusPass}, StatusPass},
			{[]Status{StatusPass, StatusFail, StatusNA}, StatusFail},
			{nil, StatusNA},
		} {
			var rr ReleaseReport
			for _, s := range tt.s {
				rr.Findings = append(rr.Findings, Finding{Status: s})
			}
			if got := rr.status(); got != tt.want {
				t.Errorf("%v: %s, want %s", tt.s, got, tt.want)
			}
		}
	})
	t.Run("broken chain fails the report", func(t *testing.T) {
		r := NewReport(nil, []ChainResult{{Source: "a", OK: false, Error: "x"}}, Policy{})
		if !r.Failed {
			t.Error("not failed")
		}
		r = NewReport(nil, []ChainResult{{Source: "a", OK: true, Events: 3}}, Policy{})
		if r.Failed {
			t.Error("failed")
		}
	})
}
