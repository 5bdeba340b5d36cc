package ui

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// safeLines runs the neutralising pipeline described in the package comment
// (minus redaction, which needs the secret list) and returns the lines.
func safeLines(text string) []string {
	lines := splitLines(strings.ToValidUTF8(text, "\uFFFD"))
	for i, l := range lines {
		lines[i] = neutralize(visible(l, false))
	}
	return lines
}

// splitLines splits where the runner's line reader does: \r\n, \r and \n.
func splitLines(s string) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.Split(s, "\n")
}

// trimOneNewline lets Infof("x\n") and Infof("x") print the same line.
func trimOneNewline(s string) string {
	if t, ok := strings.CutSuffix(s, "\r\n"); ok {
		return t
	}
	return strings.TrimSuffix(s, "\n")
}

// neutralize makes one line unparseable as a workflow command. The runner
// trims leading whitespace with .NET's char.IsWhiteSpace, the same set as
// unicode.IsSpace, before looking for "::"; "##[" counts anywhere.
func neutralize(line string) string {
	line = neutralizeV1(line)
	trimmed := strings.TrimLeftFunc(line, unicode.IsSpace)
	if strings.HasPrefix(trimmed, "::") {
		i := len(line) - len(trimmed)
		line = line[:i] + "%3A" + line[i+1:]
	}
	return line
}

// neutralizeV1 rewrites every "##[" as "%23#["; the result cannot contain
// "##[" again because each "#[" left behind follows a '3'.
func neutralizeV1(s string) string {
	return strings.ReplaceAll(s, "##[", "%23#[")
}

// visible shows control characters as escapes. Tabs stay (tables and
// indentation use them); \r and \n stay only when keepBreaks is set, for
// payloads that EscapeData encodes next.
func visible(s string, keepBreaks bool) string {
	if !needsVisible(s, keepBreaks) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for _, r := range s {
		switch {
		case keepBreaks && (r == '\r' || r == '\n'):
			b.WriteRune(r)
		case isHiddenControl(r):
			if r < 0x100 {
				fmt.Fprintf(&b, `\x%02x`, r)
			} else {
				fmt.Fprintf(&b, `\u%04x`, r)
			}
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func needsVisible(s string, keepBreaks bool) bool {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		if isHiddenControl(r) && !(keepBreaks && (r == '\r' || r == '\n')) {
			return true
		}
	}
	return false
}

// isHiddenControl: C0 except tab, DEL, C1 (a terminal may take U+009B as
// CSI), and the bidi embeddings/overrides/isolates used to make text read
// differently from how it is stored.
func isHiddenControl(r rune) bool {
	switch {
	case r == '\t':
		return false
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}
