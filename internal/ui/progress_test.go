package ui

import (
	"strings"
	"sync"
	"testing"
	"time"
)

func TestProgressPlainBoundedAndRaceFree(t *testing.T) {
	for _, mode := range []Mode{ModePlain, ModeGitHub} {
		t.Run(mode.String(), func(t *testing.T) {
			u, out, errOut := testUI(t, mode, nil) // the clock moves 3s per reading
			const workers, adds, chunk = 8, 500, 1024
			p := u.Progress("hashing 5 files", workers*adds*chunk)
			var wg sync.WaitGroup
			for range workers {
				wg.Go(func() {
					for range adds {
						p.Add(chunk)
					}
				})
			}
			wg.Wait()
			p.Done()
			p.Done()   // a second Done prints nothing
			p.Add(999) // nor does a late Add

			lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
			if lines[0] != "hashing 5 files, 3.9 MiB" {
				t.Errorf("start line %q", lines[0])
			}
			last := lines[len(lines)-1]
			if !strings.HasPrefix(last, "hashing 5 files: done, 3.9 MiB in ") || !strings.HasSuffix(last, "/s)") {
				t.Errorf("end line %q", last)
			}
			// start + at most one per quarter (25, 50, 75) + end
			if len(lines) > 5 {
				t.Errorf("%d lines, want at most 5:\n%s", len(lines), out.String())
			}
			seen := map[string]bool{}
			for _, l := range lines[1 : len(lines)-1] {
				pct := strings.Fields(l)[3]
				if seen[pct] || !strings.HasSuffix(pct, "%") {
					t.Errorf("unexpected progress line %q", l)
				}
				seen[pct] = true
			}
			if errOut.String() != "" {
				t.Errorf("stderr %q", errOut.String())
			}
		})
	}
}

func TestProgressShortJobOnlyStartAndEnd(t *testing.T) {
	var out syncBuffer
	clock := &fakeClock{t: time.Unix(0, 0), step: time.Millisecond}
	u := New(Options{Mode: ModePlain, Stdout: &out, Getenv: envMap(nil), Now: clock.Now})
	p := u.Progress("hashing", 100)
	for range 100 {
		p.Add(1)
	}
	p.Done()
	want := "hashing, 100 B\nhashing: done, 100 B in "
	if !strings.HasPrefix(out.String(), want) || strings.Count(out.String(), "\n") != 2 {
		t.Errorf("got %q, want only start and end lines", out.String())
	}
}

func TestProgressUnknownTotal(t *testing.T) {
	u, out, _ := testUI(t, ModePlain, nil)
	p := u.Progress("uploading", 0)
	p.Add(2048)
	p.Done()
	want := "uploading\nuploading: done, 2.0 KiB in 3.0s (682 B/s)\n"
	if out.String() != want {
		t.Errorf("got %q, want %q", out.String(), want)
	}
}

func TestProgressJSONSilent(t *testing.T) {
	u, out, errOut := testUI(t, ModeJSON, nil)
	p := u.Progress("hashing", 10)
	p.Add(10)
	p.Done()
	if out.String()+errOut.String() != "" {
		t.Errorf("JSON mode printed %q / %q", out.String(), errOut.String())
	}
}

func TestProgressTTYBar(t *testing.T) {
	for _, total := range []int64{1 << 20, 0} {
		u, out, errOut := testUI(t, ModeTTY, map[string]string{"NO_COLOR": "1"})
		p := u.Progress("hashing", total)
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				for range 64 {
					p.Add(4096)
				}
			})
		}
		wg.Wait()
		p.Done()
		p.Done()
		bar := errOut.String()
		if !strings.Contains(bar, "hashing") {
			t.Errorf("total %d: no bar on stderr: %q", total, bar)
		}
		// Cleared when finished: the bar's last act is blanking its line.
		if !strings.HasSuffix(bar, "\r") {
			t.Errorf("total %d: bar not cleared at the end: %q", total, bar[max(0, len(bar)-80):])
		}
		if !strings.HasPrefix(out.String(), "hashing: done, 1.0 MiB in ") || strings.Count(out.String(), "\n") != 1 {
			t.Errorf("total %d: stdout %q, want one end line", total, out.String())
		}
	}
}
