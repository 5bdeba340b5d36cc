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

// BuildHashSeconds is the build stage's collecting and hashing of the
// artifacts in the audit log's last run: from the end of the build command
// (its event) to the first artifact event, which the stage writes once every
// file is hashed. Nothing else reads the files in that span.
func BuildHashSeconds(t testing.TB, path string) float64 {
	var cmdEnd time.Time
	for _, e := range lastRun(t, path) {
		switch {
		case e.Type == "build.command":
			cmdEnd = e.Time
		case e.Type == "artifact" && !cmdEnd.IsZero():
			return e.Time.Sub(cmdEnd).Seconds()
		}
	}
	t.Fatalf("no build.command followed by an artifact event in the last run of %s", path)
	return 0
}

// Publish is the publish stage of an audit log's last run, timed by its
// events: each is written when its step ends, and uploads run one after
// another, so the time between two upload events is the second upload.
type Publish struct {
	// BeforeFirst runs from the stage's checks to the end of the first
	// registry upload: digest checks, provenance, lookups, and that
	// upload, whose own share is estimated in FirstEstimate.
	BeforeFirst   float64
	FirstEstimate float64
	// Registry is the time of the registry uploads after the first, Rest
	// their bytes; Registries counts all registry uploads.
	Registry   float64
	RestBytes  int64
	Registries int
	// ToRelease runs to the draft release being ready; Assets is the time
	// of its NAssets uploads; ToEnd the rest of the stage.
	ToRelease, Assets, ToEnd float64
	NAssets                  int
}

// Uploads is the time the stage spent in uploads: the registry uploads
// (the first one estimated at the rate of the others) and the assets.
func (p Publish) Uploads() float64 { return p.FirstEstimate + p.Registry + p.Assets }

// PublishTimes reads the publish stage of the last run in the audit log.
func PublishTimes(t testing.TB, path string) Publish {
	var p Publish
	var checks, prev time.Time
	var firstSize int64
	for _, e := range lastRun(t, path) {
		if e.Stage != "publish" {
			continue
		}
		var d struct {
			Size int64 `json:"size"`
		}
		_ = json.Unmarshal(e.Data, &d) // events without a size read as 0
		since := func() float64 { return e.Time.Sub(prev).Seconds() }
		switch e.Type {
		case "stage.checks":
			checks = e.Time
		case "publish.upload":
			if p.Registries == 0 {
				p.BeforeFirst, firstSize = e.Time.Sub(checks).Seconds(), d.Size
			} else {
				p.Registry += since()
				p.RestBytes += d.Size
			}
			p.Registries++
		case "publish.release":
			p.ToRelease = since()
		case "publish.asset":
			p.Assets += since()
			p.NAssets++
		case "stage.end":
			p.ToEnd = since()
		}
		prev = e.Time
	}
	if checks.IsZero() || p.Registries == 0 {
		t.Fatalf("%s: the last run has no publish stage with uploads", path)
	}
	if p.RestBytes > 0 {
		p.FirstEstimate = float64(firstSize) * p.Registry / float64(p.RestBytes)
	}
	return p
}

// Table is the stage's breakdown as markdown.
func (p Publish) Table() string {
	var b strings.Builder
	b.WriteString("The publish stage by its audit events (each is written when its step ends; uploads run one after another):\n\n")
	b.WriteString("| span | s |\n|---|---:|\n")
	fmt.Fprintf(&b, "| checks → first registry upload done (digest checks, provenance, lookups, the first upload) | %.2f |\n", p.BeforeFirst)
	if p.Registries > 1 {
		fmt.Fprintf(&b, "| the other %d registry uploads | %.2f |\n", p.Registries-1, p.Registry)
	}
	if p.NAssets > 0 {
		fmt.Fprintf(&b, "| → draft release ready | %.2f |\n", p.ToRelease)
		fmt.Fprintf(&b, "| %d release assets | %.2f |\n", p.NAssets, p.Assets)
	}
	fmt.Fprintf(&b, "| → stage end | %.2f |\n", p.ToEnd)
	return b.String()
}
