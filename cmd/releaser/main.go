// Command releaser turns a tagged commit into a published, attested,
// immutable release from inside a protected release workflow, with no
// long-lived registry secret. See README.md.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/releaserhq/releaser/internal/stages"
)

// app is one invocation: its streams and environment, so tests can run the
// whole CLI in-process.
type app struct {
	stdout, stderr io.Writer
	env            *stages.Env
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	a := &app{stdout: os.Stdout, stderr: os.Stderr, env: stages.OSEnv()}
	os.Exit(a.main(ctx, os.Args[1:]))
}

// usageError is a mistake on the command line (exit code 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

func (a *app) main(ctx context.Context, args []string) int {
	if len(args) == 0 {
		fmt.Fprint(a.stderr, topUsage)
		return stages.ExitUsage
	}
	var err error
	switch cmd, rest := args[0], args[1:]; cmd {
	case "run":
		return a.run(ctx, rest)
	case "check":
		return a.check(ctx, rest)
	case "init":
		err = a.init(ctx, rest)
	case "lint-workflow":
		return a.lintWorkflow(ctx, rest)
	case "manifest":
		err = a.manifest(ctx, rest)
	case "audit":
		err = a.audit(ctx, rest)
	case "digest":
		err = a.digest(ctx, rest)
	case "verify":
		err = a.verify(ctx, rest)
	case "version", "--version":
		err = a.version(rest)
	case "help", "-h", "-help", "--help":
		return a.help(rest)
	default:
		err = usagef("unknown command %q\n\n%s", cmd, topUsage)
	}
	return a.exit(err)
}

// exit prints err (if any) and maps it to the exit code contract.
func (a *app) exit(err error) int {
	if err == nil {
		return stages.ExitOK
	}
	if errors.Is(err, errHelpShown) {
		return stages.ExitOK
	}
	fmt.Fprintf(a.stderr, "releaser: %v\n", err)
	var ue *usageError
	var ce configError
	switch {
	case errors.As(err, &ue), errors.As(err, &ce):
		return stages.ExitUsage
	}
	return stages.ExitCode(err)
}

// writeJSON prints the one JSON document a --json command writes.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
