// Command deps prints docs/DEPENDENCIES.md for the current build of
// ./cmd/releaser: every module linked into the binary, grouped under the
// direct dependency that brings it in, keeping the hand-written Why of every
// module the document already explains. A new module's Why is a TODO naming
// the import chain that brings it in; TestDependenciesDocumented refuses
// TODOs, so write them before committing.
//
//	go run ./internal/buildinfo/cmd/deps      print the regenerated document
//	go run ./internal/buildinfo/cmd/deps -w   rewrite docs/DEPENDENCIES.md
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/releaserhq/releaser/internal/buildinfo"
)

const defaultIntro = "# Dependencies\n\n" + buildinfo.GeneratedMarker + "\n"

func main() {
	write := flag.Bool("w", false, "rewrite "+buildinfo.DependenciesDoc+" instead of printing")
	flag.Parse()
	if err := run(*write); err != nil {
		fmt.Fprintln(os.Stderr, "deps:", err)
		os.Exit(1)
	}
}

func run(write bool) error {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	docPath := filepath.Join(root, filepath.FromSlash(buildinfo.DependenciesDoc))
	intro := []byte(defaultIntro)
	whys := map[string]string{}
	md, err := os.ReadFile(docPath)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return err
	default:
		doc, err := buildinfo.ParseDependencies(md)
		if err != nil {
			return err
		}
		intro = doc.Intro
		for _, r := range doc.Rows {
			whys[r.Path] = r.Why
		}
	}
	pkgs, err := buildinfo.ListDeps(root, "./cmd/releaser")
	if err != nil {
		return err
	}
	g, err := buildinfo.Analyze(pkgs)
	if err != nil {
		return err
	}
	out := buildinfo.RenderDependencies(intro, g, whys)
	if !write {
		_, err := os.Stdout.Write(out)
		return err
	}
	if err := os.WriteFile(docPath, out, 0o644); err != nil {
		return err
	}
	if n := bytes.Count(out, []byte("| TODO:")); n > 0 {
		fmt.Fprintf(os.Stderr, "deps: %s rewritten; %d module(s) need their Why written (the rows saying TODO)\n", buildinfo.DependenciesDoc, n)
	}
	return nil
}

func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("run this inside the releaser module")
	}
	return filepath.Dir(gomod), nil
}
