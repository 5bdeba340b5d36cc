//go:build releaserbench

// Command genrelease makes (or reuses) the benchmark's release and prints
// its directory. bench/run calls it before the measurements that read the
// files directly:
//
//	go run -tags releaserbench ./bench/genrelease -example testdata/example -dir DIR -size-mib 2048
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/releaserhq/releaser/bench/release"
)

func main() {
	example := flag.String("example", "testdata/example", "the example project (its packages are the base of the release's)")
	dir := flag.String("dir", "", "the release directory (required); its stamp is DIR.json")
	size := flag.Int("size-mib", 2048, "total size of the release")
	flag.Parse()
	if *dir == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: genrelease -dir DIR [-size-mib N] [-example DIR]")
		os.Exit(2)
	}
	logf := func(format string, args ...any) { fmt.Fprintf(os.Stderr, "genrelease: "+format+"\n", args...) }
	files, err := release.Ensure(*example, *dir, *size, logf)
	if err != nil {
		fmt.Fprintln(os.Stderr, "genrelease:", err)
		os.Exit(1)
	}
	logf("%d files, %d MiB", len(files), release.Total(files)>>20)
	fmt.Println(*dir)
}
