//go:build releaserbench

package pipeline

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"github.com/releaserhq/releaser/bench/benchkit"
)

// runJSON is the part of `releaser run --json` read here.
type runJSON struct {
	OK     bool `json:"ok"`
	Stages []struct {
		Name       string `json:"name"`
		Result     string `json:"result"`
		DurationMS int64  `json:"duration_ms"`
	} `json:"stages"`
}

// seconds is the duration of the stage name, or false when the run had no
// such stage.
func (r runJSON) seconds(name string) (float64, bool) {
	for _, s := range r.Stages {
		if s.Name == name {
			return float64(s.DurationMS) / 1000, true
		}
	}
	return 0, false
}

// runReleaser runs releaser in dir under GNU time, with the calling
// environment less CI's plus env (raw output kept as name.*), and fails
// the benchmark unless its --json result says ok.
func runReleaser(t testing.TB, name, dir string, env map[string]string, args ...string) (benchkit.Measure, runJSON) {
	t.Helper()
	c := exec.Command(benchkit.Env(t, "RELEASER"), args...)
	c.Dir = dir
	c.Env = benchkit.Environ(env)
	m := benchkit.Timed(t, name, c)
	var res runJSON
	if err := json.Unmarshal(m.Stdout, &res); err != nil || !res.OK {
		t.Fatalf("%s: not ok (%v):\n%s", name, err, benchkit.Tail(m.Stdout, m.Stderr))
	}
	return m, res
}

// stagesTable is the per-stage durations of a dry run and a full run.
func stagesTable(dry, full runJSON) string {
	var b strings.Builder
	b.WriteString("| stage | dry run s | full run s |\n|---|---:|---:|\n")
	for _, s := range full.Stages {
		d := "—"
		if v, ok := dry.seconds(s.Name); ok {
			d = fmt.Sprintf("%.2f", v)
		}
		fmt.Fprintf(&b, "| %s | %s | %.2f |\n", s.Name, d, float64(s.DurationMS)/1000)
	}
	return b.String()
}
