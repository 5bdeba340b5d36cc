package testenv

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// inTotoStatement is what sigstore-python's _Statement model keeps of a statement.
type inTotoStatement struct {
	subjects      []inTotoSubject
	predicateType string
}

type inTotoSubject struct {
	name   string
	digest map[string]string
}

// parseInTotoStatement validates like _Statement.model_validate_json: _type
// Literal[Statement/v1], subject a list of at least one {name?: str, digest: {str: str}},
// predicateType a string, predicate an object or null.
func parseInTotoStatement(payload []byte) (*inTotoStatement, error) {
	errs := &pydanticErrors{model: "_Statement"}
	var top any
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	if err := dec.Decode(&top); err != nil || dec.More() {
		errs.add(nil, "Invalid JSON: "+pydanticJSONProblem(err), "json_invalid", string(payload))
		return nil, errs
	}
	m, ok := top.(map[string]any)
	if !ok {
		errs.add(nil, "Input should be an object", "model_type", top)
		return nil, errs
	}
	st := &inTotoStatement{}
	if v, ok := pydanticField(errs, nil, m, "_type"); ok && v != inTotoStatementType {
		errs.add([]string{"_type"}, "Input should be '"+inTotoStatementType+"'", "literal_error", v)
	}
	if v, ok := pydanticField(errs, nil, m, "subject"); ok {
		st.subjects = statementSubjects(errs, v)
	}
	if v, ok := pydanticField(errs, nil, m, "predicateType"); ok {
		if s, isStr := v.(string); isStr {
			st.predicateType = s
		} else {
			errs.add([]string{"predicateType"}, "Input should be a valid string", "string_type", v)
		}
	}
	if v, ok := m["predicate"]; ok && v != nil {
		if _, isObj := v.(map[string]any); !isObj {
			errs.add([]string{"predicate"}, "Input should be a valid dictionary", "dict_type", v)
		}
	}
	if errs.count > 0 {
		return nil, errs
	}
	return st, nil
}

func statementSubjects(errs *pydanticErrors, v any) []inTotoSubject {
	list, ok := v.([]any)
	if !ok {
		errs.add([]string{"subject"}, "Input should be a valid list", "list_type", v)
		return nil
	}
	if len(list) == 0 {
		errs.add([]string{"subject"}, "List should have at least 1 item after validation, not 0", "too_short", v)
		return nil
	}
	var out []inTotoSubject
	for i, item := range list {
		loc := []string{"subject", strconv.Itoa(i)}
		m := pydanticModel(errs, loc, item, "Subject")
		if m == nil {
			continue
		}
		s := inTotoSubject{digest: map[string]string{}}
		if n, ok := m["name"]; ok && n != nil {
			if name, isStr := n.(string); isStr {
				s.name = name
			} else {
				errs.add(append(loc, "name"), "Input should be a valid string", "string_type", n)
			}
		}
		if d, ok := pydanticField(errs, loc, m, "digest"); ok {
			digests, isObj := d.(map[string]any)
			if !isObj {
				errs.add(append(loc, "digest"), "Input should be a valid dictionary", "dict_type", d)
			}
			for k, dv := range digests {
				if str, isStr := dv.(string); isStr {
					s.digest[k] = str
				} else {
					errs.add(append(loc, "digest", k), "Input should be a valid string", "string_type", dv)
				}
			}
		}
		out = append(out, s)
	}
	return out
}
