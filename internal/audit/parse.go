package audit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// bodyKeys is the required key order of the hashed part of a line.
var bodyKeys = []string{"seq", "time", "run", "release", "stage", "type", "data", "prev"}

const keyOrderHint = `keys must be seq,time,run,release,stage,type,data (optional),prev,hash in this order`

// parseBody decodes the hashed part of a line strictly: one JSON object, the keys of
// bodyKeys in order, each of the expected type. It fills e as far as it got, so a
// caller can still report the seq of a malformed line.
func parseBody(body []byte, e *Event) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return errors.New("not a JSON object")
	}
	next := 0
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return fmt.Errorf("invalid JSON: %v", err)
		}
		key, _ := tok.(string)
		if next < len(bodyKeys) && bodyKeys[next] == "data" && key == "prev" {
			next++ // data is optional
		}
		if next >= len(bodyKeys) || key != bodyKeys[next] {
			return fmt.Errorf("unexpected key %q: %s", key, keyOrderHint)
		}
		next++
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return fmt.Errorf("invalid JSON in %q: %v", key, err)
		}
		if err := setField(e, key, raw); err != nil {
			return err
		}
	}
	if next < len(bodyKeys) && bodyKeys[next] == "data" {
		next++ // data is optional, prev is what is missing
	}
	if next != len(bodyKeys) {
		return fmt.Errorf("missing key %q: %s", bodyKeys[next], keyOrderHint)
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return errors.New("invalid JSON: object not closed")
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("invalid JSON: data after the object")
	}
	return nil
}

func setField(e *Event, key string, raw json.RawMessage) error {
	var err error
	switch key {
	case "seq":
		e.Seq, err = parseSeq(raw)
	case "time":
		e.Time, err = parseTime(raw)
	case "run":
		e.Run, err = parseRun(raw)
	case "release":
		e.Release, err = parseString(raw)
	case "stage":
		e.Stage, err = parseString(raw)
	case "type":
		e.Type, err = parseString(raw)
	case "data":
		if len(raw) == 0 || raw[0] != '{' {
			err = errors.New("must be a JSON object")
		} else {
			e.Data = raw
		}
	case "prev":
		e.Prev, err = parseString(raw)
		if err == nil && e.Prev != "" && (len(e.Prev) != hashHexLen || !isLowerHex([]byte(e.Prev))) {
			err = errors.New(`must be "" or 64 lowercase hex digits`)
		}
	}
	if err != nil {
		return fmt.Errorf("field %q: %v", key, err)
	}
	return nil
}

func parseSeq(raw json.RawMessage) (int64, error) {
	n, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("must be a positive integer, found %.40s", raw)
	}
	return n, nil
}

func parseString(raw json.RawMessage) (string, error) {
	// Unmarshal accepts null for a string; the format does not.
	if len(raw) == 0 || raw[0] != '"' {
		return "", errors.New("must be a JSON string")
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", errors.New("must be a JSON string")
	}
	return s, nil
}

func parseTime(raw json.RawMessage) (time.Time, error) {
	s, err := parseString(raw)
	if err != nil {
		return time.Time{}, err
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil || !strings.HasSuffix(s, "Z") {
		return time.Time{}, fmt.Errorf("must be an RFC 3339 UTC time ending in Z, found %.40q", s)
	}
	return t, nil
}

func parseRun(raw json.RawMessage) (RunIdentity, error) {
	var r RunIdentity
	if len(raw) == 0 || raw[0] != '{' {
		return r, errors.New("must be a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return RunIdentity{}, fmt.Errorf("invalid run identity: %v", err)
	}
	return r, nil
}
