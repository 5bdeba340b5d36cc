package config

import (
	"fmt"
	"strings"
)

// Error is one problem in a config file: where it is, what is wrong, and the fix.
type Error struct {
	File string // config file path as given
	Line int    // 1-based; 0 when unknown (a missing key has no line)
	Key  string // dotted key, e.g. "registry[1].package"
	Msg  string // what is wrong
	Fix  string // what to do about it; may be empty
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Key != "" {
		b.WriteString(e.Key)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	if e.Fix != "" {
		b.WriteString("\n  fix: ")
		b.WriteString(e.Fix)
	}
	return b.String()
}

// Errors is every problem found in one file, in file order where known.
// Reporting them all at once saves the user a fix-rerun loop per mistake.
type Errors []*Error

func (es Errors) Error() string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "\n")
}

// Unwrap lets errors.As find the individual *Error values.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}
