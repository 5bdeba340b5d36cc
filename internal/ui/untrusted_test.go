package ui

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
)

var stopLine = regexp.MustCompile(`(?m)^::stop-commands::([0-9a-f]{32})$`)

func TestUntrustedBlockTokensRandomAndDistinct(t *testing.T) {
	var out syncBuffer
	u := New(Options{Mode: ModeGitHub, Stdout: &out, Getenv: envMap(nil)}) // real random tokens
	for range 3 {
		w, end := u.UntrustedBlock()
		fmt.Fprintln(w, "::add-mask::from-the-build")
		end()
	}
	m := stopLine.FindAllStringSubmatch(out.String(), -1)
	if len(m) != 3 {
		t.Fatalf("want 3 stop-commands lines, got:\n%s", out.String())
	}
	seen := map[string]bool{}
	for _, sm := range m {
		tok := sm[1]
		if seen[tok] {
			t.Errorf("token %s reused", tok)
		}
		seen[tok] = true
		if !strings.Contains(out.String(), "\n::"+tok+"::\n") {
			t.Errorf("block with token %s never ended", tok)
		}
	}
	if got := commandNames(runnerParse(out.String())); slices.Contains(got, "add-mask") {
		t.Errorf("runner would run %q", got)
	}
}

func TestUntrustedBlockOverlapping(t *testing.T) {
	u, out, _ := testUI(t, ModeGitHub, nil)
	a, endA := u.UntrustedBlock()
	b, endB := u.UntrustedBlock()
	fmt.Fprint(a, "::set-output name=a::1\n")
	endA()
	// A ended first; B's content must still be protected.
	fmt.Fprint(b, "::set-output name=b::2\n##[set-output name=c;]3\n")
	u.Mask("s3cret")
	fmt.Fprint(b, "::set-output name=d::s3cret\n")
	endB()
	u.Warnf("after")

	cmds := runnerParse(out.String())
	var names []string
	for _, c := range cmds {
		if c.Name == "add-mask" || c.Name == "warning" {
			names = append(names, c.Name+":"+c.Data)
		} else if c.Name == "set-output" {
			t.Errorf("runner would set an output from untrusted text: %+v", c)
		}
	}
	if want := []string{"add-mask:s3cret", "warning:after"}; !slices.Equal(names, want) {
		t.Errorf("commands %q, want %q; output:\n%s", names, want, out.String())
	}
	if strings.Contains(out.String(), "name=d::s3cret") {
		t.Errorf("masked secret printed:\n%s", out.String())
	}
	if stop := runnerStopped(out.String()); stop {
		t.Errorf("commands still stopped at the end:\n%s", out.String())
	}
}

// runnerStopped reports whether the runner is left with commands stopped.
func runnerStopped(out string) bool {
	stopped := false
	for _, c := range runnerParse(out) {
		stopped = c.Name == "stop-commands"
	}
	return stopped
}

func TestUntrustedBlockLinesAndEnd(t *testing.T) {
	u, out, _ := testUI(t, ModePlain, nil)
	w, end := u.UntrustedBlock()
	fmt.Fprint(w, "one\ntw")
	u.Infof("ui line")
	fmt.Fprint(w, "o\rthree")
	end()
	end() // idempotent
	if _, err := fmt.Fprint(w, "late"); !errors.Is(err, errBlockEnded) {
		t.Errorf("write after end: err = %v", err)
	}
	want := "one\nui line\ntwo\rthree\n"
	if out.String() != want {
		t.Errorf("got %q, want %q", out.String(), want)
	}
}

func TestUntrustedBlockLongLineIsBounded(t *testing.T) {
	u, out, _ := testUI(t, ModePlain, nil)
	w, end := u.UntrustedBlock()
	fmt.Fprint(w, strings.Repeat("x", maxPartialLine+1))
	if len(out.String()) != maxPartialLine+2 {
		t.Errorf("a line over the buffer bound must be flushed; wrote %d bytes", len(out.String()))
	}
	end()
}

func TestUntrustedBlockConcurrent(t *testing.T) {
	u, out, _ := testUI(t, ModeGitHub, nil)
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			w, end := u.UntrustedBlock()
			defer end()
			for j := range 50 {
				fmt.Fprintf(w, "block %d ", i)
				fmt.Fprintf(w, "line %d\n", j)
				if j%10 == 0 {
					u.Warnf("warn %d %d", i, j)
				}
			}
		})
	}
	wg.Wait()
	for _, line := range runnerLines(out.String()) {
		if strings.HasPrefix(line, "block") && !regexp.MustCompile(`^block \d line \d+$`).MatchString(line) {
			t.Fatalf("lines of concurrent blocks interleaved: %q", line)
		}
	}
	warnings := 0
	for _, c := range runnerParse(out.String()) {
		if c.Name == "warning" {
			warnings++
		}
	}
	if warnings != 4*5 || runnerStopped(out.String()) {
		t.Errorf("runner saw %d warnings (want 20), stopped at end: %v", warnings, runnerStopped(out.String()))
	}
}

func TestUntrustedBlockOutsideActionsIsPlain(t *testing.T) {
	u, out, _ := testUI(t, ModeTTY, nil)
	w, end := u.UntrustedBlock()
	io.WriteString(w, "\x1b[32mcompiler colours stay\x1b[0m\n")
	end()
	if out.String() != "\x1b[32mcompiler colours stay\x1b[0m\n" {
		t.Errorf("got %q", out.String())
	}
}
