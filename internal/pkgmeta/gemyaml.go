package pkgmeta

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// topKey is a YAML mapping key at column 0.
var topKey = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*):(?:[ \t]+(.*))?$`)

// ParseGemSpec reads name, version and platform from a YAML
// Gem::Specification as `gem build` writes it. It is not a YAML parser: it
// reads only those top-level scalars (and the version nested under the
// Gem::Version tag) and refuses the YAML forms a gem build never writes
// for them, rather than guessing.
func ParseGemSpec(data []byte) (*Gem, error) {
	if len(data) > MaxMetadataSize {
		return nil, fmt.Errorf("gem specification is larger than %d bytes: %w", MaxMetadataSize, ErrTooLarge)
	}
	if !utf8.Valid(data) {
		return nil, errors.New("gem specification is not valid UTF-8")
	}
	g := &Gem{}
	var seenName, seenVersion, inVersion bool
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSuffix(line, "\r")
		if line == "" || line[0] == '#' || strings.HasPrefix(line, "---") || strings.HasPrefix(line, "...") {
			continue
		}
		if line[0] == ' ' || line[0] == '\t' || line[0] == '-' {
			if !inVersion {
				continue
			}
			k, v, ok := strings.Cut(strings.TrimSpace(line), ":")
			if !ok || k != "version" {
				continue
			}
			s, err := yamlScalar(v)
			if err != nil {
				return nil, fmt.Errorf("gem specification line %d: version: %w", i+1, err)
			}
			g.Version, inVersion, seenVersion = s, false, true
			continue
		}
		inVersion = false
		m := topKey.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		key, val := m[1], strings.TrimSpace(m[2])
		var dst *string
		switch key {
		case "name":
			dst, seenName = &g.Name, true
		case "platform":
			dst = &g.Platform
		case "version":
			if strings.HasPrefix(val, "!ruby/object:Gem::Version") {
				inVersion = true
				continue
			}
			dst, seenVersion = &g.Version, true
		default:
			continue
		}
		s, err := yamlScalar(val)
		if err != nil {
			return nil, fmt.Errorf("gem specification line %d: %s: %w", i+1, key, err)
		}
		*dst = s
	}
	if !seenName || g.Name == "" {
		return nil, errors.New("gem specification has no name")
	}
	if !seenVersion || g.Version == "" {
		return nil, errors.New("gem specification has no version")
	}
	if g.Platform == "" {
		g.Platform = "ruby"
	}
	for _, s := range []string{g.Name, g.Version, g.Platform} {
		if strings.ContainsAny(s, "\n\r\t /") {
			return nil, fmt.Errorf("gem specification value %q has white space or a slash", s)
		}
	}
	return g, nil
}

// yamlScalar decodes a one-line plain, single- or double-quoted scalar.
func yamlScalar(v string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" || v == "~" || v == "null" {
		return "", nil
	}
	switch v[0] {
	case '\'':
		var b strings.Builder
		for i := 1; i < len(v); i++ {
			if v[i] != '\'' {
				b.WriteByte(v[i])
				continue
			}
			if i+1 < len(v) && v[i+1] == '\'' {
				b.WriteByte('\'')
				i++
				continue
			}
			if rest := strings.TrimSpace(v[i+1:]); rest != "" && rest[0] != '#' {
				return "", errors.New("text after a quoted value")
			}
			return b.String(), nil
		}
		return "", errors.New("unterminated single-quoted value")
	case '"':
		return doubleQuoted(v)
	case '!', '&', '*', '|', '>', '[', '{', '@', '`', '%':
		return "", fmt.Errorf("YAML form %q is not supported here", v[:1])
	}
	if i := strings.Index(v, " #"); i >= 0 {
		v = strings.TrimSpace(v[:i])
	}
	return v, nil
}

func doubleQuoted(v string) (string, error) {
	var b strings.Builder
	for i := 1; i < len(v); i++ {
		c := v[i]
		switch c {
		case '"':
			if rest := strings.TrimSpace(v[i+1:]); rest != "" && rest[0] != '#' {
				return "", errors.New("text after a quoted value")
			}
			return b.String(), nil
		case '\\':
			if i+1 >= len(v) {
				return "", errors.New("unterminated escape")
			}
			i++
			switch e := v[i]; e {
			case '\\', '"', '/':
				b.WriteByte(e)
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case '0':
				b.WriteByte(0)
			case ' ':
				b.WriteByte(' ')
			case 'x', 'u', 'U':
				n := map[byte]int{'x': 2, 'u': 4, 'U': 8}[e]
				if i+n >= len(v) {
					return "", errors.New("short escape")
				}
				r, err := strconv.ParseUint(v[i+1:i+1+n], 16, 32)
				if err != nil || !utf8.ValidRune(rune(r)) {
					return "", errors.New("bad escape")
				}
				b.WriteRune(rune(r))
				i += n
			default:
				return "", fmt.Errorf("escape \\%c is not supported", e)
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", errors.New("unterminated double-quoted value")
}
