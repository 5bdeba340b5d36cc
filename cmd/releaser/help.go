package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

const topUsage = `releaser — release a tagged commit: build, attest, approve, exchange, publish, finalize.

Usage:
  releaser init [--approvers N] [--force]
  releaser lint-workflow [--json] [FILE...]
  releaser run [--dry-run] [--config F] [--from S] [--to S] [--only S] [--json]
  releaser check [--config F] [--json]
  releaser manifest merge -o OUT IN...
  releaser manifest verify [--config F | --manifest F]
  releaser audit [--json] FILE...
  releaser digest [--json] FILE...
  releaser verify [--repo O/R] [--workflow F] [--bundle B] ARTIFACT...
  releaser version

Start with a dry run of the shipped example:
  releaser run --dry-run --config release.toml.example
or set up your own project:
  releaser init && releaser check && releaser run --dry-run

Run "releaser help COMMAND" (or COMMAND --help) for a command's flags and examples.
Exit codes: 0 ok, 1 a precondition failed, 2 usage or config error, 3 a remote service failed.
`

// errHelpShown ends a command after --help printed its usage (exit 0).
var errHelpShown = errors.New("help shown")

func (a *app) help(args []string) int {
	if len(args) == 0 {
		fmt.Fprint(a.stdout, topUsage)
		return 0
	}
	return a.main(context.Background(), []string{args[0], "--help"})
}

// newFlags makes a FlagSet whose --help prints a synopsis, the flags and
// examples, and whose errors are usage errors.
func newFlags(name, synopsis, examples string, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprintf(out, "%s\n\nFlags:\n", strings.TrimSpace(synopsis))
		fs.SetOutput(out)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
		fmt.Fprintf(out, "\nExamples:\n%s", examples)
	}
	return fs
}

// parse parses flags, turning --help into errHelpShown and mistakes into usage errors.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelpShown // the flag package has already printed fs.Usage
		}
		return usagef("%s: %v (see releaser %s --help)", fs.Name(), err, fs.Name())
	}
	return nil
}
