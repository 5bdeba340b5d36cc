package ui

import (
	"strings"
	"testing"
)

func TestMask(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mode   Mode
		env    map[string]string
		secret string
		stdout string
		stderr string
	}{
		{"github", ModeGitHub, nil, "tok-123", "::add-mask::tok-123\n", ""},
		{"github escapes", ModeGitHub, nil, "50%off", "::add-mask::50%25off\n", ""},
		{"github multi-line masks each line too", ModeGitHub, nil, "line1\nline2",
			"::add-mask::line1%0Aline2\n::add-mask::line1\n::add-mask::line2\n", ""},
		{"github empty", ModeGitHub, nil, "", "", ""},
		{"github blank", ModeGitHub, nil, " \t", "", ""},
		{"plain", ModePlain, nil, "tok-123", "", ""},
		{"tty", ModeTTY, nil, "tok-123", "", ""},
		{"json", ModeJSON, nil, "tok-123", "", ""},
		{"json inside actions masks on stderr", ModeJSON, map[string]string{"GITHUB_ACTIONS": "true"}, "tok-123", "", "::add-mask::tok-123\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u, out, errOut := testUI(t, tc.mode, tc.env)
			u.Mask(tc.secret)
			if out.String() != tc.stdout || errOut.String() != tc.stderr {
				t.Errorf("stdout %q stderr %q, want %q %q", out.String(), errOut.String(), tc.stdout, tc.stderr)
			}
		})
	}
}

// Masked secrets never reach our own output, in any mode or path.
func TestMaskRedactsEverywhere(t *testing.T) {
	const secret = "s3cr3t-tok"
	for _, mode := range []Mode{ModeTTY, ModePlain, ModeGitHub, ModeJSON} {
		u, out, errOut := testUI(t, mode, nil)
		u.Mask(secret)
		u.Mask("ab\ncd") // parts of a multi-line secret are secrets too
		u.Infof("token %s", secret)
		u.Warnf("token %s", secret)
		u.Errorf("token %s", secret)
		u.Annotate("error", secret, secret, 1, secret)
		u.Table([]string{secret}, [][]string{{"x" + secret + "x"}})
		u.StageStart(secret)
		u.StageEnd(secret, "ok", 0)
		p := u.Progress(secret, 1)
		p.Add(1)
		p.Done()
		w, end := u.UntrustedBlock()
		w.Write([]byte("build printed " + secret + " and cd\n"))
		end()
		var kept []string
		for _, line := range strings.SplitAfter(out.String()+errOut.String(), "\n") {
			if !strings.HasPrefix(line, "::add-mask::") {
				kept = append(kept, line)
			}
		}
		all := strings.Join(kept, "")
		if strings.Contains(all, secret) || strings.Contains(all, "cd\n") {
			t.Errorf("%v: secret printed:\n%s", mode, all)
		}
	}
}

func TestMaskWhileBlockOpenIsNotLost(t *testing.T) {
	u, out, _ := testUI(t, ModeGitHub, nil)
	_, end := u.UntrustedBlock()
	u.Mask("tok-123")
	end()
	cmds := runnerParse(out.String())
	var masked []string
	for _, c := range cmds {
		if c.Name == "add-mask" {
			masked = append(masked, c.Data)
		}
	}
	if len(masked) != 1 || masked[0] != "tok-123" {
		t.Errorf("runner masked %q; output:\n%s", masked, out.String())
	}
}
