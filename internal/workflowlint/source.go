package workflowlint

import (
	"bytes"
	"fmt"
	"unicode/utf8"
)

// sourceText is the file split into lines the way the YAML parser counts them, so a
// node's line and column can be turned back into bytes and the other way round.
type sourceText struct {
	lines [][]byte // without their line breaks; the first without a byte-order mark
}

// strictPositions makes an out-of-range position a panic instead of being clamped into
// the file. Tests set it so a wrong position computation cannot hide.
var strictPositions = false

func newSourceText(src []byte) *sourceText {
	src = bytes.TrimPrefix(src, []byte("\xef\xbb\xbf"))
	s := &sourceText{}
	start := 0
	for i := 0; i < len(src); {
		// YAML (and yaml.v3) breaks lines at CR LF, CR, LF, NEL, LS and PS.
		n := 0
		switch {
		case src[i] == '\r' && i+1 < len(src) && src[i+1] == '\n':
			n = 2
		case src[i] == '\r' || src[i] == '\n':
			n = 1
		case bytes.HasPrefix(src[i:], []byte("\u0085")),
			bytes.HasPrefix(src[i:], []byte("\u2028")),
			bytes.HasPrefix(src[i:], []byte("\u2029")):
			_, n = utf8.DecodeRune(src[i:])
		}
		if n == 0 {
			i++
			continue
		}
		s.lines = append(s.lines, src[start:i])
		i += n
		start = i
	}
	s.lines = append(s.lines, src[start:])
	return s
}

// line is the text of a 1-based line; nil past either end.
func (s *sourceText) line(n int) []byte {
	if n < 1 || n > len(s.lines) {
		return nil
	}
	return s.lines[n-1]
}

// byteOffset turns a 1-based character column into a byte offset in the line.
func (s *sourceText) byteOffset(line, col int) int {
	l := s.line(line)
	off := 0
	for c := 1; c < col && off < len(l); c++ {
		_, w := utf8.DecodeRune(l[off:])
		off += w
	}
	return off
}

// column turns a byte offset in a line into a 1-based character column.
func (s *sourceText) column(line, off int) int {
	l := s.line(line)
	if off > len(l) {
		off = len(l)
	}
	return utf8.RuneCount(l[:off]) + 1
}

// clamp keeps a position inside the file (a column may point just past a line's last
// character, where an insertion would go).
func (s *sourceText) clamp(line, col int) (int, int) {
	ok := line >= 1 && line <= len(s.lines) && col >= 1 && col <= utf8.RuneCount(s.lines[line-1])+1
	if ok {
		return line, col
	}
	if strictPositions {
		panic(fmt.Sprintf("workflowlint: position %d:%d outside the file (%d lines)", line, col, len(s.lines)))
	}
	line = min(max(line, 1), len(s.lines))
	col = min(max(col, 1), utf8.RuneCount(s.lines[line-1])+1)
	return line, col
}
