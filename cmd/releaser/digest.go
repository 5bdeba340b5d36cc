package main

import (
	"context"
	"fmt"

	"github.com/releaserhq/releaser/internal/artifact"
)

func (a *app) digest(ctx context.Context, args []string) error {
	var jsonOut bool
	fs := newFlags("digest", `releaser digest — print the sha256, sha512 and blake2b-256 of files, in one pass each.

These are the digests the manifest records and the registries compare
(PyPI: sha256 and blake2b-256; npm: sha512).

Usage: releaser digest [--json] FILE...`, "  releaser digest dist/*.whl\n  releaser digest --json dist/app.tar.gz\n", a.stdout)
	fs.BoolVar(&jsonOut, "json", false, "print a JSON array")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usagef("digest: name at least one file (see releaser digest --help)")
	}
	type entry struct {
		File string `json:"file"`
		Size int64  `json:"size"`
		artifact.Digests
	}
	var out []entry
	for _, f := range fs.Args() {
		d, n, err := artifact.Hash(ctx, f, nil)
		if err != nil {
			return fmt.Errorf("digest %s: %w", f, err)
		}
		out = append(out, entry{File: f, Size: n, Digests: d})
	}
	if jsonOut {
		return writeJSON(a.stdout, out)
	}
	for _, e := range out {
		// sha256sum's layout, so the line can be compared with it directly.
		fmt.Fprintf(a.stdout, "%s  %s\n", e.SHA256, e.File)
		fmt.Fprintf(a.stdout, "  sha512      %s\n  blake2b-256 %s\n  size        %d\n", e.SHA512, e.BLAKE2b256, e.Size)
	}
	return nil
}
