package main

import (
	"bytes"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/releaserhq/releaser/internal/testenv"
)

// registrySite is where one registry emulator takes uploads and answers
// lookups, as the fault tests need to address them.
type registrySite struct {
	name    string
	server  func(e *publishEnv) *testenv.Server
	upload  string // "METHOD path" of the upload
	lookup  string // "METHOD path" of the already-published lookup
	lookups int    // lookups the preflight makes on that path
}

var registrySites = []registrySite{
	{"PyPI", func(e *publishEnv) *testenv.Server { return e.pypi.Server }, "POST /legacy/", "GET /pypi/hello-releaser/1.2.3/json", 2},
	{"npm", func(e *publishEnv) *testenv.Server { return e.npm.Server }, "PUT /hello-releaser", "GET /hello-releaser", 1},
	{"crates.io", func(e *publishEnv) *testenv.Server { return e.crates.Server }, "PUT /api/v1/crates/new", "GET /api/v1/crates/hello-releaser/1.2.3", 1},
	{"RubyGems", func(e *publishEnv) *testenv.Server { return e.gems.Server }, "POST /api/v1/gems", "GET /api/v1/versions/hello-releaser.json", 1},
}

const wantUploads = "pypi=2 npm=1 crates=1 rubygems=1 github=7"

// TestPublishFaultMatrix: every registry gets each kind of fault on its
// upload at once; the run finishes and nothing is stored twice.
func TestPublishFaultMatrix(t *testing.T) {
	faults := []struct {
		name  string
		fault testenv.Fault
		gh    testenv.UploadFailure
	}{
		{"5xx", testenv.Status(503, "Service Unavailable"), testenv.UploadBadGateway},
		{"429 with Retry-After", testenv.TooManyRequests("1"), 0},
		{"connection reset", testenv.Reset(), testenv.UploadDropped},
		{"slow response", testenv.Slow(300 * time.Millisecond), 0},
		{"landed but the response was lost", testenv.LostResponse(), 0},
	}
	for _, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			e := newPublishEnv(t)
			e.build(e.p)
			for _, s := range registrySites {
				s.server(e).Faults().Add(s.upload, f.fault)
			}
			if f.gh != 0 {
				e.gh.FailNextUpload(f.gh)
			}
			res := e.publish(e.p)
			if res.code != 0 {
				t.Fatalf("exit %d\n%s", res.code, brief(res))
			}
			for _, s := range registrySites {
				if fired := s.server(e).Faults().Pending(); fired != 0 {
					t.Errorf("%s: the fault never fired", s.name)
				}
			}
			if got := e.uploads(); got != wantUploads {
				t.Errorf("stored %s, want %s", got, wantUploads)
			}
			e.assertPublished(e.p)
		})
	}
}

// TestPublishKilledAtEachBoundary: the publishing job is killed with SIGKILL
// while an upload is in flight (before it lands) and right after one landed
// (while releaser re-checks it); a re-run reaches the same end state as an
// uninterrupted run, with nothing stored twice.
func TestPublishKilledAtEachBoundary(t *testing.T) {
	type boundary struct {
		name   string
		arm    func(e *publishEnv) // inject the hold
		killAt func(e *publishEnv) bool
	}
	var boundaries []boundary
	for _, s := range registrySites {
		s := s
		method, path, _ := strings.Cut(s.upload, " ")
		lm, lp, _ := strings.Cut(s.lookup, " ")
		boundaries = append(boundaries,
			boundary{name: s.name + " upload in flight",
				arm:    func(e *publishEnv) { s.server(e).Faults().Add(s.upload, testenv.Slow(3*time.Second)) },
				killAt: func(e *publishEnv) bool { return s.server(e).Requests(method, path) > 0 }},
			boundary{name: s.name + " upload landed, answer lost",
				arm: func(e *publishEnv) {
					s.server(e).Faults().Add(s.upload, testenv.LostResponse())
					for i := 0; i < s.lookups; i++ {
						s.server(e).Faults().Add(s.lookup, testenv.Slow(0))
					}
					s.server(e).Faults().Add(s.lookup, testenv.Slow(3*time.Second))
				},
				killAt: func(e *publishEnv) bool { return s.server(e).Requests(lm, lp) > s.lookups }},
		)
	}
	for _, n := range []int{1, 6} {
		n := n
		boundaries = append(boundaries, boundary{name: "GitHub after asset " + string(rune('0'+n)),
			arm:    func(e *publishEnv) {},
			killAt: func(e *publishEnv) bool { return e.gh.Uploads() >= n }})
	}
	for _, b := range boundaries {
		t.Run(b.name, func(t *testing.T) {
			e := newPublishEnv(t)
			e.build(e.p)
			b.arm(e)
			cmd := exec.Command(binary, "run", "--from", "attest", "--to", "publish")
			cmd.Dir = e.p.dir
			cmd.Env = append(baseEnv(), e.env()...)
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			killed := false
		wait:
			for {
				select {
				case <-done:
					break wait
				case <-time.After(2 * time.Millisecond):
					if b.killAt(e) {
						_ = cmd.Process.Signal(syscall.SIGKILL)
						<-done
						killed = true
						break wait
					}
				}
			}
			if !killed && !strings.HasPrefix(b.name, "GitHub") {
				t.Fatalf("the run ended before the boundary was reached:\n%s", out.String())
			}
			for _, s := range registrySites {
				s.server(e).Faults().Clear()
			}
			res := e.publish(e.p)
			if res.code != 0 {
				t.Fatalf("re-run after the kill: exit %d\n%s", res.code, brief(res))
			}
			if got := e.uploads(); got != wantUploads {
				t.Errorf("stored %s, want %s", got, wantUploads)
			}
			e.assertPublished(e.p)
		})
	}
}
