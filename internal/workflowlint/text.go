package workflowlint

import (
	"fmt"
	"io"
)

// Text writes findings for people: per finding "file:line:col: [severity] rule: message",
// then indented "why: …" and "fix: …" lines. For machines, encode the []Finding with
// encoding/json instead (see the package documentation).
func Text(w io.Writer, findings []Finding) error {
	for _, f := range findings {
		if _, err := fmt.Fprintf(w, "%s:%d:%d: [%s] %s: %s\n    why: %s\n    fix: %s\n",
			f.File, f.Line, f.Column, f.Severity, f.Rule, f.Message, f.Why, f.Fix); err != nil {
			return fmt.Errorf("writing findings: %w", err)
		}
	}
	return nil
}
