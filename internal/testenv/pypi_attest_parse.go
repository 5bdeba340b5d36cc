package testenv

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// pep740Object is one attestation of the upload's "attestations" field, decoded the way
// pypi-attestations' pydantic model Attestation reads it (reference §6.1).
type pep740Object struct {
	raw         []byte // the object as sent, compacted
	certificate []byte // DER
	entries     []json.RawMessage
	statement   []byte
	signature   []byte
}

// pydanticErrors collects validation errors in pydantic v2's layout: a location line,
// then the message and its type. Like pypiTokenPayload it leaves out input_value, which
// would echo the upload back, and the errors.pydantic.dev links (UNCONFIRMED: the exact
// wording of pydantic's messages, written from its documentation).
type pydanticErrors struct {
	model string
	lines []string
	count int
}

func (e *pydanticErrors) add(loc []string, msg, typ string, input any) {
	e.count++
	if len(loc) > 0 {
		e.lines = append(e.lines, strings.Join(loc, "."))
	}
	e.lines = append(e.lines, fmt.Sprintf("  %s [type=%s, input_type=%s]", msg, typ, pyTypeName(input)))
}

func (e *pydanticErrors) Error() string {
	noun := "error"
	if e.count != 1 {
		noun = "errors"
	}
	return fmt.Sprintf("%d validation %s for %s\n%s", e.count, noun, e.model, strings.Join(e.lines, "\n"))
}

// pyTypeName is the Python type a JSON value decodes to.
func pyTypeName(v any) string {
	switch v := v.(type) {
	case nil:
		return "NoneType"
	case string:
		return "str"
	case bool:
		return "bool"
	case json.Number:
		if strings.ContainsAny(v.String(), ".eE") {
			return "float"
		}
		return "int"
	case []any:
		return "list"
	case map[string]any:
		return "dict"
	}
	return "object"
}

// parsePEP740 is TypeAdapter(list[Attestation]).validate_json: it returns the objects
// or pydantic's error text.
func parsePEP740(field string) ([]pep740Object, error) {
	errs := &pydanticErrors{model: "list[Attestation]"}
	var top any
	dec := json.NewDecoder(strings.NewReader(field))
	dec.UseNumber()
	if err := dec.Decode(&top); err != nil || dec.More() {
		errs.add(nil, "Invalid JSON: "+pydanticJSONProblem(err), "json_invalid", field)
		return nil, errs
	}
	list, ok := top.([]any)
	if !ok {
		errs.add(nil, "Input should be a valid list", "list_type", top)
		return nil, errs
	}
	// The raw bytes of each element, to store what was sent.
	var raws []json.RawMessage
	_ = json.Unmarshal([]byte(field), &raws)
	out := make([]pep740Object, 0, len(list))
	for i, item := range list {
		obj := validateAttestation(errs, strconv.Itoa(i), item)
		if obj == nil {
			continue
		}
		var buf bytes.Buffer
		_ = json.Compact(&buf, raws[i])
		obj.raw = buf.Bytes()
		out = append(out, *obj)
	}
	if errs.count > 0 {
		return nil, errs
	}
	return out, nil
}

func pydanticJSONProblem(err error) string {
	if err == nil {
		return "trailing characters"
	}
	return err.Error()
}

// validateAttestation checks one element against the Attestation model: version
// Literal[1], verification_material {certificate: base64, transparency_entries: list of
// objects, at least one}, envelope {statement: base64, signature: base64}. Unknown keys
// are ignored, as pydantic does by default.
func validateAttestation(errs *pydanticErrors, at string, item any) *pep740Object {
	before := errs.count
	m := pydanticModel(errs, []string{at}, item, "Attestation")
	if m == nil {
		return nil
	}
	obj := &pep740Object{}
	if v, ok := pydanticField(errs, []string{at, "version"}, m, "version"); ok {
		if n, isNum := v.(json.Number); !isNum || n.String() != "1" {
			errs.add([]string{at, "version"}, "Input should be 1", "literal_error", v)
		}
	}
	if v, ok := pydanticField(errs, []string{at}, m, "verification_material"); ok {
		loc := []string{at, "verification_material"}
		if vm := pydanticModel(errs, loc, v, "VerificationMaterial"); vm != nil {
			obj.certificate = pydanticBase64(errs, loc, vm, "certificate")
			obj.entries = pydanticEntries(errs, loc, vm)
		}
	}
	if v, ok := pydanticField(errs, []string{at}, m, "envelope"); ok {
		loc := []string{at, "envelope"}
		if env := pydanticModel(errs, loc, v, "Envelope"); env != nil {
			obj.statement = pydanticBase64(errs, loc, env, "statement")
			obj.signature = pydanticBase64(errs, loc, env, "signature")
		}
	}
	if errs.count > before {
		return nil
	}
	return obj
}

func pydanticModel(errs *pydanticErrors, loc []string, v any, model string) map[string]any {
	m, ok := v.(map[string]any)
	if !ok {
		errs.add(loc, "Input should be a valid dictionary or instance of "+model, "model_type", v)
	}
	return m
}

// pydanticField returns m[key], or records it missing (loc is the model's location).
func pydanticField(errs *pydanticErrors, loc []string, m map[string]any, key string) (any, bool) {
	v, ok := m[key]
	if !ok {
		errs.add(append(append([]string(nil), loc...), key), "Field required", "missing", m)
	}
	return v, ok
}

// pydanticBase64 decodes pypi-attestations' Base64Bytes: standard alphabet, padding
// required, no other characters (base64.b64decode(validate=True)).
func pydanticBase64(errs *pydanticErrors, loc []string, m map[string]any, key string) []byte {
	v, ok := pydanticField(errs, loc, m, key)
	if !ok {
		return nil
	}
	at := append(append([]string(nil), loc...), key)
	s, isStr := v.(string)
	if !isStr {
		errs.add(at, "Input should be a valid bytes", "bytes_type", v)
		return nil
	}
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil {
		problem := "Incorrect padding"
		if strings.Trim(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") != "" {
			problem = "Non-base64 digit found"
		}
		errs.add(at, "Base64 decoding error: '"+problem+"'", "base64_decode", v)
		return nil
	}
	return b
}

// pydanticEntries checks transparency_entries: a list of at least one object.
func pydanticEntries(errs *pydanticErrors, loc []string, vm map[string]any) []json.RawMessage {
	v, ok := pydanticField(errs, loc, vm, "transparency_entries")
	if !ok {
		return nil
	}
	at := append(append([]string(nil), loc...), "transparency_entries")
	list, isList := v.([]any)
	if !isList {
		errs.add(at, "Input should be a valid list", "list_type", v)
		return nil
	}
	if len(list) == 0 {
		errs.add(at, "List should have at least 1 item after validation, not 0", "too_short", v)
		return nil
	}
	out := make([]json.RawMessage, 0, len(list))
	for i, e := range list {
		if _, isObj := e.(map[string]any); !isObj {
			errs.add(append(append([]string(nil), at...), strconv.Itoa(i)), "Input should be a valid dictionary", "dict_type", e)
			continue
		}
		raw, _ := json.Marshal(e)
		out = append(out, raw)
	}
	return out
}
