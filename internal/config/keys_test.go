package config

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestKeys(t *testing.T) {
	byPath := map[string]Key{}
	for _, k := range Keys() {
		if _, dup := byPath[k.Path]; dup {
			t.Errorf("%s listed twice", k.Path)
		}
		byPath[k.Path] = k
	}
	tests := []Key{
		{Path: "project.name", Table: "project", Type: "a string", Field: "Project.Name"},
		{Path: "project.tag_format", Table: "project", Type: "a string", Default: `"v{version}"`, Field: "Project.TagFormat"},
		{Path: "build.command.argv", Table: "build.command", Array: true, Type: "an array of strings", Field: "Build.Commands.Argv"},
		{Path: "build.command.env", Table: "build.command", Array: true, Type: "a table of strings", Field: "Build.Commands.Env"},
		{Path: "build.output_dir", Table: "build", Type: "a string", Default: `"dist"`, Field: "Build.OutputDir"},
		{Path: "build.timeout", Table: "build", Type: `a duration string like "30m"`, Default: `"30m"`, Field: "Build.Timeout"},
		{Path: "attest.enabled", Table: "attest", Type: "a boolean (true or false)", Default: "true", Field: "Attest.Enabled"},
		{Path: "approval.required", Table: "approval", Type: "an integer", Default: "0", Field: "Approval.Required"},
		{Path: "approval.timeout", Table: "approval", Type: `a duration string like "30m"`, Default: `"24h"`, Field: "Approval.Timeout"},
		{Path: "approval.poll_interval", Table: "approval", Type: `a duration string like "30m"`, Default: `"15s"`, Field: "Approval.PollInterval"},
		{Path: "identity.allowed_events", Table: "identity", Type: "an array of strings", Default: `["push", "release", "workflow_dispatch"]`, Field: "Identity.AllowedEvents"},
		{Path: "identity.ref_pattern", Table: "identity", Type: "a string", Derived: true, Field: "Identity.RefPattern"},
		{Path: "registry.kind", Table: "registry", Array: true, Type: "a string", Field: "Registry.Kind"},
		{Path: "registry.provenance", Table: "registry", Array: true, Type: "a boolean (true or false)", Derived: true, Field: "Registry.Provenance"},
		{Path: "github.api_url", Table: "github", Type: "a string", Default: `"https://api.github.com"`, Field: "GitHub.APIURL"},
		{Path: "github.prerelease", Table: "github", Type: "a boolean (true or false)", Default: "false", Field: "GitHub.Prerelease"},
		{Path: "audit.log", Table: "audit", Type: "a string", Derived: true, Field: "Audit.Log"},
	}
	for _, want := range tests {
		t.Run(want.Path, func(t *testing.T) {
			got, ok := byPath[want.Path]
			if !ok {
				t.Fatalf("not among Keys()")
			}
			if got != want {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
		})
	}
}

// TestKeysCount counts the toml-tagged value fields reachable from Config
// by a walk of its own, so a key Keys() skips (or invents) shows.
func TestKeysCount(t *testing.T) {
	var count func(reflect.Type) int
	count = func(t reflect.Type) int {
		n := 0
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if tag := f.Tag.Get("toml"); tag == "" || tag == "-" {
				continue
			}
			ft := f.Type
			for ft.Kind() == reflect.Slice || ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct && ft != reflect.TypeOf(Duration{}) {
				n += count(ft)
			} else {
				n++
			}
		}
		return n
	}
	if got, want := len(Keys()), count(reflect.TypeOf(Config{})); got != want {
		t.Errorf("Keys() has %d keys, Config has %d toml-tagged value fields", got, want)
	}
}

// TestKeysMatchSchema holds Keys to the decoder's own view of the schema.
func TestKeysMatchSchema(t *testing.T) {
	for _, k := range Keys() {
		path := strings.Split(k.Path, ".")
		if got := strings.Join(path[:len(path)-1], "."); got != k.Table {
			t.Errorf("%s: table %q, want %q", k.Path, k.Table, got)
		}
		kt := keyType(path)
		if kt == nil {
			t.Errorf("%s: the decoder does not know this key", k.Path)
			continue
		}
		if got := describeType(kt); got != k.Type {
			t.Errorf("%s: type %q, decoder says %q", k.Path, k.Type, got)
		}
		if tableType(path) != nil && kt != durationType {
			t.Errorf("%s: a table, listed as a key", k.Path)
		}
		if len(strings.Split(k.Field, ".")) != len(path) {
			t.Errorf("%s: field path %q does not follow the key path", k.Path, k.Field)
		}
	}
}

