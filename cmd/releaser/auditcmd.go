package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/releaserhq/releaser/internal/audit"
)

const auditSynopsis = `releaser audit — verify audit logs of past releases.

This build verifies each log's hash chain: an edited, removed, inserted,
reordered or truncated line is reported with its line number. The release
rules (approvals, identity, digests, immutability; issue #8) are not evaluated
yet, and the output says so.

Usage: releaser audit [--json] FILE...`

const auditExamples = `  releaser audit .releaser/audit.jsonl
  releaser audit --json testdata/example/.releaser/audit.jsonl
`

type auditFileResult struct {
	File     string `json:"file"`
	OK       bool   `json:"ok"`
	Events   int    `json:"events"`
	LastSeq  int64  `json:"last_seq"`
	LastHash string `json:"last_hash,omitempty"`
	Line     int    `json:"line,omitempty"`
	Error    string `json:"error,omitempty"`
}

func (a *app) audit(_ context.Context, args []string) error {
	var jsonOut bool
	fs := newFlags("audit", auditSynopsis, auditExamples, a.stdout)
	fs.BoolVar(&jsonOut, "json", false, "print a JSON result")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usagef("audit: name at least one audit log file (see releaser audit --help)")
	}
	var results []auditFileResult
	broken := 0
	for _, f := range fs.Args() {
		res := auditFileResult{File: f, OK: true}
		sum, err := audit.VerifyFile(f)
		res.Events, res.LastSeq, res.LastHash = sum.Events, sum.LastSeq, sum.LastHash
		if err != nil {
			res.OK, res.Error = false, err.Error()
			var ce *audit.ChainError
			if errors.As(err, &ce) {
				res.Line = ce.Line
			}
			broken++
		}
		results = append(results, res)
	}
	if jsonOut {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(map[string]any{"files": results, "rules_evaluated": false}); err != nil {
			return err
		}
	} else {
		for _, r := range results {
			if r.OK {
				fmt.Fprintf(a.stdout, "%s: chain intact, %d events (last seq %d, hash %s)\n", r.File, r.Events, r.LastSeq, r.LastHash)
			} else {
				fmt.Fprintf(a.stdout, "%s: BROKEN: %s\n", r.File, r.Error)
			}
		}
		fmt.Fprintln(a.stderr, "note: release rules (approvals, identity, digests, immutability) are not evaluated by this build (issue #8)")
	}
	if broken > 0 {
		return fmt.Errorf("%d of %d audit log(s) failed verification", broken, len(results))
	}
	return nil
}
