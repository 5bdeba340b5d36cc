package scaffold

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/BurntSushi/toml"
)

// ManifestError is a manifest Detect could not use: the file (absolute), the
// line when the parser gives one, and what is wrong.
type ManifestError struct {
	File string
	Line int
	Msg  string
}

func (e *ManifestError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// readFile returns nil, nil when the file does not exist.
func readFile(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read manifest: %w", err)
	}
	if data == nil {
		data = []byte{}
	}
	return data, nil
}

// readTOML decodes into a generic map so that only syntax is an error here;
// the readers judge the types themselves and say which key is wrong.
func readTOML(dir, file string) (map[string]any, error) {
	path := filepath.Join(dir, file)
	data, err := readFile(path)
	if data == nil || err != nil {
		return nil, err
	}
	doc := map[string]any{}
	if _, err := toml.Decode(string(data), &doc); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			line := pe.Position.Line
			if strings.Contains(pe.Message, `got '\n'`) && line > 1 {
				line-- // the lexer has already stepped over the newline it complains about
			}
			return nil, &ManifestError{File: path, Line: line, Msg: "TOML syntax error: " + pe.Message}
		}
		return nil, &ManifestError{File: path, Msg: strings.TrimPrefix(err.Error(), "toml: ")}
	}
	return doc, nil
}

// readJSON decodes an object, with the line of a syntax error.
func readJSON(dir, file string) (map[string]any, error) {
	path := filepath.Join(dir, file)
	data, err := readFile(path)
	if data == nil || err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return nil, &ManifestError{File: path, Line: lineAt(data, se.Offset), Msg: "JSON syntax error: " + se.Error()}
		case errors.As(err, &te):
			return nil, &ManifestError{File: path, Line: lineAt(data, te.Offset), Msg: "not a JSON object"}
		}
		return nil, &ManifestError{File: path, Msg: err.Error()}
	}
	if doc == nil { // the file says null
		return nil, &ManifestError{File: path, Line: 1, Msg: "not a JSON object"}
	}
	return doc, nil
}

func lineAt(data []byte, offset int64) int {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	return 1 + strings.Count(string(data[:offset]), "\n")
}

// table returns doc[key] when it is a table; present reports whether the key exists at all.
func table(doc map[string]any, key string) (t map[string]any, present bool, ok bool) {
	v, present := doc[key]
	if !present {
		return nil, false, true
	}
	t, ok = v.(map[string]any)
	return t, true, ok
}

// str returns doc[key] when it is a string: "" and ok when absent, not ok when
// it has another type (a dynamic or inherited version is a table, say).
func str(doc map[string]any, key string) (s string, ok bool) {
	v, present := doc[key]
	if !present {
		return "", true
	}
	s, ok = v.(string)
	return s, ok
}
