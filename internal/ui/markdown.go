package ui

import "strings"

// MarkdownEscape makes an untrusted string inert inside step-summary
// markdown, including a table cell: every character that can start
// emphasis, code, a link or image, raw HTML, an entity, a heading or a cell
// break is backslash-escaped (GFM allows a backslash before any ASCII
// punctuation), and line breaks and other control characters become a
// space so the string cannot leave its line or its cell.
//
// Bare URLs ("www.example.com") may still be auto-linked by GitHub; such a
// link shows its own target, so it cannot disguise where it leads.
func MarkdownEscape(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	b.Grow(len(s) + 8)
	prevCR := false
	for _, r := range s {
		if r == '\n' && prevCR { // \r\n is one line break, one space
			prevCR = false
			continue
		}
		prevCR = r == '\r'
		switch {
		case strings.ContainsRune(markdownSpecial, r):
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\t':
			b.WriteRune(r)
		case isHiddenControl(r), r == '\u2028', r == '\u2029':
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

const markdownSpecial = "\\|`*_[]<>#&"
