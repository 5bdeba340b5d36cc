package ui

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// script is a short release-like session, hostile inputs included.
func script(u *UI) {
	u.StageStart("build")
	u.Infof("building %s for %d targets", "demo@1.2.3", 3)
	u.Infof("tag %s", "v1\n::add-mask::x")
	u.Warnf("tag %s", "v1\n::set-env name=A::B")
	u.Errorf("tag %s", "v1\r\n##[set-output name=a;]b")
	u.Annotate("error", "config: unknown key", "release.toml", 12, `unknown key "fo", did you mean "foo"?`)
	u.Annotate("notice", "", "", 0, "no location")
	u.Table([]string{"ARTIFACT", "SIZE", "SHA256"}, [][]string{
		{"demo_linux_amd64.tar.gz", HumanBytes(1234567), "9f86d081"},
		{"::evil\tname", "1 B"},
	})
	u.Mask("s3cr3t-value")
	u.Infof("token=%s", "s3cr3t-value")
	if u.Mode() != ModeTTY { // the live bar depends on the real clock
		p := u.Progress("hashing 3 files", 4<<20)
		for range 4 {
			p.Add(1 << 20)
		}
		p.Done()
	}
	w, end := u.UntrustedBlock()
	fmt.Fprint(w, "::set-output name=x::y\nplain line\npartial")
	u.Warnf("inside block")
	fmt.Fprint(w, " tail\n")
	end()
	u.StageEnd("build", "ok", 1234*time.Millisecond)
	fmt.Fprintln(u.RawStdout(), `{"tag":"##[x"}`)
}

func TestGolden(t *testing.T) {
	for _, tc := range []struct {
		file string
		mode Mode
		env  map[string]string
	}{
		{"tty.golden", ModeTTY, nil},
		{"tty-nocolor.golden", ModeTTY, map[string]string{"NO_COLOR": "1"}},
		{"plain.golden", ModePlain, nil},
		{"github.golden", ModeGitHub, map[string]string{"GITHUB_ACTIONS": "true"}},
		{"json.golden", ModeJSON, nil},
		{"json-actions.golden", ModeJSON, map[string]string{"GITHUB_ACTIONS": "true"}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			u, out, errOut := testUI(t, tc.mode, tc.env)
			script(u)
			got := "== stdout ==\n" + out.String() + "== stderr ==\n" + errOut.String()
			path := filepath.Join("testdata", tc.file)
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("output differs from %s (rerun with -update after checking):\n--- got ---\n%s\n--- want ---\n%s", path, got, want)
			}
		})
	}
}
