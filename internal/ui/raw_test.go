package ui

import (
	"encoding/json"
	"io"
	"testing"
)

func TestRawStdoutEscapesV1InActions(t *testing.T) {
	doc := `{"tag":"v1 ##[set-output name=a;]b","n":"###[x"}` + "\n"
	for _, tc := range []struct {
		name string
		mode Mode
		env  map[string]string
		want string
	}{
		{"actions", ModeJSON, map[string]string{"GITHUB_ACTIONS": "true"},
			`{"tag":"v1 ##\u005bset-output name=a;]b","n":"###\u005bx"}` + "\n"},
		{"github mode", ModeGitHub, nil,
			`{"tag":"v1 ##\u005bset-output name=a;]b","n":"###\u005bx"}` + "\n"},
		{"laptop", ModeJSON, nil, doc},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u, out, _ := testUI(t, tc.mode, tc.env)
			w := u.RawStdout()
			// Split inside "##[" to exercise the state kept across writes.
			for _, part := range []string{doc[:11], doc[11:12], doc[12:14], doc[14:]} {
				if n, err := io.WriteString(w, part); err != nil || n != len(part) {
					t.Fatalf("write = %d, %v", n, err)
				}
			}
			if out.String() != tc.want {
				t.Errorf("got %s want %s", out.String(), tc.want)
			}
			if tc.want != doc && len(runnerParse(out.String())) != 0 {
				t.Errorf("runner would run a command from %s", out.String())
			}
			var got, want map[string]string
			if err := json.Unmarshal([]byte(out.String()), &got); err != nil {
				t.Fatal(err)
			}
			_ = json.Unmarshal([]byte(doc), &want)
			if got["tag"] != want["tag"] || got["n"] != want["n"] {
				t.Errorf("document value changed: %v vs %v", got, want)
			}
		})
	}
}

// A command after a raw write without a final newline still starts a line.
func TestRawStdoutPartialLine(t *testing.T) {
	u, out, _ := testUI(t, ModeGitHub, nil)
	io.WriteString(u.RawStdout(), `{"a":1}`)
	u.Warnf("w")
	if want := "{\"a\":1}\n::warning::w\n"; out.String() != want {
		t.Errorf("got %q, want %q", out.String(), want)
	}
}
