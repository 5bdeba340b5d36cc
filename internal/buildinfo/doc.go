// Package buildinfo checks releaser's own supply chain: that the release
// binary builds bit for bit the same from any checkout path
// (TestReproducibleBuild), that docs/DEPENDENCIES.md names exactly the
// modules linked into it (TestDependenciesDocumented), that the project's
// workflows pass releaser's own lint, and that the release archives are
// reproducible.
//
// Its non-test code serves two small programs:
//
//   - cmd/vulndb turns a snapshot of the Go vulnerability database, fetched
//     as the module golang.org/x/vulndb through the Go module proxy, into the
//     directory layout `govulncheck -db file://...` reads, so scripts/test can
//     run govulncheck where only the module proxy is reachable.
//   - cmd/deps prints the DEPENDENCIES.md table of the current build, keeping
//     the hand-written "why" of every module already documented.
package buildinfo
