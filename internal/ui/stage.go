package ui

import (
	"strings"
	"time"
	"unicode/utf8"
)

// headerWidth is the width of a TTY stage header, rule included.
const headerWidth = 48

// StageStart opens a stage: a collapsible "::group::" in GitHub mode, a
// ruled header on a terminal, "== name" elsewhere.
func (u *UI) StageStart(name string) {
	switch u.mode {
	case ModeGitHub:
		u.mu.Lock()
		defer u.mu.Unlock()
		u.commandLocked("::group::" + u.commandData(name))
	case ModeTTY:
		header := "── " + name + " " + strings.Repeat("─", max(3, headerWidth-4-utf8.RuneCountInString(name)))
		u.say(header, u.paint(ansiBold, header), "")
	default:
		u.say("== "+name, "", "")
	}
}

// StageEnd closes a stage with a status line such as "build: ok (1.2s)";
// in GitHub mode the group is closed first so the status stays visible
// when the group is collapsed.
func (u *UI) StageEnd(name, status string, d time.Duration) {
	if u.mode == ModeGitHub {
		u.mu.Lock()
		u.commandLocked("::endgroup::")
		u.mu.Unlock()
	}
	label := name + ": " + status
	u.say(label, name+": "+u.paintStatus(status), "("+FormatDuration(d)+")")
}

// paintStatus colours the usual outcome words.
func (u *UI) paintStatus(status string) string {
	switch status {
	case "ok", "done", "passed", "published":
		return u.paint(ansiGreen, status)
	case "failed", "error":
		return u.paint(ansiRed, status)
	case "skipped", "planned", "dry-run":
		return u.paint(ansiYellow, status)
	}
	return status
}
