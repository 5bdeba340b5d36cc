package pkgmeta

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Field is one header of a core metadata file, name as written.
type Field struct {
	Name, Value string
}

// CoreMetadata is a METADATA or PKG-INFO file (the Python core metadata
// specification): its headers in file order, multi-use fields repeated, and
// the body after the blank line, which is the description from metadata
// 2.1 on.
type CoreMetadata struct {
	Fields []Field
	Body   string
}

// ParseCoreMetadata reads RFC 822-style headers as Python's email parser
// does for core metadata (the compat32 policy packaging and twine use): a
// folded value keeps its line breaks and the continuation lines' leading
// white space. It is stricter than that parser in two ways that only
// matter for broken files: the content must be UTF-8 (PyPI refuses
// anything else), and a header line without a colon is an error instead of
// silently starting the body.
func ParseCoreMetadata(data []byte) (*CoreMetadata, error) {
	if len(data) > MaxMetadataSize {
		return nil, fmt.Errorf("core metadata is larger than %d bytes: %w", MaxMetadataSize, ErrTooLarge)
	}
	if !utf8.Valid(data) {
		return nil, errors.New("core metadata is not valid UTF-8")
	}
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	m := &CoreMetadata{}
	rest := text
	for lineNo := 1; rest != ""; lineNo++ {
		line, after, found := strings.Cut(rest, "\n")
		if !found {
			after = ""
		}
		rest = after
		if line == "" {
			m.Body = rest
			break
		}
		if line[0] == ' ' || line[0] == '\t' {
			if len(m.Fields) == 0 {
				return nil, fmt.Errorf("core metadata line %d: a continuation line before any header", lineNo)
			}
			m.Fields[len(m.Fields)-1].Value += "\n" + line
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok || !validFieldName(name) {
			return nil, fmt.Errorf("core metadata line %d: not a \"Name: value\" header", lineNo)
		}
		m.Fields = append(m.Fields, Field{Name: name, Value: strings.TrimLeft(value, " \t")})
	}
	if len(m.Fields) == 0 {
		return nil, errors.New("core metadata has no headers")
	}
	return m, nil
}

// validFieldName is RFC 5322's field-name: printable ASCII but colon and
// space.
func validFieldName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

// Get returns the first value of the header name (case-insensitive), or "".
func (m *CoreMetadata) Get(name string) string {
	for _, f := range m.Fields {
		if strings.EqualFold(f.Name, name) {
			return f.Value
		}
	}
	return ""
}

// All returns every value of the header name (case-insensitive), in order.
func (m *CoreMetadata) All(name string) []string {
	var vs []string
	for _, f := range m.Fields {
		if strings.EqualFold(f.Name, name) {
			vs = append(vs, f.Value)
		}
	}
	return vs
}

// Name is the Name header.
func (m *CoreMetadata) Name() string { return strings.TrimSpace(m.Get("Name")) }

// Version is the Version header.
func (m *CoreMetadata) Version() string { return strings.TrimSpace(m.Get("Version")) }

// MetadataVersion is the Metadata-Version header.
func (m *CoreMetadata) MetadataVersion() string { return strings.TrimSpace(m.Get("Metadata-Version")) }

// Description is the body when there is one (metadata 2.1+), else the
// Description header of older files.
func (m *CoreMetadata) Description() string {
	if m.Body != "" {
		return m.Body
	}
	return m.Get("Description")
}

// check requires what every upload needs: a name, a version and a
// metadata version.
func (m *CoreMetadata) check(file string) error {
	for _, h := range []string{"Metadata-Version", "Name", "Version"} {
		if strings.TrimSpace(m.Get(h)) == "" {
			return fmt.Errorf("%s has no %s header", file, h)
		}
	}
	return nil
}
