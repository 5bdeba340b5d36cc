package config

import (
	"fmt"
	"regexp"
	"strings"
)

// BurntSushi/toml reports undecoded keys without positions, so this finds them
// in the source. It understands enough TOML to place keys (tables, arrays of
// tables, dotted and quoted keys, inline tables, multi-line strings); when it
// cannot place a key the error simply has no line.

type keyPos struct {
	key     string // dotted, no indexes: "registry.package"
	display string // with array indexes: "registry[1].package"
	line    int
}

var (
	reArrayHeader = regexp.MustCompile(`^\s*\[\[\s*([^\]]+?)\s*\]\]`)
	reHeader      = regexp.MustCompile(`^\s*\[\s*([^\]]+?)\s*\]`)
	reKey         = regexp.MustCompile(`^\s*((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*=\s*(.*)$`)
	reInlineKey   = regexp.MustCompile(`(?:^|[{,])\s*([A-Za-z0-9_-]+|"[^"]*")\s*=`)
)

func locateKeys(src string) []keyPos {
	var (
		out      []keyPos
		table    []string // current table path without indexes
		display  string   // current table path with indexes
		counts   = map[string]int{}
		inString string // the delimiter of an open multi-line string
	)
	for i, line := range strings.Split(src, "\n") {
		n := i + 1
		if inString != "" {
			if strings.Contains(line, inString) {
				inString = ""
			}
			continue
		}
		if m := reArrayHeader.FindStringSubmatch(line); m != nil {
			table = splitKey(m[1])
			k := strings.Join(table, ".")
			display = fmt.Sprintf("%s[%d]", k, counts[k])
			counts[k]++
			out = append(out, keyPos{key: k, display: display, line: n})
			continue
		}
		if m := reHeader.FindStringSubmatch(line); m != nil {
			table = splitKey(m[1])
			display = displayFor(table, counts)
			out = append(out, keyPos{key: strings.Join(table, "."), display: display, line: n})
			continue
		}
		m := reKey.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		parts := append(append([]string{}, table...), splitKey(m[1])...)
		disp := joinDisplay(display, splitKey(m[1]))
		out = append(out, keyPos{key: strings.Join(parts, "."), display: disp, line: n})
		rest := m[2]
		if strings.HasPrefix(rest, "{") {
			for _, im := range reInlineKey.FindAllStringSubmatch(rest, -1) {
				sub := splitKey(im[1])
				out = append(out, keyPos{
					key:     strings.Join(append(append([]string{}, parts...), sub...), "."),
					display: joinDisplay(disp, sub),
					line:    n,
				})
			}
		}
		for _, q := range []string{`"""`, `'''`} {
			if strings.Count(rest, q)%2 == 1 {
				inString = q
			}
		}
	}
	return out
}

// displayFor names a [table] header, keeping the index of an enclosing
// array of tables ([registry.env] after the second [[registry]] is registry[1].env).
func displayFor(table []string, counts map[string]int) string {
	for i := len(table); i > 0; i-- {
		prefix := strings.Join(table[:i], ".")
		if c, ok := counts[prefix]; ok {
			return joinDisplay(fmt.Sprintf("%s[%d]", prefix, c-1), table[i:])
		}
	}
	return strings.Join(table, ".")
}

func joinDisplay(base string, parts []string) string {
	if base == "" {
		return strings.Join(parts, ".")
	}
	if len(parts) == 0 {
		return base
	}
	return base + "." + strings.Join(parts, ".")
}

// splitKey splits a dotted TOML key, unquoting quoted parts.
func splitKey(s string) []string {
	var parts []string
	for s != "" {
		s = strings.TrimSpace(s)
		var part string
		switch {
		case strings.HasPrefix(s, `"`) || strings.HasPrefix(s, `'`):
			end := strings.IndexByte(s[1:], s[0])
			if end < 0 {
				return append(parts, s)
			}
			part, s = s[1:end+1], s[end+2:]
		default:
			i := strings.IndexByte(s, '.')
			if i < 0 {
				part, s = s, ""
			} else {
				part, s = s[:i], s[i:]
			}
		}
		parts = append(parts, strings.TrimSpace(part))
		s = strings.TrimSpace(s)
		s = strings.TrimPrefix(s, ".")
	}
	return parts
}

// lineOf finds the line of an indexed key ("registry[1].package"); for a key
// that is not written (a missing field) it falls back to its table's header.
func lineOf(keys []keyPos, display string) int {
	for display != "" {
		for _, k := range keys {
			if k.display == display {
				return k.line
			}
		}
		i := strings.LastIndexAny(display, ".[")
		if i < 0 {
			return 0
		}
		display = display[:i]
	}
	return 0
}

// position returns the line and indexed display name of the nth occurrence
// (0-based) of a dotted key, or 0 and the plain key.
func position(keys []keyPos, key string, nth int) (int, string) {
	seen := 0
	for _, k := range keys {
		if k.key != key {
			continue
		}
		if seen == nth {
			return k.line, k.display
		}
		seen++
	}
	return 0, key
}
