package ui

import "io"

// RawStdout returns stdout for the final JSON document, serialised with the
// UI's other writes.
//
// Inside Actions the runner would take "##[" anywhere in a line as a v1
// command, and a JSON string may carry an untrusted tag name; so each '['
// that follows "##" is written as \u005b. In valid JSON "##" only occurs
// inside strings, where \u005b is the same character, so the document's
// value is unchanged. (A JSON line never starts with "::": a line break
// can only sit between tokens.) Use it for JSON only.
func (u *UI) RawStdout() io.Writer { return rawWriter{u} }

type rawWriter struct{ u *UI }

func (r rawWriter) Write(p []byte) (int, error) {
	u := r.u
	u.mu.Lock()
	defer u.mu.Unlock()
	out := p
	if u.actions {
		out = u.escapeV1JSONLocked(p)
	}
	if _, err := u.stdout.Write(out); err != nil {
		return 0, err
	}
	if len(p) > 0 {
		last := p[len(p)-1]
		u.partial = last != '\n' && last != '\r'
	}
	return len(p), nil
}

// escapeV1JSONLocked streams across writes: u.rawHashes remembers how many
// '#' ended the previous write.
func (u *UI) escapeV1JSONLocked(p []byte) []byte {
	var out []byte
	start := 0
	for i, c := range p {
		switch {
		case c == '[' && u.rawHashes >= 2:
			out = append(out, p[start:i]...)
			out = append(out, `\u005b`...)
			start = i + 1
			u.rawHashes = 0
		case c == '#':
			u.rawHashes++
		default:
			u.rawHashes = 0
		}
	}
	if out == nil {
		return p
	}
	return append(out, p[start:]...)
}
