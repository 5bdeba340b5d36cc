package registry

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestTokenNeverPrintsValue(t *testing.T) {
	const secret = "pypi-CANARYVALUE0123456789"
	tok := &Token{Registry: KindPyPI, Value: secret, Expires: time.Date(2026, 1, 2, 12, 3, 4, 0, time.UTC)}
	if got := tok.String(); got != "pypi token (expires 12:03:04Z)" {
		t.Errorf("String() = %q", got)
	}
	var logged bytes.Buffer
	slog.New(slog.NewTextHandler(&logged, nil)).Info("minted", "token", tok, "value", *tok)
	js, err := json.Marshal(tok)
	if err != nil {
		t.Fatal(err)
	}
	outputs := map[string]string{
		"%v":        fmt.Sprintf("%v", tok),
		"%v value":  fmt.Sprintf("%v", *tok),
		"%+v value": fmt.Sprintf("%+v", *tok),
		"%#v":       fmt.Sprintf("%#v", tok),
		"%#v value": fmt.Sprintf("%#v", *tok),
		"json":      string(js),
		"slog":      logged.String(),
		"in struct": fmt.Sprintf("%+v", struct{ T Token }{*tok}),
	}
	for name, out := range outputs {
		if strings.Contains(out, "CANARY") {
			t.Errorf("%s printed the value: %s", name, out)
		}
	}
	if !strings.Contains(string(js), `"registry":"pypi"`) || !strings.Contains(string(js), "2026-01-02T12:03:04Z") {
		t.Errorf("JSON lacks the metadata: %s", js)
	}
}

func TestTokenStringEstimated(t *testing.T) {
	tok := Token{Registry: KindCrates, Expires: time.Date(2026, 1, 2, 12, 30, 0, 0, time.FixedZone("X", 3600)), Estimated: true}
	if got := tok.String(); got != "crates token (expires 11:30:00Z, estimated)" {
		t.Errorf("String() = %q", got)
	}
	if got := (Token{}).String(); got != "registry token (expiry unknown)" {
		t.Errorf("zero String() = %q", got)
	}
}

func TestTokenRemaining(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tok := &Token{Expires: now.Add(10 * time.Minute)}
	tests := []struct {
		at   time.Time
		want time.Duration
	}{
		{now, 10 * time.Minute},
		{now.Add(9 * time.Minute), time.Minute},
		{now.Add(11 * time.Minute), -time.Minute},
	}
	for _, tt := range tests {
		if got := tok.Remaining(tt.at); got != tt.want {
			t.Errorf("Remaining(%v) = %v, want %v", tt.at, got, tt.want)
		}
	}
}
