package ui

import (
	"crypto/rand"
	"encoding/hex"
	"io"
	"os"
	"sync"
	"time"
)

// Options configures New. Zero values mean the process's own streams,
// environment and clock.
type Options struct {
	Mode   Mode
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	// Now is the clock for progress rates; tests pin it.
	Now func() time.Time
}

// UI writes everything a person or the Actions runner sees. It is safe for
// concurrent use: one mutex serialises every write, so lines never
// interleave and the stop-commands state stays consistent.
type UI struct {
	mode    Mode
	stdout  io.Writer
	stderr  io.Writer
	human   io.Writer // stderr in JSON mode, stdout otherwise
	getenv  func(string) string
	now     func() time.Time
	color   bool
	actions bool // the Actions runner parses our output for commands
	// newToken makes stop-commands tokens and heredoc delimiters; tests
	// replace it to get stable golden files.
	newToken func() string

	mu        sync.Mutex
	secrets   []string // longest first, so a secret's prefix never masks half of it
	stopToken string   // non-empty while the runner's command processing is stopped
	blocks    int      // open untrusted blocks
	partial   bool     // raw output left stdout in the middle of a line
	rawHashes int      // trailing '#' count of raw stdout output, for "##[" split across writes

	fileMu sync.Mutex // serialises appends to GITHUB_OUTPUT / GITHUB_STEP_SUMMARY
}

// New returns a UI for o.
func New(o Options) *UI {
	u := &UI{
		mode:     o.Mode,
		stdout:   o.Stdout,
		stderr:   o.Stderr,
		getenv:   o.Getenv,
		now:      o.Now,
		newToken: randomToken,
	}
	if u.stdout == nil {
		u.stdout = os.Stdout
	}
	if u.stderr == nil {
		u.stderr = os.Stderr
	}
	if u.getenv == nil {
		u.getenv = os.Getenv
	}
	if u.now == nil {
		u.now = time.Now
	}
	u.human = u.stdout
	if u.mode == ModeJSON {
		u.human = u.stderr
	}
	// https://no-color.org: present and non-empty disables colour.
	u.color = u.mode == ModeTTY && u.getenv("NO_COLOR") == "" && u.getenv("TERM") != "dumb"
	// --json inside Actions still has its stderr parsed by the runner.
	u.actions = u.mode == ModeGitHub || u.getenv("GITHUB_ACTIONS") == "true"
	return u
}

// Mode reports the mode the UI was created with.
func (u *UI) Mode() Mode { return u.mode }

// writeHumanLocked writes s, which must end with a line break, to the human
// stream. Output is ignored on error: a closed terminal must not fail a
// release that is otherwise fine.
func (u *UI) writeHumanLocked(s string) {
	if u.partial && u.mode != ModeJSON {
		// A command or header must start its own line to mean anything.
		s = "\n" + s
		u.partial = false
	}
	_, _ = io.WriteString(u.human, s)
}

// randomToken returns 32 hex digits from the OS CSPRNG: unguessable by
// output we do not control, so it cannot resume command processing.
func randomToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (it aborts the program instead)
	return hex.EncodeToString(b[:])
}
