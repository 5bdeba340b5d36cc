// Command mkdist builds the example project's release artifacts. Run it from
// testdata/example:
//
//	go run ./mkdist -out DIR
//
// The timestamp recorded in the archives is SOURCE_DATE_EPOCH when set, else a
// fixed constant, so two builds of the same sources are identical byte for byte.
package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"

	"github.com/releaserhq/releaser/internal/sample"
)

// defaultEpoch (2023-11-14T22:13:20Z) keeps builds reproducible when
// SOURCE_DATE_EPOCH is not set.
const defaultEpoch = 1700000000

func main() {
	src := flag.String("src", ".", "the example project's directory (holding VERSION)")
	out := flag.String("out", "", "directory to write the artifacts into (required)")
	flag.Parse()
	if *out == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: go run ./mkdist -out DIR [-src DIR]")
		os.Exit(2)
	}
	epoch := int64(defaultEpoch)
	if s, ok := os.LookupEnv("SOURCE_DATE_EPOCH"); ok {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			fmt.Fprintf(os.Stderr, "mkdist: SOURCE_DATE_EPOCH=%q is not a whole number of seconds; unset it or fix it\n", s)
			os.Exit(2)
		}
		epoch = v
	}
	paths, err := sample.Build(sample.Options{SrcDir: *src, OutDir: *out, Epoch: epoch})
	if err != nil {
		fmt.Fprintln(os.Stderr, "mkdist:", err)
		os.Exit(1)
	}
	for _, p := range paths {
		fmt.Println(p)
	}
}
