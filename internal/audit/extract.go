package audit

import (
	"strings"
	"time"
)

// MirrorPrefix starts every audit line mirrored to stdout. It makes the lines easy to
// find in a run log and keeps them from ever starting with "::", so the Actions runner
// never reads them as workflow commands.
const MirrorPrefix = "[releaser-audit] "

// ExtractLine finds a mirrored audit line inside one line of CI log output. The line
// may start with a byte order mark and a GitHub Actions timestamp
// ("2026-11-25T10:00:00.1234567Z ") and must then start with MirrorPrefix followed by
// a JSON object. The line terminator, if any, is dropped. It returns the JSON line and
// true, or "" and false.
func ExtractLine(s string) (string, bool) {
	s = strings.TrimPrefix(s, "\ufeff")
	s = strings.TrimSuffix(s, "\n")
	s = strings.TrimSuffix(s, "\r")
	if !strings.HasPrefix(s, MirrorPrefix) {
		ts, rest, ok := strings.Cut(s, " ")
		if !ok || !isTimestamp(ts) {
			return "", false
		}
		s = rest
	}
	line, ok := strings.CutPrefix(s, MirrorPrefix)
	if !ok || !strings.HasPrefix(line, "{") || strings.ContainsAny(line, "\r\n") {
		return "", false
	}
	return line, true
}

func isTimestamp(s string) bool {
	if !strings.HasSuffix(s, "Z") {
		return false
	}
	_, err := time.Parse(time.RFC3339Nano, s)
	return err == nil
}
