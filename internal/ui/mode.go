package ui

import (
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/term"
)

// Mode is how output is shaped for whoever reads it.
type Mode int

const (
	// ModeTTY is a person at a terminal: colours and a live progress bar.
	ModeTTY Mode = iota
	// ModePlain is a CI log or a pipe: plain lines, bounded progress lines.
	ModePlain
	// ModeGitHub is a GitHub Actions step: groups, annotations, masks.
	ModeGitHub
	// ModeJSON reserves stdout for one JSON document; humans read stderr.
	ModeJSON
)

func (m Mode) String() string {
	switch m {
	case ModeTTY:
		return "tty"
	case ModePlain:
		return "plain"
	case ModeGitHub:
		return "github"
	case ModeJSON:
		return "json"
	}
	return "Mode(" + strconv.Itoa(int(m)) + ")"
}

// Detect chooses the mode: JSON if asked for, GitHub inside Actions, plain
// when CI is set or stdout is not a terminal, TTY otherwise. A nil getenv
// reads the process environment.
func Detect(jsonFlag bool, stdout io.Writer, getenv func(string) string) Mode {
	if getenv == nil {
		getenv = os.Getenv
	}
	switch {
	case jsonFlag:
		return ModeJSON
	case getenv("GITHUB_ACTIONS") == "true":
		return ModeGitHub
	case isTrue(getenv("CI")):
		return ModePlain
	case !isTerminal(stdout):
		return ModePlain
	}
	return ModeTTY
}

func isTrue(v string) bool {
	return strings.EqualFold(v, "true") || v == "1"
}

// isTerminal only trusts an *os.File: any other writer (a buffer, a pipe
// wrapper) is not something a person watches live.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && f != nil && term.IsTerminal(int(f.Fd()))
}
