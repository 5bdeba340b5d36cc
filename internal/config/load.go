package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/BurntSushi/toml"
)

// Load reads, decodes, defaults and validates a release.toml, including the
// checks that need the file system (the project root exists, version_from
// can be read). Every problem found is returned at once as Errors.
func Load(path string) (*Config, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, Errors{{File: path, Msg: "config file not found",
				Fix: "pass --config PATH, or copy release.toml.example to release.toml and edit it"}}
		}
		return nil, fmt.Errorf("read config: %w", err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	return parse(path, filepath.Dir(abs), src, true)
}

// Parse decodes and validates config text without touching the file system
// (no root or version_from checks); name is used in messages.
func Parse(name string, src []byte) (*Config, error) {
	return parse(name, "", src, false)
}

func parse(name, dir string, src []byte, useFS bool) (*Config, error) {
	var c Config
	md, err := toml.Decode(string(src), &c)
	if err != nil {
		return nil, Errors{decodeError(name, err)}
	}
	keys := locateKeys(string(src))
	v := &validator{file: name, keys: keys}
	v.undecoded(md)
	c.File, c.Dir = name, dir
	c.applyDefaults()
	v.validate(&c)
	if useFS && len(v.errs) == 0 {
		v.checkFiles(&c)
	}
	if len(v.errs) > 0 {
		v.sort()
		return nil, v.errs
	}
	return &c, nil
}

var reDecodeErr = regexp.MustCompile(`^toml: line (\d+)(?: \(last key "([^"]*)"\))?: (.*)$`)
var reTypes = regexp.MustCompile(`incompatible types: TOML value has type ([^;]+); destination has type (.+)$`)

// decodeError turns the decoder's message into one that names the line, the
// key and what the key accepts.
func decodeError(file string, err error) *Error {
	// A ParseError is a syntax error, except when a custom type (Duration)
	// refused a value: then the key is known and the value is what is wrong.
	var pe toml.ParseError
	if errors.As(err, &pe) && keyType(strings.Split(pe.LastKey, ".")) != durationType {
		line := pe.Position.Line
		if strings.Contains(pe.Message, `got '\n'`) && line > 1 {
			line-- // the lexer has already stepped over the newline it complains about
		}
		return &Error{File: file, Line: line, Msg: "TOML syntax error: " + pe.Message,
			Fix: "correct the syntax (strings need quotes, tables are [name], lists are [a, b])"}
	}
	m := reDecodeErr.FindStringSubmatch(err.Error())
	if m == nil {
		return &Error{File: file, Msg: strings.TrimPrefix(err.Error(), "toml: ")}
	}
	var line int
	fmt.Sscan(m[1], &line)
	key, msg := m[2], m[3]
	e := &Error{File: file, Line: line, Key: key, Msg: msg}
	if t := reTypes.FindStringSubmatch(msg); t != nil {
		want := describeType(keyType(strings.Split(key, ".")))
		e.Msg = fmt.Sprintf("wrong type: got %s, want %s", tomlTypeName(t[1]), want)
		e.Fix = fmt.Sprintf("write %s as %s", lastKey(key), want)
	} else if tt := keyType(strings.Split(key, ".")); tt != nil {
		e.Fix = fmt.Sprintf("write %s as %s", lastKey(key), describeType(tt))
	}
	return e
}

func tomlTypeName(goType string) string {
	switch {
	case goType == "string":
		return "a string"
	case strings.HasPrefix(goType, "int"):
		return "an integer"
	case strings.HasPrefix(goType, "float"):
		return "a float"
	case goType == "bool":
		return "a boolean"
	case strings.HasPrefix(goType, "[]map"):
		return "an array of tables"
	case strings.HasPrefix(goType, "[]"):
		return "an array"
	case strings.HasPrefix(goType, "map"):
		return "a table"
	case strings.Contains(goType, "Time") || strings.Contains(goType, "Date"):
		return "a date/time"
	}
	return goType
}

func lastKey(k string) string {
	if i := strings.LastIndexByte(k, '.'); i >= 0 {
		return k[i+1:]
	}
	return k
}

// undecoded reports keys the schema does not know, with the closest allowed key.
func (v *validator) undecoded(md toml.MetaData) {
	nth := map[string]int{}
	for _, k := range md.Undecoded() {
		path := []string(k)
		ks := k.String()
		line, disp := position(v.keys, ks, nth[ks])
		nth[ks]++
		parent := path[:len(path)-1]
		if tableType(parent) == nil {
			// Inside a key that is not a table at all (or inside an unknown
			// table); its top-most unknown ancestor is reported instead.
			continue
		}
		allowed := allowedKeys(parent)
		e := &Error{File: v.file, Line: line, Key: disp, Msg: "unknown key"}
		where := "[" + strings.Join(parent, ".") + "]"
		if len(parent) == 0 {
			where = "the top level"
		}
		if s := suggest(path[len(path)-1], allowed); s != "" {
			e.Fix = fmt.Sprintf("did you mean %q? allowed in %s: %s", s, where, strings.Join(allowed, ", "))
		} else {
			e.Fix = fmt.Sprintf("remove it; allowed in %s: %s", where, strings.Join(allowed, ", "))
		}
		v.errs = append(v.errs, e)
	}
}
