package main

import (
	"encoding/json"
	"os"
	"slices"
	"strings"

	"github.com/releaserhq/releaser/internal/audit"
)

// auditPosition says where the last run in the audit log stopped: "in
// <stage>" when a stage had started (its stage.checks is logged) and not
// ended, "after <stage>" when the last stage it started had ended, "before
// any stage" otherwise, and "ended" once its run.end is logged.
func (e *matrixEnv) auditPosition() string {
	e.t.Helper()
	f, err := os.Open(e.auditLog())
	if err != nil {
		e.t.Fatal(err)
	}
	defer f.Close()
	pos := "no run"
	err = audit.Read(f, func(_ int, ev audit.Event) error {
		switch ev.Type {
		case "run.start":
			pos = "before any stage"
		case "stage.checks":
			pos = "in " + ev.Stage
		case "stage.end":
			pos = "after " + ev.Stage
		case "run.end":
			pos = "ended"
		}
		return nil
	})
	if err != nil {
		e.t.Fatalf("audit log: %v", err)
	}
	return pos
}

// auditFailures verifies the audit log's chain, runs `releaser audit --json`
// on it and returns the rules that failed ("chain" for a broken chain),
// sorted, with their evidence for a failure message.
func (e *matrixEnv) auditFailures() (failed []string, detail string) {
	e.t.Helper()
	if _, err := audit.VerifyFile(e.auditLog()); err != nil {
		e.t.Errorf("the audit log does not verify: %v", err)
	}
	res := runBin(e.t, e.p.dir, nil, "audit", "--json", e.auditLog())
	e.runs = append(e.runs, res)
	var rep struct {
		Failed bool `json:"failed"`
		Chains []struct {
			OK bool `json:"ok"`
		} `json:"chains"`
		Releases []struct {
			Findings []struct {
				Rule   string   `json:"rule"`
				Status string   `json:"status"`
				Ev     []string `json:"evidence"`
			} `json:"findings"`
		} `json:"releases"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &rep); err != nil {
		e.t.Fatalf("releaser audit --json: exit %d, %v\n%s", res.code, err, res.all())
	}
	var b strings.Builder
	for _, c := range rep.Chains {
		if !c.OK {
			failed = append(failed, "chain")
		}
	}
	for _, r := range rep.Releases {
		for _, f := range r.Findings {
			if f.Status != "fail" {
				continue
			}
			if !slices.Contains(failed, f.Rule) {
				failed = append(failed, f.Rule)
			}
			b.WriteString(f.Rule + ":\n  " + strings.Join(f.Ev, "\n  ") + "\n")
		}
	}
	slices.Sort(failed)
	if want := len(failed) > 0; rep.Failed != want || (res.code != 0) != want {
		e.t.Errorf("releaser audit: exit %d, failed=%v, failing rules %v", res.code, rep.Failed, failed)
	}
	if len(rep.Releases) != 1 {
		e.t.Errorf("releaser audit found %d releases in the log, want 1", len(rep.Releases))
	}
	return failed, b.String()
}
