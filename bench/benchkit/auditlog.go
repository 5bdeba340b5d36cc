//go:build releaserbench

package benchkit

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/releaserhq/releaser/internal/audit"
)

// lastRun is the events of the audit log's last run.
func lastRun(t testing.TB, path string) []audit.Event {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var run []audit.Event
	err = audit.Read(f, func(_ int, e audit.Event) error {
		if e.Type == "run.start" {
			run = run[:0]
		}
		run = append(run, e)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return run
}

// BuildCommandSeconds is the build command's duration_ms in the audit log's
// last run.
func BuildCommandSeconds(t testing.TB, path string) float64 {
	for _, e := range lastRun(t, path) {
		if e.Type == "build.command" {
			var d struct {
				DurationMS *float64 `json:"duration_ms"`
			}
			if err := json.Unmarshal(e.Data, &d); err != nil || d.DurationMS == nil {
				t.Fatalf("build.command without duration_ms: %s", e.Data)
			}
			return *d.DurationMS / 1000
		}
	}
	t.Fatalf("no build.command event in the last run of %s", path)
	return 0
}

// PublishBreakdown splits the publish stage of the audit log's last run by
// its events' timestamps (a markdown table): each event is written when its
// step ends, and the uploads run one after another.
func PublishBreakdown(t testing.TB, path string) string {
	var checks, firstUpload, lastUpload, release, lastAsset, end time.Time
	uploads, assets := 0, 0
	for _, e := range lastRun(t, path) {
		if e.Stage != "publish" {
			continue
		}
		switch e.Type {
		case "stage.checks":
			checks = e.Time
		case "publish.upload":
			if firstUpload.IsZero() {
				firstUpload = e.Time
			}
			lastUpload, uploads = e.Time, uploads+1
		case "publish.release":
			release = e.Time
		case "publish.asset":
			lastAsset, assets = e.Time, assets+1
		case "stage.end":
			end = e.Time
		}
	}
	if checks.IsZero() || firstUpload.IsZero() {
		return "(the publish stage's events were not all found in the audit log)\n"
	}
	s := func(a, b time.Time) string { return fmt.Sprintf("%.2f", b.Sub(a).Seconds()) }
	var b strings.Builder
	b.WriteString("The publish stage by its audit events (each is written when its step ends; uploads are sequential):\n\n")
	b.WriteString("| span | s |\n|---|---:|\n")
	fmt.Fprintf(&b, "| checks → first registry upload done (re-verify digests, provenance, lookups, first upload) | %s |\n", s(checks, firstUpload))
	fmt.Fprintf(&b, "| the other %d registry uploads | %s |\n", uploads-1, s(firstUpload, lastUpload))
	if !release.IsZero() && !lastAsset.IsZero() {
		fmt.Fprintf(&b, "| → draft release ready | %s |\n", s(lastUpload, release))
		fmt.Fprintf(&b, "| %d release assets | %s |\n", assets, s(release, lastAsset))
		lastUpload = lastAsset
	}
	fmt.Fprintf(&b, "| → stage end | %s |\n", s(lastUpload, end))
	return b.String()
}
