package config

import (
	"reflect"
	"sort"
	"strings"
)

// The schema is read off the Go types by reflection so that error messages,
// "did you mean" hints and the documented key list can never drift from what
// the decoder accepts.

// tableType returns the struct type that holds keys of the table at path
// (e.g. ["registry"] -> Registry, [] -> Config), or nil if path is not a table.
func tableType(path []string) reflect.Type {
	t := reflect.TypeOf(Config{})
	for _, p := range path {
		f, ok := fieldByTag(t, p)
		if !ok {
			return nil
		}
		t = elem(f.Type)
		if t.Kind() != reflect.Struct {
			return nil
		}
	}
	return t
}

// keyType returns the Go type behind a dotted key path, or nil.
func keyType(path []string) reflect.Type {
	if len(path) == 0 {
		return nil
	}
	parent := tableType(path[:len(path)-1])
	if parent == nil {
		// Keys under a map (e.g. build.command.env.FOO) have the map's element type.
		mt := keyType(path[:len(path)-1])
		if mt != nil && mt.Kind() == reflect.Map {
			return mt.Elem()
		}
		return nil
	}
	f, ok := fieldByTag(parent, path[len(path)-1])
	if !ok {
		return nil
	}
	return f.Type
}

// allowedKeys lists the keys a table accepts, sorted.
func allowedKeys(path []string) []string {
	t := tableType(path)
	if t == nil {
		return nil
	}
	var keys []string
	for i := 0; i < t.NumField(); i++ {
		if tag := tomlName(t.Field(i)); tag != "" {
			keys = append(keys, tag)
		}
	}
	sort.Strings(keys)
	return keys
}

func fieldByTag(t reflect.Type, name string) (reflect.StructField, bool) {
	for i := 0; i < t.NumField(); i++ {
		if tomlName(t.Field(i)) == name {
			return t.Field(i), true
		}
	}
	return reflect.StructField{}, false
}

func tomlName(f reflect.StructField) string {
	tag := f.Tag.Get("toml")
	name, _, _ := strings.Cut(tag, ",")
	if name == "-" {
		return ""
	}
	return name
}

// elem strips pointers and slices: [[registry]] is a table like [build].
func elem(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	return t
}

var durationType = reflect.TypeOf(Duration{})

// describeType says in TOML words what a Go field expects.
func describeType(t reflect.Type) string {
	if t == nil {
		return "a value"
	}
	if t == durationType {
		return `a duration string like "30m"`
	}
	switch t.Kind() {
	case reflect.Pointer:
		return describeType(t.Elem())
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean (true or false)"
	case reflect.Int, reflect.Int64:
		return "an integer"
	case reflect.Slice:
		if elem(t).Kind() == reflect.Struct {
			return "an array of tables ([[...]])"
		}
		return "an array of " + strings.TrimPrefix(strings.TrimPrefix(describeType(t.Elem()), "a "), "an ") + "s"
	case reflect.Map:
		return "a table of " + strings.TrimPrefix(describeType(t.Elem()), "a ") + "s"
	case reflect.Struct:
		return "a table"
	}
	return t.String()
}

// suggest returns the allowed key closest to got, if it is close enough to be a typo.
func suggest(got string, allowed []string) string {
	best, bestD := "", 3
	for _, a := range allowed {
		if d := editDistance(strings.ToLower(got), a); d < bestD {
			best, bestD = a, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
