package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestLineFormat pins the exact bytes of a line: key order, omitted empty data, and
// the hash over the line with its hash member cut off and "}" appended.
func TestLineFormat(t *testing.T) {
	prev := strings.Repeat("ab", 32)
	tests := []struct {
		name string
		data json.RawMessage
		body string
	}{
		{"with data", json.RawMessage(`{"k":"v"}`),
			`{"seq":7,"time":"2026-11-25T10:00:00.5Z","run":{"repository":"acme/widget","run_id":"42","local":true},"release":"widget@1.2.3","stage":"build","type":"artifact.hashed","data":{"k":"v"},"prev":"` + prev + `"}`},
		{"without data", nil,
			`{"seq":7,"time":"2026-11-25T10:00:00.5Z","run":{"repository":"acme/widget","run_id":"42","local":true},"release":"widget@1.2.3","stage":"build","type":"artifact.hashed","prev":"` + prev + `"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := Event{
				Seq:     7,
				Time:    time.Date(2026, 11, 25, 11, 0, 0, 500000000, time.FixedZone("CET", 3600)),
				Run:     RunIdentity{Repository: "acme/widget", RunID: "42", Local: true},
				Release: "widget@1.2.3", Stage: "build", Type: "artifact.hashed",
				Data: tt.data, Prev: prev,
			}
			line, hash, err := encodeLine(e)
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256([]byte(tt.body))
			wantHash := hex.EncodeToString(sum[:])
			want := strings.TrimSuffix(tt.body, "}") + `,"hash":"` + wantHash + `"}`
			if string(line) != want || hash != wantHash {
				t.Errorf("line\n got %s\nwant %s", line, want)
			}
		})
	}
}

func TestEncodeLineRejectsUnencodableTime(t *testing.T) {
	if _, _, err := encodeLine(Event{Seq: 1, Time: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}); err == nil {
		t.Fatal("year 10000 encoded without error")
	}
}
