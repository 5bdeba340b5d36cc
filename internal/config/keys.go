package config

import (
	"bytes"
	"encoding"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

//go:generate go run ../configdoc/cmd/gen -o ../../docs/CONFIG.md

// Key describes one key of release.toml, read off the Go types.
type Key struct {
	Path  string // dotted: "project.name", "build.command.argv", "registry.kind"
	Table string // "project", "build.command" ([[build.command]]), "registry" ([[registry]]) ...
	Array bool   // the table is an array of tables
	Type  string // describeType's words: "a string", "an array of strings", `a duration string like "30m"` …
	// Default is the value an absent key takes, TOML-formatted ("\"dist\"",
	// "true", "\"30m\""), or "" when there is none or it is Derived.
	Default string
	// Derived says the default depends on other keys (the registry's kind,
	// project.tag_format, ...); the field's doc comment says how.
	Derived bool
	Field   string // Go field path, e.g. "Build.OutputDir", so a generator can find the doc comment
}

// derivedDefaults are the keys whose default is computed from other keys,
// in applyDefaults or where the key is used. A probe of applyDefaults cannot
// give them one value, so their doc comments carry the rule instead;
// TestDerivedDefaultsListed catches a dependency added without a mention here.
var derivedDefaults = map[string]bool{
	"build.command.name":    true, // from the position and argv
	"build.command.dir":     true, // project.root
	"identity.issuer":       true, // per provider
	"identity.ref_pattern":  true, // from project.tag_format
	"registry.package":      true, // project.name; required for npm
	"registry.url":          true, // per kind
	"registry.artifacts":    true, // per kind
	"registry.access":       true, // npm only
	"registry.dist_tag":     true, // npm only
	"registry.id_token_env": true, // per kind and audience
	"registry.provenance":   true, // PyPI and npm only
	"registry.workflow":     true, // identity.workflow
	"github.repository":     true, // identity.repository, then GITHUB_REPOSITORY
	"audit.log":             true, // in project.state_dir
}

// Keys lists every key of release.toml in declaration order, recursing into
// sub-tables and arrays of tables. Defaults are read off applyDefaults run on
// a config with nothing set (one empty entry per array of tables), which is
// exactly what an absent key becomes.
func Keys() []Key {
	probe := Config{Build: Build{Commands: []Command{{}}}, Registry: []Registry{{}}}
	probe.applyDefaults()
	var keys []Key
	collectKeys(reflect.ValueOf(probe), nil, nil, false, &keys)
	return keys
}

func collectKeys(v reflect.Value, path, fields []string, array bool, keys *[]Key) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name := tomlName(f)
		if name == "" {
			continue
		}
		p := append(slices.Clip(path), name)
		fp := append(slices.Clip(fields), f.Name)
		if isTable(f.Type) {
			sub, isArray := tableValue(v.Field(i))
			collectKeys(sub, p, fp, isArray, keys)
			continue
		}
		k := Key{
			Path:  strings.Join(p, "."),
			Table: strings.Join(path, "."),
			Array: array,
			Type:  describeType(f.Type),
			Field: strings.Join(fp, "."),
		}
		if derivedDefaults[k.Path] {
			k.Derived = true
		} else {
			k.Default = tomlDefault(v.Field(i))
		}
		*keys = append(*keys, k)
	}
}

var textUnmarshaler = reflect.TypeOf((*encoding.TextUnmarshaler)(nil)).Elem()

// isTable tells a sub-table from a value: a struct that decodes itself from
// text (Duration) is a value.
func isTable(t reflect.Type) bool {
	e := elem(t)
	return e.Kind() == reflect.Struct && !reflect.PointerTo(e).Implements(textUnmarshaler)
}

// tableValue steps from a table field to the struct holding its keys: the
// first entry of an array of tables, or a zero one when there is none.
func tableValue(v reflect.Value) (reflect.Value, bool) {
	array := false
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Slice {
		if v.Kind() == reflect.Slice {
			array = true
		}
		if v.Len() == 0 && v.Kind() == reflect.Slice || v.Kind() == reflect.Pointer && v.IsNil() {
			return reflect.Zero(elem(v.Type())), array
		}
		if v.Kind() == reflect.Slice {
			v = v.Index(0)
		} else {
			v = v.Elem()
		}
	}
	return v, array
}

// tomlDefault writes the value an absent key takes as TOML, or "" when an
// absent key means "not set" (an empty string or list, a nil pointer). A
// plain bool or integer is always in effect, so false and 0 are defaults.
func tomlDefault(v reflect.Value) string {
	if v.Type() == durationType {
		d := v.Interface().(Duration).Duration
		if d == 0 {
			return ""
		}
		return tomlValue(shortDuration(d))
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return ""
		}
		return tomlDefault(v.Elem())
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	case reflect.Int, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.String, reflect.Slice, reflect.Map:
		if v.Len() == 0 {
			return ""
		}
		return tomlValue(v.Interface())
	}
	return tomlValue(v.Interface())
}

// tomlValue formats v as the right-hand side of a TOML key/value pair.
func tomlValue(v any) string {
	var b bytes.Buffer
	if err := toml.NewEncoder(&b).Encode(map[string]any{"v": v}); err != nil {
		// Only defaults of this package reach here: strings, lists of them.
		panic(fmt.Sprintf("config: cannot write default %#v as TOML: %v", v, err))
	}
	return strings.TrimSpace(strings.TrimPrefix(b.String(), "v = "))
}

// shortDuration writes 30m rather than time.Duration's 30m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
