package sample

import (
	"bytes"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// field is one header of a Core Metadata file (METADATA, PKG-INFO).
type field struct{ key, value string }

// renderMetadata writes RFC 822-style headers, a blank line and body (may be empty). A value is
// refused, not escaped, when it could not be read back as written: a newline
// would let a manifest inject extra headers into what PyPI and pip parse, and
// surrounding blanks are trimmed away by every reader.
func renderMetadata(fields []field, body string) ([]byte, error) {
	var b bytes.Buffer
	for _, f := range fields {
		if err := checkHeaderValue(f.value); err != nil {
			return nil, fmt.Errorf("metadata field %s: %w", f.key, err)
		}
		b.WriteString(f.key)
		b.WriteString(": ")
		b.WriteString(f.value)
		b.WriteByte('\n')
	}
	b.WriteByte('\n') // the headers end at a blank line even when no body follows
	b.WriteString(body)
	return b.Bytes(), nil
}

func checkHeaderValue(v string) error {
	if v == "" {
		return fmt.Errorf("value is empty")
	}
	if !utf8.ValidString(v) {
		return fmt.Errorf("value is not valid UTF-8")
	}
	if strings.TrimSpace(v) != v {
		return fmt.Errorf("value %q has leading or trailing white space", v)
	}
	for _, r := range v {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return fmt.Errorf("value %q contains control character %U; it must be one line of text", v, r)
		}
	}
	return nil
}
