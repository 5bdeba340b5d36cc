// Command troubleshoot writes docs/TROUBLESHOOTING.md from the precondition
// catalogue (stages.Codes); `go generate ./internal/stages` runs it.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"

	"github.com/releaserhq/releaser/internal/stages"
)

func main() {
	out := flag.String("o", "", "write to this file instead of standard output")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "troubleshoot:", err)
		os.Exit(1)
	}
}

func run(out string) error {
	var b bytes.Buffer
	if err := stages.WriteTroubleshootingPage(&b); err != nil {
		return err
	}
	if out == "" {
		_, err := os.Stdout.Write(b.Bytes())
		return err
	}
	if err := os.WriteFile(out, b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	return nil
}
