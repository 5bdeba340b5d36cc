package audit

import "testing"

func TestExtractLine(t *testing.T) {
	const j = `{"seq":1,"hash":"x"}`
	tests := []struct {
		name string
		in   string
		want string
		ok   bool
	}{
		{"bare", MirrorPrefix + j, j, true},
		{"actions timestamp", "2026-11-25T10:00:00.1234567Z " + MirrorPrefix + j, j, true},
		{"timestamp without fraction", "2026-11-25T10:00:00Z " + MirrorPrefix + j, j, true},
		{"BOM and timestamp", "\ufeff2026-11-25T10:00:00.1234567Z " + MirrorPrefix + j, j, true},
		{"CRLF terminator", MirrorPrefix + j + "\r\n", j, true},
		{"LF terminator", "2026-11-25T10:00:00.1Z " + MirrorPrefix + j + "\n", j, true},
		{"empty", "", "", false},
		{"other output", "2026-11-25T10:00:00.1234567Z building widget", "", false},
		{"prefix not at start", "echo " + MirrorPrefix + j, "", false},
		{"prefix after other text and timestamp", "2026-11-25T10:00:00.1234567Z x " + MirrorPrefix + j, "", false},
		{"two spaces after timestamp", "2026-11-25T10:00:00.1234567Z  " + MirrorPrefix + j, "", false},
		{"offset timestamp", "2026-11-25T10:00:00+01:00 " + MirrorPrefix + j, "", false},
		{"not a timestamp", "yesterday " + MirrorPrefix + j, "", false},
		{"not JSON", MirrorPrefix + "hello", "", false},
		{"prefix only", MirrorPrefix, "", false},
		{"prefix without space", "[releaser-audit]" + j, "", false},
		{"workflow command", "::warning::" + MirrorPrefix + j, "", false},
		{"embedded newline", MirrorPrefix + "{\n}", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ExtractLine(tt.in)
			if got != tt.want || ok != tt.ok {
				t.Errorf("ExtractLine(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}
