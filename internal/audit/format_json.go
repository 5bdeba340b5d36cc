package audit

import (
	"bufio"
	"strconv"
	"unicode/utf8"
)

// jsonFormat writes Report.JSON's document by hand, byte for byte what
// encoding/json.Encoder with SetIndent("", "  ") writes for it (TestJSONMatchesEncoder),
// without reflection: an audit of many releases writes a large document.
type jsonFormat struct{}

func (jsonFormat) head(b *bufio.Writer, h *reportHead) {
	buf := b.AvailableBuffer()
	buf = append(buf, "{\n  \"schema\": "...)
	buf = strconv.AppendInt(buf, JSONSchemaVersion, 10)
	buf = append(buf, ",\n  \"failed\": "...)
	buf = strconv.AppendBool(buf, h.failed)
	buf = append(buf, ",\n  \"chains\": ["...)
	for i, c := range h.chains {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, "\n    {\n      \"source\": "...)
		buf = appendJSONString(buf, c.Source)
		buf = append(buf, ",\n      \"ok\": "...)
		buf = strconv.AppendBool(buf, c.OK)
		buf = append(buf, ",\n      \"events\": "...)
		buf = strconv.AppendInt(buf, int64(c.Events), 10)
		if !c.OK && c.Error != "" {
			buf = append(buf, ",\n      \"error\": "...)
			buf = appendJSONString(buf, c.Error)
		}
		buf = append(buf, "\n    }"...)
		b.Write(buf)
		buf = b.AvailableBuffer()
	}
	if len(h.chains) > 0 {
		buf = append(buf, "\n  "...)
	}
	buf = append(buf, "],\n  \"releases\": ["...)
	b.Write(buf)
}

func (jsonFormat) release(b *bufio.Writer, _ *reportHead, i int, rr *ReleaseReport) {
	buf := b.AvailableBuffer()
	if i > 0 {
		buf = append(buf, ',')
	}
	buf = append(buf, "\n    {\n      \"id\": "...)
	buf = appendJSONString(buf, rr.ID)
	buf = append(buf, ",\n      \"status\": "...)
	buf = appendJSONString(buf, string(rr.status()))
	buf = append(buf, ",\n      \"findings\": ["...)
	for k, f := range rr.Findings {
		if k > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, "\n        {\n          \"rule\": "...)
		buf = appendJSONString(buf, f.Rule)
		buf = append(buf, ",\n          \"title\": "...)
		buf = appendJSONString(buf, f.Title)
		buf = append(buf, ",\n          \"status\": "...)
		buf = appendJSONString(buf, string(f.Status))
		buf = append(buf, ",\n          \"evidence\": ["...)
		for n, e := range f.Evidence {
			if n > 0 {
				buf = append(buf, ',')
			}
			buf = append(buf, "\n            "...)
			buf = appendJSONString(buf, e)
		}
		if len(f.Evidence) > 0 {
			buf = append(buf, "\n          "...)
		}
		buf = append(buf, "]\n        }"...)
		b.Write(buf)
		buf = b.AvailableBuffer()
	}
	if len(rr.Findings) > 0 {
		buf = append(buf, "\n      "...)
	}
	buf = append(buf, "]\n    }"...)
	b.Write(buf)
}

func (jsonFormat) tail(b *bufio.Writer, h *reportHead) {
	if h.releases > 0 {
		b.WriteString("\n  ")
	}
	b.WriteString("]\n}\n")
}

// appendJSONString appends s as encoding/json writes a string with HTML escaping on
// (its default): <, > and & as \u003c…, control characters escaped, invalid UTF-8 as
// \ufffd, U+2028 and U+2029 escaped.
func appendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '\\', '"':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
