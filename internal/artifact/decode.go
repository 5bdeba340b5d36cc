package artifact

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// maxManifestSize bounds what Decode reads: a manifest of tens of thousands
// of artifacts fits, and a hostile one cannot exhaust memory.
const maxManifestSize = 16 << 20

// maxDepth bounds nesting in the key walk; the schema is 4 levels deep.
const maxDepth = 16

// Decode reads a manifest strictly: exactly one JSON object, no unknown,
// duplicate or differently-cased keys, and every field valid (see validate).
// Errors name the artifact index and name and the field. A manifest comes
// from a build job, so Decode treats it as untrusted and never panics.
func Decode(r io.Reader) (*Manifest, error) {
	m, err := decode(r)
	if err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	return m, nil
}

// ReadFile reads and decodes the manifest at path.
func ReadFile(path string) (*Manifest, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	defer f.Close()
	m, err := decode(f)
	if err != nil {
		return nil, fmt.Errorf("manifest %s: %w", path, err)
	}
	return m, nil
}

func decode(r io.Reader) (*Manifest, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxManifestSize+1))
	if err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	if len(data) > maxManifestSize {
		return nil, fmt.Errorf("larger than %d MiB; this is not a releaser manifest", maxManifestSize>>20)
	}
	if err := checkKeys(data); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var m Manifest
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	if m.Artifacts == nil {
		// Normalise so that writing it back gives [] rather than null.
		m.Artifacts = []Artifact{}
	}
	if err := validate(&m); err != nil {
		return nil, err
	}
	return &m, nil
}

// checkKeys walks the JSON token by token and rejects what encoding/json
// would quietly accept: a duplicate key (the last one wins, so a reviewer
// and the program could read different values), a key that only matches a
// field case-insensitively ("Name", or "ſha256" by Unicode folding), and
// anything after the top-level value.
func checkKeys(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := walkValue(dec, "", 0); err != nil {
		if errors.Is(err, io.EOF) {
			return errors.New("invalid JSON: unexpected end of input")
		}
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("invalid JSON: unexpected data after the top-level object at byte %d", dec.InputOffset())
	}
	return nil
}

func walkValue(dec *json.Decoder, at string, depth int) error {
	tok, err := dec.Token()
	if err != nil {
		return jsonErr(dec, at, err)
	}
	delim, ok := tok.(json.Delim)
	if !ok {
		return nil
	}
	if depth >= maxDepth {
		return fmt.Errorf("invalid manifest: %s nested more than %d levels deep", orTop(at), maxDepth)
	}
	switch delim {
	case '{':
		seen := map[string]bool{}
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return jsonErr(dec, at, err)
			}
			key, _ := tok.(string) // object keys are always strings
			if !isFieldName(key) {
				return fmt.Errorf("unknown field %q in %s (field names are lowercase)", key, orTop(at))
			}
			if seen[key] {
				return fmt.Errorf("duplicate field %q in %s", key, orTop(at))
			}
			seen[key] = true
			if err := walkValue(dec, joinField(at, key), depth+1); err != nil {
				return err
			}
		}
	case '[':
		for i := 0; dec.More(); i++ {
			if err := walkValue(dec, fmt.Sprintf("%s[%d]", at, i), depth+1); err != nil {
				return err
			}
		}
	}
	if _, err := dec.Token(); err != nil { // the closing delimiter
		return jsonErr(dec, at, err)
	}
	return nil
}

func jsonErr(dec *json.Decoder, at string, err error) error {
	if errors.Is(err, io.EOF) {
		return err
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("invalid JSON: unexpected end of input in %s (is the file truncated?)", orTop(at))
	}
	return fmt.Errorf("invalid JSON in %s near byte %d: %w", orTop(at), dec.InputOffset(), err)
}

func isFieldName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}

func joinField(at, key string) string {
	if at == "" {
		return key
	}
	return at + "." + key
}

func orTop(at string) string {
	if at == "" {
		return "the top-level object"
	}
	return at
}
