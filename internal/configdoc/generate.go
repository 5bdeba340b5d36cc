// Package configdoc writes docs/CONFIG.md, the release.toml reference, from
// internal/config: the keys, types and defaults from config.Keys, the text
// from the doc comments in the config sources. Generated rather than
// written, the reference cannot drift from what the decoder accepts.
package configdoc

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/releaserhq/releaser/internal/config"
)

// Generate renders the reference from the config package's sources in
// configSrcDir (for their doc comments) and config.Keys (for everything else).
func Generate(configSrcDir string) ([]byte, error) {
	src, err := parseSources(configSrcDir)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString("# release.toml reference\n\n")
	b.WriteString("Generated from internal/config by `go generate ./internal/config` — do not edit by hand.\n\n")
	b.WriteString("Every key `release.toml` accepts, in the order the schema declares them; any other key is an error. " +
		"Each key gives its type and its default, the value it takes when absent: \"none\" means unset, " +
		"\"computed\" that it depends on other keys, as its description says.\n")
	for _, s := range sections(config.Keys()) {
		if err := s.write(&b, src); err != nil {
			return nil, err
		}
	}
	return b.Bytes(), nil
}

// section is one table and its own keys.
type section struct {
	table string // dotted, "" for the top level
	field string // the Go field path of the table, e.g. "Build.Commands"
	keys  []config.Key
}

// sections groups keys by table, a table before its sub-tables even when
// the Go struct declares the sub-table first ([build] before
// [[build.command]]), otherwise in schema order.
func sections(keys []config.Key) []*section {
	var order []*section
	byTable := map[string]*section{}
	for _, k := range keys {
		var parts []string
		if k.Table != "" {
			parts = strings.Split(k.Table, ".")
		}
		fields := strings.Split(k.Field, ".")
		for d := 0; d <= len(parts); d++ {
			t := strings.Join(parts[:d], ".")
			if byTable[t] == nil && (d > 0 || k.Table == "") {
				byTable[t] = &section{table: t, field: strings.Join(fields[:d], ".")}
				order = append(order, byTable[t])
			}
		}
		s := byTable[k.Table]
		s.keys = append(s.keys, k)
	}
	return order
}

func (s *section) write(b *bytes.Buffer, src sources) error {
	if s.table != "" {
		f, err := src.lookup(s.field)
		if err != nil {
			return fmt.Errorf("table %s: %w", s.table, err)
		}
		heading := "[" + s.table + "]"
		if f.array {
			heading = "[" + heading + "]"
		}
		fmt.Fprintf(b, "\n## `%s`\n\n%s\n", heading, markdown(f.doc))
	}
	for _, k := range s.keys {
		f, err := src.lookup(k.Field)
		if err != nil {
			return fmt.Errorf("key %s: %w", k.Path, err)
		}
		fmt.Fprintf(b, "\n### `%s`\n\nType: %s · Default: %s\n\n%s\n", k.Path, k.Type, defaultText(k), markdown(f.doc))
	}
	return nil
}

func defaultText(k config.Key) string {
	switch {
	case k.Derived:
		return "computed (see below)"
	case k.Default == "":
		return "none"
	}
	return "`" + k.Default + "`"
}
