package audit

import (
	"unicode/utf8"
	"unsafe"
)

// jscan reads the compact JSON releaser writes (encoding/json.Marshal output: no
// whitespace, plain keys) without reflection and without allocating. It is the fast
// path of line parsing and data decoding: every method returns false on anything it
// does not read with certainty — whitespace, escapes in keys or values it decodes,
// null, numbers outside a plain integer, deep nesting — and the caller then takes the
// encoding/json path, which decides. So the fast path need not accept all valid JSON,
// but whatever it accepts must read exactly as encoding/json reads it (FuzzFastLine,
// FuzzFastData).
type jscan struct {
	b []byte
	i int
}

// maxFastDepth bounds the nesting the fast path skips over; deeper values (which
// releaser never writes) go to encoding/json and its own limit.
const maxFastDepth = 32

func (s *jscan) done() bool { return s.i == len(s.b) }

// lit consumes c if it is next.
func (s *jscan) lit(c byte) bool {
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// word consumes w if it is next.
func (s *jscan) word(w string) bool {
	if len(s.b)-s.i >= len(w) && string(s.b[s.i:s.i+len(w)]) == w {
		s.i += len(w)
		return true
	}
	return false
}

// plainString reads a string without escapes or control characters whose bytes are
// valid UTF-8: its decoded value is then exactly its bytes. It returns a view into the
// input.
func (s *jscan) plainString() ([]byte, bool) {
	if !s.lit('"') {
		return nil, false
	}
	b, i := s.b, s.i
	var high byte
	for i < len(b) && inString[b[i]] {
		high |= b[i]
		i++
	}
	if i >= len(b) || b[i] != '"' {
		return nil, false // an escape, a control character or the end
	}
	v := b[s.i:i]
	if high >= utf8.RuneSelf && !utf8.Valid(v) {
		return nil, false
	}
	s.i = i + 1
	return v, true
}

// inString is true for the bytes that stand for themselves inside a JSON string: all
// but the quote, the backslash and control characters.
var inString = func() (t [256]bool) {
	for c := range t {
		t[c] = c >= 0x20 && c != '"' && c != '\\'
	}
	return t
}()

// key reads `"name":` with a plain ASCII name (non-ASCII names can match a field by
// Unicode case folding, which the fast path leaves to encoding/json).
func (s *jscan) key() ([]byte, bool) {
	k, ok := s.plainString()
	if !ok || !s.lit(':') {
		return nil, false
	}
	for _, c := range k {
		if c >= utf8.RuneSelf {
			return nil, false
		}
	}
	return k, true
}

// int64 reads a plain integer (no fraction or exponent) of at most 18 digits, which
// fits an int64 whatever the digits, as encoding/json stores it into an int field.
func (s *jscan) int64() (int64, bool) {
	start := s.i
	if !s.number() {
		return 0, false
	}
	digits, neg := s.b[start:s.i], false
	if digits[0] == '-' {
		digits, neg = digits[1:], true
	}
	if len(digits) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false // a fraction or an exponent
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// bool reads true or false.
func (s *jscan) bool() (bool, bool) {
	switch {
	case s.word("true"):
		return true, true
	case s.word("false"):
		return false, true
	}
	return false, false
}

// number skips a JSON number and reports whether it was one.
func (s *jscan) number() bool {
	b, i := s.b, s.i
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	default:
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			return false
		}
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			return false
		}
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	}
	s.i = i
	return true
}

