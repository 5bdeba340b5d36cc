package ui

import "strings"

// dataEscaper and propertyEscaper follow escapeData/escapeProperty in
// actions/toolkit's command.ts; "%" is listed first in the runner's own
// tables too, and strings.Replacer never rescans its output, so "%" in the
// input cannot combine with a later replacement.
var (
	dataEscaper     = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	propertyEscaper = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
)

// EscapeData escapes the message part of a workflow command ("::cmd::DATA"):
// % -> %25, \r -> %0D, \n -> %0A. The runner undoes exactly this.
func EscapeData(s string) string { return dataEscaper.Replace(s) }

// EscapeProperty escapes a property value ("::cmd key=VALUE::"): like
// EscapeData, plus : -> %3A and , -> %2C, which would otherwise end the
// property list or the command.
func EscapeProperty(s string) string { return propertyEscaper.Replace(s) }

// commandData prepares an untrusted payload of a command we issue: secrets
// out, control characters visible, then toolkit escaping. "##[" is split as
// well; a v2 command is never reparsed as v1, but an annotation the server
// declines (notice without enhanced annotations) is echoed verbatim.
func (u *UI) commandData(s string) string {
	return neutralizeV1(EscapeData(visible(u.redactLocked(s), true)))
}

func (u *UI) commandProperty(s string) string {
	return neutralizeV1(EscapeProperty(visible(u.redactLocked(s), true)))
}
