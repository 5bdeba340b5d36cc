package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// version is set at release time with -ldflags "-X main.version=v1.2.3".
var version = "dev"

func (a *app) version(args []string) error {
	fs := newFlags("version", "releaser version — print the version and build information.\n\nUsage: releaser version", "  releaser version\n", a.stdout)
	if err := parse(fs, args); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "releaser %s (%s, %s/%s)\n", releaserVersion(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}

// releaserVersion is the -ldflags version, else the module version go
// install recorded, else "dev".
func releaserVersion() string {
	v := version
	if bi, ok := debug.ReadBuildInfo(); ok && v == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		v = bi.Main.Version
	}
	return v
}
