// Command gen writes docs/CONFIG.md from internal/config; it is run by
// go generate ./internal/config, in that directory.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/releaserhq/releaser/internal/configdoc"
)

func main() {
	out := flag.String("o", "", "write the reference to this file (default: standard output)")
	src := flag.String("src", ".", "the directory of the internal/config sources")
	flag.Parse()
	if err := run(*src, *out); err != nil {
		fmt.Fprintln(os.Stderr, "configdoc:", err)
		os.Exit(1)
	}
}

func run(src, out string) error {
	doc, err := configdoc.Generate(src)
	if err != nil {
		return err
	}
	if out == "" {
		_, err = os.Stdout.Write(doc)
		return err
	}
	if err := os.WriteFile(out, doc, 0o644); err != nil {
		return fmt.Errorf("write reference: %w", err)
	}
	return nil
}
