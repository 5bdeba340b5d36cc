package ui

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
)

// paint wraps s in an ANSI colour when colours are on. Only text this
// package chose (labels, headers) is painted, never untrusted text.
func (u *UI) paint(color, s string) string {
	if !u.color || color == "" {
		return s
	}
	return color + s + ansiReset
}
