package ui

import (
	"bytes"
	"io"
	"os"
	"testing"
)

func TestDetect(t *testing.T) {
	pipeR, pipeW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pipeR.Close(); _ = pipeW.Close() })
	tty := func(t *testing.T) io.Writer { return openTerminal(t) }
	buffer := func(*testing.T) io.Writer { return &bytes.Buffer{} }
	pipe := func(*testing.T) io.Writer { return pipeW }

	for _, tc := range []struct {
		name   string
		json   bool
		env    map[string]string
		stdout func(*testing.T) io.Writer
		want   Mode
	}{
		{"terminal", false, nil, tty, ModeTTY},
		{"terminal NO_COLOR is still a terminal", false, map[string]string{"NO_COLOR": "1"}, tty, ModeTTY},
		{"json wins over everything", true, map[string]string{"GITHUB_ACTIONS": "true", "CI": "true"}, tty, ModeJSON},
		{"json on a pipe", true, nil, pipe, ModeJSON},
		{"actions", false, map[string]string{"GITHUB_ACTIONS": "true", "CI": "true"}, pipe, ModeGitHub},
		{"actions on a terminal", false, map[string]string{"GITHUB_ACTIONS": "true"}, tty, ModeGitHub},
		{"GITHUB_ACTIONS must be exactly true", false, map[string]string{"GITHUB_ACTIONS": "1"}, tty, ModeTTY},
		{"CI=true on a terminal", false, map[string]string{"CI": "true"}, tty, ModePlain},
		{"CI=1", false, map[string]string{"CI": "1"}, tty, ModePlain},
		{"CI=TRUE", false, map[string]string{"CI": "TRUE"}, tty, ModePlain},
		{"CI=false on a terminal", false, map[string]string{"CI": "false"}, tty, ModeTTY},
		{"pipe", false, nil, pipe, ModePlain},
		{"not a file", false, nil, buffer, ModePlain},
		{"nil writer", false, nil, func(*testing.T) io.Writer { return nil }, ModePlain},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Detect(tc.json, tc.stdout(t), envMap(tc.env)); got != tc.want {
				t.Errorf("Detect = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestColour(t *testing.T) {
	for _, tc := range []struct {
		name string
		mode Mode
		env  map[string]string
		want bool
	}{
		{"tty", ModeTTY, nil, true},
		{"NO_COLOR", ModeTTY, map[string]string{"NO_COLOR": "1"}, false},
		{"empty NO_COLOR does not count", ModeTTY, map[string]string{"NO_COLOR": ""}, true},
		{"dumb terminal", ModeTTY, map[string]string{"TERM": "dumb"}, false},
		{"plain", ModePlain, nil, false},
		{"github", ModeGitHub, nil, false},
		{"json", ModeJSON, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u, out, _ := testUI(t, tc.mode, tc.env)
			u.Warnf("x")
			if got := bytes.Contains([]byte(out.String()), []byte("\x1b[")); got != tc.want {
				t.Errorf("colour = %v, want %v (output %q)", got, tc.want, out.String())
			}
		})
	}
}

func TestJSONModeKeepsStdoutForTheDocument(t *testing.T) {
	u, out, errOut := testUI(t, ModeJSON, nil)
	u.Infof("info")
	u.Warnf("warn")
	u.Errorf("err")
	u.Table([]string{"a"}, nil)
	u.StageStart("s")
	u.StageEnd("s", "ok", 0)
	u.Annotate("error", "", "f", 1, "m")
	p := u.Progress("p", 10)
	p.Add(10)
	p.Done()
	if out.String() != "" {
		t.Errorf("stdout = %q, want nothing before the document", out.String())
	}
	if errOut.String() == "" {
		t.Error("no human output on stderr")
	}
	io.WriteString(u.RawStdout(), `{"ok":true}`+"\n")
	if out.String() != `{"ok":true}`+"\n" {
		t.Errorf("stdout = %q", out.String())
	}
}
