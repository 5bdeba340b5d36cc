package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// Event is one line of the log.
type Event struct {
	Seq     int64           `json:"seq"`
	Time    time.Time       `json:"time"`
	Run     RunIdentity     `json:"run"`
	Release string          `json:"release"`
	Stage   string          `json:"stage"`
	Type    string          `json:"type"`
	Data    json.RawMessage `json:"data,omitempty"`
	Prev    string          `json:"prev"`
	Hash    string          `json:"hash"`
}

// MaxLineSize is the longest line (without its newline) that Verify accepts and Append
// writes. It bounds the memory a hostile log can make the verifier use.
const MaxLineSize = 1 << 20

const (
	hashKey    = `,"hash":"`
	hashHexLen = 2 * sha256.Size
	// hashSuffixLen is the length of `,"hash":"<64 hex>"}`.
	hashSuffixLen = len(hashKey) + hashHexLen + len(`"}`)
)

// lineBody is the hashed part of a line. Its field order is the on-disk key order;
// encoding/json keeps struct field order, which is why this is a struct and not a map.
type lineBody struct {
	Seq     int64           `json:"seq"`
	Time    string          `json:"time"`
	Run     RunIdentity     `json:"run"`
	Release string          `json:"release"`
	Stage   string          `json:"stage"`
	Type    string          `json:"type"`
	Data    json.RawMessage `json:"data,omitempty"`
	Prev    string          `json:"prev"`
}

// encodeLine serializes e (ignoring e.Hash) and returns the full line without its
// newline together with the hash it carries.
func encodeLine(e Event) (line []byte, hash string, err error) {
	if y := e.Time.Year(); y < 0 || y > 9999 {
		return nil, "", fmt.Errorf("event time %v is outside years 0-9999", e.Time)
	}
	body, err := json.Marshal(lineBody{
		Seq:     e.Seq,
		Time:    e.Time.UTC().Format(time.RFC3339Nano),
		Run:     e.Run,
		Release: e.Release,
		Stage:   e.Stage,
		Type:    e.Type,
		Data:    e.Data,
		Prev:    e.Prev,
	})
	if err != nil {
		return nil, "", fmt.Errorf("encode event seq %d: %w", e.Seq, err)
	}
	hash = hashBody(body)
	line = make([]byte, 0, len(body)-1+hashSuffixLen)
	line = append(line, body[:len(body)-1]...)
	line = append(line, hashKey...)
	line = append(line, hash...)
	line = append(line, `"}`...)
	return line, hash, nil
}

func hashBody(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

// cutHash splits line into its head — everything before the trailing
// `,"hash":"<hex>"}` — and the claimed hash. The hashed body is head followed by "}".
// ok is false when the suffix is missing or the hex is not 64 lowercase hex digits.
func cutHash(line []byte) (head, claimed []byte, ok bool) {
	if len(line) < hashSuffixLen+1 {
		return nil, nil, false
	}
	cut := len(line) - hashSuffixLen
	suffix := line[cut:]
	if string(suffix[:len(hashKey)]) != hashKey || string(suffix[len(suffix)-2:]) != `"}` {
		return nil, nil, false
	}
	hexPart := suffix[len(hashKey) : len(hashKey)+hashHexLen]
	if !isLowerHex(hexPart) {
		return nil, nil, false
	}
	return line[:cut], hexPart, true
}

func isLowerHex(b []byte) bool {
	bad := byte(0)
	for _, c := range b {
		bad |= notLowerHex[c]
	}
	return bad == 0
}

// notLowerHex is 1 for every byte that is not a lowercase hex digit: a table, because
// every line has two hashes to check.
var notLowerHex = func() (t [256]byte) {
	for i := range t {
		if (i < '0' || i > '9') && (i < 'a' || i > 'f') {
			t[i] = 1
		}
	}
	return t
}()
