package audit

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const canary = "ghs_CANARYsecret0123456789abcdef"

// assertAbsent fails if secret appears in b raw or in any JSON-escaped form.
func assertAbsent(t *testing.T, where string, b []byte, secret string) {
	t.Helper()
	forms := append([]string{secret}, jsonEscapings(secret)...)
	for _, f := range forms {
		if bytes.Contains(b, []byte(f)) {
			t.Errorf("%s contains the secret (form %q):\n%s", where, f, b)
		}
	}
}

func TestSecretRedaction(t *testing.T) {
	htmlSecret := `s3cr<t>&"quote\`
	tests := []struct {
		name     string
		secret   string
		stage    string
		data     any
		wantData string // exact data member written
	}{
		{"value", canary, "exchange", map[string]string{"token": canary, "registry": "pypi"},
			`{"redacted":true,"registry":"pypi","token":"[REDACTED]"}`},
		{"inside a longer string", canary, "exchange", map[string]string{"header": "Bearer " + canary},
			`{"header":"Bearer [REDACTED]","redacted":true}`},
		{"map key", canary, "exchange", map[string]int{canary: 1},
			`{"[REDACTED]":1,"redacted":true}`},
		{"nested array", canary, "exchange", map[string]any{"a": []any{1, []string{"x", canary}}},
			`{"a":[1,["x","[REDACTED]"]],"redacted":true}`},
		{"unicode-escaped in raw JSON", canary, "exchange", json.RawMessage(`{"t":"\u0067hs_CANARYsecret0123456789abcdef"}`),
			`{"redacted":true,"t":"[REDACTED]"}`},
		{"html and quote characters", htmlSecret, "exchange", map[string]string{"t": "x" + htmlSecret},
			`{"redacted":true,"t":"x[REDACTED]"}`},
		{"in stage, no data", canary, "stage-" + canary, nil,
			`{"redacted":true}`},
		{"numeric secret in a number", "987654321012", "exchange", map[string]any{"n": 987654321012, "s": "ok"},
			string(withheldData)},
		{"redacted flag overrides caller's", canary, "exchange", map[string]any{"redacted": false, "t": canary},
			`{"redacted":true,"t":"[REDACTED]"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mirror bytes.Buffer
			opts := testOptions()
			opts.Mirror = &mirror
			path := filepath.Join(t.TempDir(), "audit.jsonl")
			l, err := Open(path, opts)
			if err != nil {
				t.Fatal(err)
			}
			l.AddSecret(tt.secret)
			l.AddSecret(tt.secret) // duplicates are harmless
			e, err := l.Append(tt.stage, "token.minted", tt.data)
			if err != nil {
				t.Fatal(err)
			}
			l.Close()
			file, _ := os.ReadFile(path)
			assertAbsent(t, "file", file, tt.secret)
			assertAbsent(t, "mirror", mirror.Bytes(), tt.secret)
			assertAbsent(t, "returned event", append([]byte(e.Stage), e.Data...), tt.secret)
			if string(e.Data) != tt.wantData {
				t.Errorf("data %s, want %s", e.Data, tt.wantData)
			}
			if sum, err := VerifyFile(path); err != nil || sum.Events != 1 {
				t.Errorf("redacted event not recorded: %+v, %v", sum, err)
			}
		})
	}
}

func TestNoSecretLeavesDataUntouched(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	l, err := Open(path, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	l.AddSecret("") // ignored: would otherwise match everywhere
	l.AddSecret(canary)
	e, err := l.Append("exchange", "token.minted", json.RawMessage(`{"z":1,"a":"\u0041"}`))
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"z":1,"a":"\u0041"}`; string(e.Data) != want {
		t.Errorf("data %s, want untouched %s", e.Data, want)
	}
}

// TestUnredactableSecret: a "secret" that matches the line syntax cannot be cut out,
// so nothing may be written, and the log stays usable for the next event.
func TestUnredactableSecret(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	l, err := Open(path, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	l.AddSecret(`"seq":`)
	if _, err := l.Append("exchange", "x", map[string]string{"a": "b"}); err == nil || !strings.Contains(err.Error(), "nothing was written") {
		t.Fatalf("Append = %v, want refusal", err)
	}
	if b, _ := os.ReadFile(path); len(b) != 0 {
		t.Fatalf("file written: %s", b)
	}
}
