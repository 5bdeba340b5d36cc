package ui

import (
	"slices"
	"strings"
)

// redacted replaces a masked secret in everything this package prints.
const redacted = "***"

// Mask registers a secret. Inside Actions (ModeGitHub, or --json on a
// runner) it issues "::add-mask::" at once, so the runner hides it from
// every later log line, ours or not. In every mode the UI itself then
// prints "***" in its place. An empty or all-whitespace secret is ignored:
// the runner rejects it and masking nothing would garble output.
//
// The runner masks line by line, so a multi-line secret is also registered
// one line at a time.
func (u *UI) Mask(secret string) {
	if strings.TrimSpace(secret) == "" {
		return
	}
	parts := []string{secret}
	if lines := splitLines(secret); len(lines) > 1 {
		for _, l := range lines {
			if strings.TrimSpace(l) != "" && !slices.Contains(parts, l) {
				parts = append(parts, l)
			}
		}
	}

	u.mu.Lock()
	defer u.mu.Unlock()
	for _, p := range parts {
		if !slices.Contains(u.secrets, p) {
			u.secrets = append(u.secrets, p)
		}
	}
	slices.SortStableFunc(u.secrets, func(a, b string) int { return len(b) - len(a) })
	if !u.actions {
		return
	}
	for _, p := range parts {
		// Raw, not commandData: the runner must learn the exact bytes.
		u.commandLocked("::add-mask::" + EscapeData(p))
	}
}

func (u *UI) redactLocked(s string) string {
	for _, secret := range u.secrets {
		s = strings.ReplaceAll(s, secret, redacted)
	}
	return s
}