// TestKeyDefaultsAreTrue writes each default into a minimal config: the
// result must be exactly the config without it, so each Default is both
// valid TOML for its key and what an absent key becomes.
func TestKeyDefaultsAreTrue(t *testing.T) {
	sections := []struct{ header, body string }{
		{"[project]", "name = \"demo\"\nversion = \"1.2.3\"\n"},
		{"[build]", "artifacts = [\"*.whl\"]\n"},
		{"[[build.command]]", "argv = [\"make\", \"dist\"]\n"},
		{"[[registry]]", "kind = \"pypi\"\n"},
	}
	render := func(table, line string) string {
		var b strings.Builder
		placed := false
		for _, s := range sections {
			b.WriteString(s.header + "\n" + s.body)
			if strings.Trim(s.header, "[]") == table {
				b.WriteString(line + "\n")
				placed = true
			}
		}
		if !placed && table != "" {
			b.WriteString("[" + table + "]\n" + line + "\n")
		}
		return b.String()
	}
	base, err := Parse("base.toml", []byte(render("", "")))
	if err != nil {
		t.Fatalf("minimal config: %v", err)
	}
	n := 0
	for _, k := range Keys() {
		if k.Default == "" {
			continue
		}
		n++
		name := k.Path[strings.LastIndexByte(k.Path, '.')+1:]
		src := render(k.Table, name+" = "+k.Default)
		c, err := Parse("base.toml", []byte(src))
		if err != nil {
			t.Errorf("%s = %s: %v", k.Path, k.Default, err)
			continue
		}
		if !reflect.DeepEqual(c, base) {
			t.Errorf("%s = %s gives a different config than leaving it out", k.Path, k.Default)
		}
	}
	if n < 20 {
		t.Errorf("only %d keys have a default; the probe in Keys() is not reaching applyDefaults", n)
	}
}

// TestDerivedDefaultsListed sets each key in turn, on a config with nothing
// else set, and checks that no other key's default moves unless it is in
// derivedDefaults: a default computed from another key has no single value
// to print, so its doc comment must give the rule.
func TestDerivedDefaultsListed(t *testing.T) {
	keys := Keys()
	probe := func() Config { return Config{Build: Build{Commands: []Command{{}}}, Registry: []Registry{{}}} }
	base := probe()
	base.applyDefaults()
	for _, set := range keys {
		for _, sample := range samples(fieldOf(reflect.ValueOf(&base).Elem(), set.Field).Type()) {
			c := probe()
			fieldOf(reflect.ValueOf(&c).Elem(), set.Field).Set(sample)
			c.applyDefaults()
			for _, k := range keys {
				if k.Path == set.Path || derivedDefaults[k.Path] {
					continue
				}
				got := fieldOf(reflect.ValueOf(&c).Elem(), k.Field).Interface()
				want := fieldOf(reflect.ValueOf(&base).Elem(), k.Field).Interface()
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s's default moves with %s = %v: add it to derivedDefaults and give the rule in its doc comment",
						k.Path, set.Path, show(sample))
				}
			}
		}
	}
	known := map[string]bool{}
	for _, k := range keys {
		known[k.Path] = true
	}
	for p := range derivedDefaults {
		if !known[p] {
			t.Errorf("derivedDefaults lists %s, which is not a key", p)
		}
	}
}

// samples are values to set a field to. Strings include the values
// applyDefaults branches on (a provider, the registry kinds).
func samples(t reflect.Type) []reflect.Value {
	if t == durationType {
		return []reflect.Value{reflect.ValueOf(Duration{time.Second})}
	}
	switch t.Kind() {
	case reflect.Pointer:
		var out []reflect.Value
		for _, s := range samples(t.Elem()) {
			p := reflect.New(t.Elem())
			p.Elem().Set(s)
			out = append(out, p)
		}
		return out
	case reflect.String:
		var out []reflect.Value
		for _, s := range append([]string{"perturbed", "gitlab"}, Kinds...) {
			out = append(out, reflect.ValueOf(s))
		}
		return out
	case reflect.Bool:
		return []reflect.Value{reflect.ValueOf(true), reflect.ValueOf(false)}
	case reflect.Int:
		return []reflect.Value{reflect.ValueOf(7)}
	case reflect.Slice:
		return []reflect.Value{reflect.ValueOf([]string{"perturbed"})}
	case reflect.Map:
		return []reflect.Value{reflect.ValueOf(map[string]string{"PERTURBED": "1"})}
	}
	panic("no samples for " + t.String())
}

// fieldOf walks a Go field path, through the first entry of slices.
func fieldOf(v reflect.Value, path string) reflect.Value {
	for _, name := range strings.Split(path, ".") {
		for v.Kind() == reflect.Slice {
			v = v.Index(0)
		}
		v = v.FieldByName(name)
	}
	return v
}

func show(v reflect.Value) string {
	if v.Kind() == reflect.Pointer {
		return fmt.Sprint(v.Elem().Interface())
	}
	return fmt.Sprint(v.Interface())
}

func TestShortDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{30 * time.Minute, "30m"},
		{24 * time.Hour, "24h"},
		{90 * time.Minute, "1h30m"},
		{15 * time.Second, "15s"},
		{time.Hour + 5*time.Second, "1h0m5s"},
		{1500 * time.Millisecond, "1.5s"},
	}
	for _, tt := range tests {
		if got := shortDuration(tt.d); got != tt.want {
			t.Errorf("shortDuration(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}
