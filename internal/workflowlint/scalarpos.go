package workflowlint

import (
	"bytes"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// position is a 1-based line and character column.
type position struct{ line, col int }

// exprOpen is what starts an expression in a workflow string.
const exprOpen = "${{"

// exprOffsets lists where `${{` occurs in a string, left to right, not overlapping.
func exprOffsets(s string) []int {
	var out []int
	for i := 0; ; {
		k := indexFrom(s, exprOpen, i)
		if k < 0 {
			return out
		}
		out = append(out, k)
		i = k + len(exprOpen)
	}
}

func indexFrom(s, sub string, from int) int {
	if from > len(s) {
		return -1
	}
	k := strings.Index(s[from:], sub)
	if k < 0 {
		return -1
	}
	return from + k
}

// exprPositions finds in the file the first n occurrences of `${{` in scalar node v's
// value, so that the k-th occurrence in v.Value (see exprOffsets) is at the k-th position.
//
// The value yaml.v3 hands back has lost its layout: indentation and folding for block
// scalars, escapes for double-quoted ones. Block, plain and single-quoted scalars have
// no escape that could make or hide `${{`, and `${{` cannot span a line break in them,
// so the occurrences in the raw text, in order, are the value's. Double-quoted scalars
// are decoded here (\x24{{ is an expression too) keeping each character's position.
// Where the text does not yield n occurrences (it always should), the rest fall back to
// the node's own position.
func (s *sourceText) exprPositions(v *yaml.Node, n int) []position {
	var out []position
	if n > 0 {
		line, off := s.skipProperties(v.Line, s.byteOffset(v.Line, v.Column))
		l := s.line(line)
		switch {
		case off >= len(l):
		case v.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
			// The content starts on the line after the | or > indicator.
			out = s.rawPositions(line+1, 0, n)
		case v.Style&yaml.DoubleQuotedStyle != 0 && l[off] == '"':
			out = s.doubleQuotedPositions(line, off+1, n)
		case v.Style&yaml.SingleQuotedStyle != 0 && l[off] == '\'':
			out = s.rawPositions(line, off+1, n)
		default:
			out = s.rawPositions(line, off, n)
		}
	}
	for len(out) < n {
		out = append(out, position{v.Line, v.Column})
	}
	return out
}

// skipProperties moves from a node's reported start (which is its anchor or tag, when
// it has one) to its content: past &anchors, !tags, blanks, comments and line breaks.
func (s *sourceText) skipProperties(line, off int) (int, int) {
	for l := s.line(line); l != nil; l = s.line(line) {
		for off < len(l) && (l[off] == ' ' || l[off] == '\t') {
			off++
		}
		switch {
		case off >= len(l) || l[off] == '#':
			line, off = line+1, 0
		case l[off] == '&' || l[off] == '!':
			for off < len(l) && l[off] != ' ' && l[off] != '\t' {
				off++
			}
		default:
			return line, off
		}
	}
	return line, off
}

// rawPositions finds n occurrences of `${{` in the file from line, byte off onwards.
func (s *sourceText) rawPositions(line, off, n int) []position {
	var out []position
	for ; len(out) < n && s.line(line) != nil; line, off = line+1, 0 {
		l := s.line(line)
		for len(out) < n && off <= len(l) {
			k := bytes.Index(l[off:], []byte(exprOpen))
			if k < 0 {
				break
			}
			out = append(out, position{line, s.column(line, off+k)})
			off += k + len(exprOpen)
		}
	}
	return out
}

// doubleQuotedPositions decodes a double-quoted scalar from line, byte off (just after
// the opening quote) to its closing quote, and finds n occurrences of `${{` in the
// decoded text, each at the position of its first character's source (the $ itself or
// the backslash of its escape).
func (s *sourceText) doubleQuotedPositions(line, off, n int) []position {
	type char struct {
		r   rune
		pos position
	}
	var chars []char
	emit := func(r rune, line, off int) {
		chars = append(chars, char{r, position{line, s.column(line, off)}})
	}
	newLine := func(next int) (int, int) {
		l := s.line(next)
		off := 0
		for off < len(l) && (l[off] == ' ' || l[off] == '\t') {
			off++
		}
		return next, off
	}
scan:
	for l := s.line(line); l != nil; l = s.line(line) {
		if off >= len(l) {
			// An unescaped line break folds to a space (or newlines); either way it is
			// not part of an expression's opening.
			emit(' ', line, len(l))
			line, off = newLine(line + 1)
			continue
		}
		switch c := l[off]; c {
		case '"':
			break scan
		case '\\':
			if off+1 >= len(l) { // an escaped line break joins the lines with nothing
				line, off = newLine(line + 1)
				continue
			}
			width := 0 // hex digits of a \x, \u or \U escape
			switch l[off+1] {
			case 'x':
				width = 2
			case 'u':
				width = 4
			case 'U':
				width = 8
			}
			if width > 0 && off+2+width <= len(l) {
				if v, err := strconv.ParseUint(string(l[off+2:off+2+width]), 16, 32); err == nil {
					emit(rune(v), line, off)
					off += 2 + width
					continue
				}
			}
			// Any other escape is one character that cannot open an expression.
			_, w := utf8.DecodeRune(l[off+1:])
			emit(0, line, off)
			off += 1 + w
		default:
			r, w := utf8.DecodeRune(l[off:])
			emit(r, line, off)
			off += w
		}
	}
	var out []position
	for i := 0; i+2 < len(chars) && len(out) < n; i++ {
		if chars[i].r == '$' && chars[i+1].r == '{' && chars[i+2].r == '{' {
			out = append(out, chars[i].pos)
			i += 2
		}
	}
	return out
}
