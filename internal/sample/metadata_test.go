package sample

import (
	"strings"
	"testing"
)

func TestRenderMetadataRejects(t *testing.T) {
	tests := []struct{ name, value, want string }{
		{"newline injects a header", "ok\nRequires-Dist: evil", "control character"},
		{"carriage return", "ok\rX: y", "control character"},
		{"line separator", "ok\u2028X: y", "control character"},
		{"empty", "", "empty"},
		{"leading space", " x", "white space"},
		{"invalid UTF-8", "\xff", "UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := renderMetadata([]field{{"Name", "x"}, {"Summary", tt.value}}, "")
			if err == nil || !strings.Contains(err.Error(), "Summary") || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one naming Summary and %q", err, tt.want)
			}
		})
	}
}

func FuzzRenderMetadata(f *testing.F) {
	f.Add("A summary", "# Title\n\nbody\n")
	f.Add("x\ny: z", "")
	f.Add("ünï: cöde", "\n\nleading blank lines")
	f.Fuzz(func(t *testing.T, summary, body string) {
		b, err := renderMetadata([]field{{"Name", "pkg"}, {"Summary", summary}}, body)
		if err != nil {
			return
		}
		h, gotBody := parseMetadata(t, b)
		if len(h) != 2 || h.Get("Name") != "pkg" || h.Get("Summary") != summary {
			t.Fatalf("summary %q reads back as headers %q", summary, h)
		}
		if gotBody != body {
			t.Fatalf("body %q reads back as %q", body, gotBody)
		}
	})
}
