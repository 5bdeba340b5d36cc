package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/releaserhq/releaser/internal/stages"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// TestHelpGolden keeps every command's --help text under review: it is the
// first documentation a user reads.
func TestHelpGolden(t *testing.T) {
	for _, args := range [][]string{
		{"help"}, {"run", "--help"}, {"check", "--help"}, {"manifest", "--help"},
		{"manifest", "merge", "--help"}, {"manifest", "verify", "--help"},
		{"audit", "--help"}, {"digest", "--help"}, {"verify", "--help"}, {"version", "--help"},
		{"init", "--help"}, {"lint-workflow", "--help"},
	} {
		name := args[0]
		for _, a := range args[1:] {
			if a != "--help" {
				name += "-" + a
			}
		}
		t.Run(name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			a := &app{stdout: &out, stderr: &errOut, env: stages.NewEnv(nil)}
			if code := a.main(context.Background(), args); code != 0 {
				t.Fatalf("exit %d: %s", code, errOut.String())
			}
			golden := filepath.Join("testdata", "help-"+name+".golden")
			if *update {
				if err := os.MkdirAll("testdata", 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./cmd/releaser -run TestHelpGolden -update)", err)
			}
			if !bytes.Equal(out.Bytes(), want) {
				t.Errorf("--help output changed; if intended, run with -update.\ngot:\n%s\nwant:\n%s", out.String(), want)
			}
		})
	}
}
