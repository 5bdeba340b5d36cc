package audit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Redacted replaces every occurrence of a registered secret.
const Redacted = "[REDACTED]"

// withheldData replaces the data of an event whose secret could not be cut out of the
// individual strings (e.g. a numeric secret that appears as a JSON number).
var withheldData = json.RawMessage(`{"redacted":true,"withheld":"the event data contained a registered secret that could not be redacted in place"}`)

func marshalData(data any) (json.RawMessage, error) {
	if data == nil {
		return nil, nil
	}
	b, err := json.Marshal(data)
	if err != nil {
		return nil, fmt.Errorf("marshal data: %w", err)
	}
	if string(b) == "null" {
		return nil, nil
	}
	if b[0] != '{' {
		return nil, fmt.Errorf("data must marshal to a JSON object (a struct or map), got %.20s", b)
	}
	return b, nil
}

// secretFreeLine encodes e, first removing every registered secret as described in
// the package documentation. It returns the line and the event as written.
func secretFreeLine(e Event, secrets []string) ([]byte, Event, error) {
	if len(secrets) == 0 {
		line, hash, err := encodeLine(e)
		e.Hash = hash
		return line, e, err
	}
	r := redactor{secrets: secrets}
	for _, s := range []*string{
		&e.Release, &e.Stage, &e.Type,
		&e.Run.Repository, &e.Run.RunID, &e.Run.RunAttempt, &e.Run.WorkflowRef, &e.Run.Job,
		&e.Run.Actor, &e.Run.EventName, &e.Run.Ref, &e.Run.SHA, &e.Run.RunnerEnvironment,
	} {
		*s = r.str(*s)
	}
	obj := map[string]any{}
	if e.Data != nil {
		dec := json.NewDecoder(bytes.NewReader(e.Data))
		dec.UseNumber() // keep numbers byte-exact when re-encoding
		if err := dec.Decode(&obj); err != nil {
			return nil, Event{}, fmt.Errorf("decode data for redaction: %w", err)
		}
		obj, _ = r.value(obj).(map[string]any)
	}
	if r.found {
		obj["redacted"] = true
		b, err := json.Marshal(obj)
		if err != nil {
			return nil, Event{}, fmt.Errorf("encode redacted data: %w", err)
		}
		e.Data = b
	}
	line, hash, err := encodeLine(e)
	if err != nil {
		return nil, Event{}, err
	}
	if containsSecret(line, secrets) || decodedContains(line, secrets) {
		e.Data = withheldData
		if line, hash, err = encodeLine(e); err != nil {
			return nil, Event{}, err
		}
		if containsSecret(line, secrets) || decodedContains(line, secrets) {
			return nil, Event{}, errors.New("a registered secret matches part of the line format itself, so it cannot be redacted; nothing was written: register only real secret values with AddSecret")
		}
	}
	e.Hash = hash
	return line, e, nil
}

type redactor struct {
	secrets []string
	found   bool
}

// str redacts s as it will be written: JSON encoding turns invalid UTF-8
// into U+FFFD, whose bytes can complete a secret that was not there before
// (found by FuzzRedact), so the check runs on the encoded form, again after
// each replacement, until nothing changes.
func (r *redactor) str(s string) string {
	for range 4 {
		s = strings.ToValidUTF8(s, "\uFFFD")
		changed := false
		for _, sec := range r.secrets {
			if strings.Contains(s, sec) {
				s = strings.ReplaceAll(s, sec, Redacted)
				r.found, changed = true, true
			}
		}
		if !changed {
			break
		}
	}
	return s
}

// value redacts a decoded JSON value, map keys included.
func (r *redactor) value(v any) any {
	switch v := v.(type) {
	case string:
		return r.str(v)
	case []any:
		for i := range v {
			v[i] = r.value(v[i])
		}
		return v
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[r.str(k)] = r.value(x)
		}
		return out
	}
	return v
}

// decodedContains reports whether any string of the line, as a JSON reader
// will see it, contains a secret. It catches what byte-level redaction
// cannot: a secret that is not valid UTF-8 can match part of a replacement
// character the encoder wrote, or part of a valid multi-byte character
// (FuzzRedact found both).
func decodedContains(line []byte, secrets []string) bool {
	var v any
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	if dec.Decode(&v) != nil {
		return true // cannot tell: treat as unsafe
	}
	var walk func(v any) bool
	walk = func(v any) bool {
		switch v := v.(type) {
		case string:
			for _, s := range secrets {
				if strings.Contains(v, s) {
					return true
				}
			}
		case json.Number:
			for _, s := range secrets {
				if strings.Contains(string(v), s) {
					return true
				}
			}
		case []any:
			for _, x := range v {
				if walk(x) {
					return true
				}
			}
		case map[string]any:
			for k, x := range v {
				if walk(k) || walk(x) {
					return true
				}
			}
		}
		return false
	}
	return walk(v)
}

// containsSecret is the last line of defence: it looks for each secret in the bytes
// about to be written, raw and in the escaped forms a JSON encoder may give it.
func containsSecret(line []byte, secrets []string) bool {
	for _, s := range secrets {
		if bytes.Contains(line, []byte(s)) {
			return true
		}
		for _, esc := range jsonEscapings(s) {
			if esc != "" && bytes.Contains(line, []byte(esc)) {
				return true
			}
		}
	}
	return false
}

func jsonEscapings(s string) []string {
	var out []string
	for _, html := range []bool{true, false} {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(html)
		if enc.Encode(s) == nil {
			q := strings.TrimSuffix(b.String(), "\n")
			out = append(out, q[1:len(q)-1])
		}
	}
	return out
}
