package audit

import (
	"fmt"
	"strings"
)

// maxEvidence bounds the evidence of one finding: a release with thousands of files
// must not make a report of thousands of lines per rule.
const maxEvidence = 25

// maxEvidenceLine bounds one evidence line; parts of it come from the untrusted log.
const maxEvidenceLine = 400

// judge collects a rule's evidence. A rule that records no failure and at least one
// pass passes; one that records neither is not applicable.
type judge struct {
	pass, fail, skip []string
}

func (j *judge) ok(l located, format string, args ...any) {
	j.pass = append(j.pass, evidence(l, format, args...))
}

func (j *judge) bad(l located, format string, args ...any) {
	j.fail = append(j.fail, evidence(l, format, args...))
}

// na records why the rule does not apply; it does not override a pass or a fail.
func (j *judge) na(l located, format string, args ...any) {
	j.skip = append(j.skip, evidence(l, format, args...))
}

func evidence(l located, format string, args ...any) string {
	var buf [256]byte
	b := append(l.appendAt(buf[:0]), ": "...)
	if format == "%s" && len(args) == 1 {
		if s, ok := args[0].(string); ok {
			b = append(b, s...) // what fmt would write, without its machinery
		} else {
			b = fmt.Appendf(b, format, args...)
		}
	} else {
		b = fmt.Appendf(b, format, args...)
	}
	s := string(b)
	if len(s) > maxEvidenceLine {
		s = truncateUTF8(s, maxEvidenceLine) + "…"
	}
	return s
}

func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !isRuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

func (j *judge) finding(name, title string) Finding {
	f := Finding{Rule: name, Title: title}
	switch {
	case len(j.fail) > 0:
		f.Status, f.Evidence = StatusFail, j.fail
	case len(j.pass) > 0:
		f.Status, f.Evidence = StatusPass, j.pass
	default:
		f.Status, f.Evidence = StatusNA, j.skip
	}
	f.Evidence = capEvidence(f.Evidence)
	return f
}

func capEvidence(ev []string) []string {
	if ev == nil {
		return []string{}
	}
	if len(ev) <= maxEvidence {
		return ev
	}
	out := append([]string(nil), ev[:maxEvidence-1]...)
	return append(out, fmt.Sprintf("… and %d more", len(ev)-(maxEvidence-1)))
}

// short shortens a digest for evidence text; the full value is in the log line the
// evidence points at.
func short(digest string) string {
	digest = strings.TrimPrefix(digest, "sha256:")
	if len(digest) > 12 {
		return digest[:12]
	}
	if digest == "" {
		return "(none)"
	}
	return digest
}
