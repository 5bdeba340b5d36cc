package audit

import (
	"io"
)

// Report is the outcome of an audit: each log's chain and each release's findings.
type Report struct {
	Releases []ReleaseReport
	Chains   []ChainResult
	// Failed is set when a rule failed or a chain is broken. The writers report a
	// failure when Failed is set or when the report itself shows one, so a Report
	// assembled by hand cannot print a failed finding under a passing headline.
	Failed bool
}

// ReleaseReport is the findings for one release, in rule order.
type ReleaseReport struct {
	ID       string
	Findings []Finding
}

// ChainResult is the hash-chain verdict for one source.
type ChainResult struct {
	Source string
	OK     bool
	Error  string // the *ChainError or read error when !OK
	Events int    // events verified (before the error, if any)
}

// NewReport evaluates every release against p and sets Failed.
func NewReport(releases []*ReleaseRecord, chains []ChainResult, p Policy) Report {
	r := Report{Chains: chains}
	for _, rel := range releases {
		r.Releases = append(r.Releases, ReleaseReport{ID: rel.ID, Findings: Evaluate(rel, p)})
	}
	r.Failed = r.failed()
	return r
}

func (r Report) failed() bool {
	if r.Failed {
		return true
	}
	for _, c := range r.Chains {
		if !c.OK {
			return true
		}
	}
	for _, rel := range r.Releases {
		if rel.status() == StatusFail {
			return true
		}
	}
	return false
}

// status is a release's overall verdict: fail if any rule failed, pass if any passed,
// otherwise n/a.
func (rr ReleaseReport) status() Status {
	s := StatusNA
	for _, f := range rr.Findings {
		switch f.Status {
		case StatusFail:
			return StatusFail
		case StatusPass:
			s = StatusPass
		}
	}
	return s
}

// JSONSchemaVersion is the "schema" member of Report.JSON; it changes only when a
// member is removed or changes meaning (new members may be added within a version).
const JSONSchemaVersion = 1

// JSON writes the report as one indented JSON document:
//
//	{
//	  "schema": 1,                      // JSONSchemaVersion
//	  "failed": true,                   // a rule failed or a chain is broken: exit non-zero
//	  "chains": [                       // one per source, in the order given
//	    {"source": "audit.jsonl", "ok": false, "events": 12,
//	     "error": "audit log line 13 (seq 13): hash mismatch: the line was edited"}
//	  ],                                // "error" only when ok is false
//	  "releases": [                     // oldest first
//	    {"id": "demo@1.0.0", "status": "fail",   // fail if any rule failed, else pass if any passed, else n/a
//	     "findings": [                  // every rule, always in RuleNames order
//	       {"rule": "digests-match", "title": "…", "status": "pass" | "fail" | "n/a",
//	        "evidence": ["audit.jsonl:32: pypi published demo-1.0.0.tar.gz sha256 … = built at audit.jsonl:7"]}
//	     ]}
//	  ]
//	}
//
// Arrays are never null. Evidence lines start with "source:line: " except a final
// "… and N more" when a finding has more than fits.
func (r Report) JSON(w io.Writer) error { return r.write(w, FormatJSON) }
