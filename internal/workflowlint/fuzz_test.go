package workflowlint

import (
	"io"
	"os"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzLint: Lint never panics, and every finding points inside the file (a column may
// be one past a line's last character).
func FuzzLint(f *testing.F) {
	for _, kind := range []string{"good", "bad"} {
		for _, path := range corpus(f, kind) {
			src, err := os.ReadFile(path)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(src, "")
		}
	}
	for _, tt := range injectionPositionTests {
		f.Add([]byte(tt.src), "")
	}
	f.Add([]byte(steps(`      - run: "a\x24{{ github.ref }}\`, `  ${{ github.head_ref }}"`)), "")
	f.Add([]byte("permissions: {}\njobs:\n  a: &a\n    <<: *a\n    steps: [*a]\n"), "a")
	f.Add([]byte("on: workflow_run\r\njobs:\r\n  p:\r\n    permissions: {id-token: write}\r\n"), "p")
	f.Fuzz(func(t *testing.T, src []byte, publish string) {
		fs, err := Lint("f.yml", src, Options{PublishJob: publish})
		if err != nil {
			return
		}
		s := newSourceText(src)
		for _, finding := range fs {
			l := s.line(finding.Line)
			if l == nil || finding.Column < 1 || finding.Column > utf8.RuneCount(l)+1 {
				t.Errorf("%s: outside the file (%d lines)", finding, len(s.lines))
				continue
			}
			// An injection is reported at its ${{: at the $, or at the escape that spells it
			// (in a double-quoted scalar "${{" can also be "\x24{{" or "$\<line break>{{").
			if rest := string(l[s.byteOffset(finding.Line, finding.Column):]); finding.Rule == ruleTemplateInjection &&
				!strings.HasPrefix(rest, "$") && !strings.HasPrefix(rest, `\`) {
				t.Errorf("%s: points at %q, not at a ${{", finding, rest)
			}
		}
		if err := Text(io.Discard, fs); err != nil {
			t.Error(err)
		}
	})
}
