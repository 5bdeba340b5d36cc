package ui

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"
)

var injections = []string{
	"v1\n::add-mask::x",
	"v1\n::set-env name=A::B",
	"v1\r\n##[set-output name=a;]b",
	"v1\r::set-output name=a::b",
	"\u00a0\u2003::add-mask::x",     // whitespace the runner's TrimStart removes
	"v1 ##[add-mask]x",              // v1 commands match anywhere in a line
	"v1\x1b[2K\r::add-mask::x",      // cursor games before a \r
	"v1\v::add-mask::x",             // \v is not a line break for the runner
	"v1\u2028::add-mask::x",         // nor is U+2028
	"::STOP-COMMANDS::tok\n::tok::", // case-insensitive command names
}

// ownCommand matches the lines the UI itself means the runner to execute.
var ownCommand = regexp.MustCompile(`^::(group|endgroup|warning|error|notice|add-mask|stop-commands|[0-9a-f]{32})( [^:]*)?::`)

// emitAll pushes s through every human-output path.
func emitAll(u *UI, s string) {
	u.Infof("tag %s", s)
	u.Warnf("tag %s", s)
	u.Errorf("tag %s", s)
	u.Annotate("error", s, s, 3, s)
	u.Annotate(s, "t", "f", 1, "m")
	u.Table([]string{s, "b"}, [][]string{{s, s}, {"", s}})
	u.StageStart(s)
	u.StageEnd(s, s, 0)
	p := u.Progress(s, 10)
	p.Add(10)
	p.Done()
}

func TestInjectionGitHub(t *testing.T) {
	for _, inj := range injections {
		t.Run(fmt.Sprintf("%q", inj), func(t *testing.T) {
			u, out, errOut := testUI(t, ModeGitHub, map[string]string{"GITHUB_ACTIONS": "true"})
			emitAll(u, inj)
			if errOut.String() != "" {
				t.Errorf("stderr not empty in GitHub mode: %q", errOut.String())
			}
			stdout := out.String()
			for _, line := range runnerLines(stdout) {
				trimmed := strings.TrimLeftFunc(line, unicode.IsSpace)
				if strings.Contains(line, "##[") {
					t.Errorf("line contains ##[: %q", line)
				}
				if strings.HasPrefix(trimmed, "::") && !ownCommand.MatchString(line) {
					t.Errorf("line would be a command the UI did not mean: %q", line)
				}
			}
			got := commandNames(runnerParse(stdout))
			want := []string{"warning", "error", "error", "warning", "group", "endgroup"}
			if !slices.Equal(got, want) {
				t.Errorf("runner would run %q, want %q\noutput:\n%s", got, want, stdout)
			}
		})
	}
}

// In every other mode nothing at all may parse as a command: plain output
// and JSON-mode stderr can be read by a runner too.
func TestInjectionOtherModes(t *testing.T) {
	for _, mode := range []Mode{ModeTTY, ModePlain, ModeJSON} {
		for _, inj := range injections {
			u, out, errOut := testUI(t, mode, nil)
			emitAll(u, inj)
			for _, stream := range []string{out.String(), errOut.String()} {
				if cmds := runnerParse(stream); len(cmds) > 0 {
					t.Errorf("%v %q: runner would run %q in:\n%s", mode, inj, commandNames(cmds), stream)
				}
			}
		}
	}
}

func TestWarningPayloadEscaped(t *testing.T) {
	u, out, _ := testUI(t, ModeGitHub, nil)
	u.Warnf("tag %s", "v1\n::add-mask::x")
	u.Errorf("tag %s", "100%\r\ndone")
	want := "::warning::tag v1%0A::add-mask::x\n::error::tag 100%25%0D%0Adone\n"
	if out.String() != want {
		t.Errorf("got %q, want %q", out.String(), want)
	}
	cmds := runnerParse(out.String())
	if len(cmds) != 2 || cmds[0].Data != "tag v1\n::add-mask::x" || cmds[1].Data != "tag 100%\r\ndone" {
		t.Errorf("runner reads back %+v", cmds)
	}
}

func TestAnnotateProperties(t *testing.T) {
	u, out, _ := testUI(t, ModeGitHub, nil)
	u.Annotate("ERROR", "a: b, c", "dir/x,y:z.toml", 7, "bad\nvalue")
	want := "::error file=dir/x%2Cy%3Az.toml,line=7,title=a%3A b%2C c::bad%0Avalue\n"
	if out.String() != want {
		t.Fatalf("got %q, want %q", out.String(), want)
	}
	cmds := runnerParse(out.String())
	if len(cmds) != 1 {
		t.Fatalf("runner reads %d commands", len(cmds))
	}
	c := cmds[0]
	if c.Props["file"] != "dir/x,y:z.toml" || c.Props["line"] != "7" || c.Props["title"] != "a: b, c" || c.Data != "bad\nvalue" {
		t.Errorf("runner reads back %+v", c)
	}
}

func TestControlCharactersVisible(t *testing.T) {
	u, out, _ := testUI(t, ModeTTY, map[string]string{"NO_COLOR": "1"})
	// \u009b is C1 CSI; a bare 0x9b byte is invalid UTF-8 and becomes U+FFFD.
	u.Infof("a\x1b[31mb\x07c\u202ed\u009be\x9bf\tg")
	want := "a\\x1b[31mb\\x07c\\u202ed\\x9be\uFFFDf\tg\n"
	if out.String() != want {
		t.Errorf("got %q, want %q", out.String(), want)
	}
}

func FuzzHumanOutput(f *testing.F) {
	for _, s := range injections {
		f.Add(s)
	}
	f.Add("plain")
	f.Add("\xff\xfe::x::y")
	f.Fuzz(func(t *testing.T, s string) {
		u := New(Options{Mode: ModeGitHub, Stdout: &syncBuffer{}, Stderr: &syncBuffer{}, Getenv: envMap(nil)})
		out := u.stdout.(*syncBuffer)
		u.Infof("%s", s)
		u.Warnf("%s", s)
		u.Annotate("notice", s, s, 1, s)
		u.Table([]string{s}, [][]string{{s, s}})
		w, end := u.UntrustedBlock()
		fmt.Fprint(w, s)
		u.Warnf("%s", s)
		fmt.Fprint(w, s)
		end()
		got := commandNames(runnerParse(out.String()))
		want := []string{"warning", "notice", "stop-commands", "", "warning", "stop-commands", ""}
		if len(got) != len(want) {
			t.Fatalf("runner would run %q, want %q; output:\n%q", got, want, out.String())
		}
		for i := range want {
			if want[i] != "" && got[i] != want[i] {
				t.Fatalf("runner would run %q, want %q; output:\n%q", got, want, out.String())
			}
		}
	})
}