// skipString skips any valid JSON string, escapes included. Like encoding/json's
// scanner it does not require valid UTF-8 (a decoder replaces bad bytes).
func (s *jscan) skipString() bool {
	if !s.lit('"') {
		return false
	}
	b, i := s.b, s.i
	for {
		for i < len(b) && inString[b[i]] {
			i++
		}
		if i >= len(b) {
			return false
		}
		switch b[i] {
		case '"':
			s.i = i + 1
			return true
		case '\\':
			i++
			if i >= len(b) {
				return false
			}
			switch b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i++
			case 'u':
				if i+4 >= len(b) {
					return false
				}
				for _, h := range b[i+1 : i+5] {
					if !isHex(h) {
						return false
					}
				}
				i += 5
			default:
				return false
			}
		default:
			return false // a control character
		}
	}
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// skipValue skips one compact JSON value of any kind.
func (s *jscan) skipValue(depth int) bool {
	if s.i >= len(s.b) || depth > maxFastDepth {
		return false
	}
	switch c := s.b[s.i]; {
	case c == '"':
		return s.skipString()
	case c == '{':
		s.i++
		if s.lit('}') {
			return true
		}
		for {
			if !s.skipString() || !s.lit(':') || !s.skipValue(depth+1) {
				return false
			}
			if s.lit('}') {
				return true
			}
			if !s.lit(',') {
				return false
			}
		}
	case c == '[':
		s.i++
		if s.lit(']') {
			return true
		}
		for {
			if !s.skipValue(depth + 1) {
				return false
			}
			if s.lit(']') {
				return true
			}
			if !s.lit(',') {
				return false
			}
		}
	case c == 't':
		return s.word("true")
	case c == 'f':
		return s.word("false")
	case c == 'n':
		return s.word("null")
	default:
		return s.number()
	}
}

// object reads a compact object field by field. field is called with the index in
// names of each key that is one of names exactly, positioned at its value, and must
// consume the value. A key that differs from a name only in case (encoding/json would
// match it), or that repeats a name, ends the fast path; any other key is skipped,
// as encoding/json ignores fields it does not know. A null value is consumed here:
// encoding/json leaves the field as it was, and the fast path only ever fills a zero
// value, once per field.
func (s *jscan) object(names []string, field func(i int) bool) bool {
	if !s.lit('{') {
		return false
	}
	if s.lit('}') {
		return true
	}
	var seen uint64
	for {
		k, ok := s.key()
		if !ok {
			return false
		}
		idx, fold := matchKey(k, names)
		switch {
		case idx >= 0:
			if seen&(1<<idx) != 0 || !(s.word("null") || field(idx)) {
				return false
			}
			seen |= 1 << idx
		case fold:
			return false
		default:
			if !s.skipValue(1) {
				return false
			}
		}
		if s.lit('}') {
			return true
		}
		if !s.lit(',') {
			return false
		}
	}
}

// matchKey returns the index of the name k is, or -1 and whether k equals a name but
// for ASCII case.
func matchKey(k []byte, names []string) (int, bool) {
	for i, n := range names {
		if string(k) == n {
			return i, false
		}
	}
	for _, n := range names {
		if asciiEqualFold(k, n) {
			return -1, true
		}
	}
	return -1, false
}

func asciiEqualFold(k []byte, n string) bool {
	if len(k) != len(n) {
		return false
	}
	for i := range k {
		a, b := k[i], n[i]
		if 'A' <= a && a <= 'Z' {
			a += 'a' - 'A'
		}
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		if a != b {
			return false
		}
	}
	return true
}

// str reads a plain string into *dst.
func (s *jscan) str(dst *string) bool {
	v, ok := s.plainString()
	if ok {
		*dst = s.text(v)
	}
	return ok
}

// text is b, a part of the input, as a string that shares its memory rather than
// copying it: decoding event data allocates little. Only the data decoders use it, on
// event data that no one changes (decodeData says so).
func (s *jscan) text(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// strings reads an array of plain strings (a null element is ""). An empty array is
// an empty, non-nil slice, as encoding/json makes it.
func (s *jscan) strings(dst *[]string) bool {
	if !s.lit('[') {
		return false
	}
	out := []string{}
	if !s.lit(']') {
		for {
			if s.word("null") {
				out = append(out, "")
			} else if v, ok := s.plainString(); ok {
				out = append(out, s.text(v))
			} else {
				return false
			}
			if s.lit(']') {
				break
			}
			if !s.lit(',') {
				return false
			}
		}
	}
	*dst = out
	return true
}
