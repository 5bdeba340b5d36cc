// Command vulndb prepares the Go vulnerability database for govulncheck from
// the module golang.org/x/vulndb, fetched through the Go module proxy, for
// machines (and CI) that reach the proxy but not vuln.go.dev.
//
//	go run ./internal/buildinfo/cmd/vulndb [-version latest] [-cache .bin/vulndb]
//
// It prints the database directory on stdout (for `govulncheck -db
// file://DIR`) and what it is on stderr: the snapshot's version, date and
// size. A snapshot is converted once and kept in the cache directory; older
// ones are removed.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/releaserhq/releaser/internal/buildinfo"
)

const module = "golang.org/x/vulndb"

func main() {
	version := flag.String("version", "latest", "the "+module+" version (a pseudo-version, or latest)")
	cache := flag.String("cache", ".bin/vulndb", "where converted snapshots are kept")
	flag.Parse()
	dir, err := prepare(*version, *cache)
	if err != nil {
		fmt.Fprintln(os.Stderr, "vulndb:", err)
		os.Exit(1)
	}
	fmt.Println(dir)
}

// download is `go mod download -json`'s answer.
type download struct {
	Version string
	Dir     string
	Error   string
}

func prepare(version, cache string) (string, error) {
	d, err := fetch(version)
	if err != nil {
		return "", err
	}
	snapshot, err := buildinfo.SnapshotTime(d.Version)
	if err != nil {
		return "", err
	}
	cache, err = filepath.Abs(cache)
	if err != nil {
		return "", fmt.Errorf("cache directory: %w", err)
	}
	dir := filepath.Join(cache, d.Version)
	describe := func(detail string) {
		fmt.Fprintf(os.Stderr, "vulndb: %s@%s, snapshot of %s (%s)\n", module, d.Version, snapshot.Format("2006-01-02 15:04 MST"), detail)
	}
	if _, err := os.Stat(filepath.Join(dir, "index", "db.json")); err == nil {
		describe("converted earlier")
		return dir, nil
	}
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return "", fmt.Errorf("cache directory: %w", err)
	}
	// Built beside its final place and renamed, so an interrupted run never
	// leaves a half-written database that a later run would trust.
	tmp, err := os.MkdirTemp(cache, ".tmp-")
	if err != nil {
		return "", fmt.Errorf("cache directory: %w", err)
	}
	defer os.RemoveAll(tmp)
	stats, err := buildinfo.BuildVulnDB(filepath.Join(d.Dir, "data", "osv"), filepath.Join(tmp, "db"), snapshot)
	if err != nil {
		return "", fmt.Errorf("converting %s@%s: %w", module, d.Version, err)
	}
	if err := os.Rename(filepath.Join(tmp, "db"), dir); err != nil {
		return "", fmt.Errorf("cache directory: %w", err)
	}
	removeOthers(cache, d.Version)
	describe(fmt.Sprintf("%d entries, %d modules", stats.Entries, stats.Modules))
	return dir, nil
}

// fetch downloads the snapshot into the module cache (verified against the
// checksum database like any module) and says where it is.
func fetch(version string) (download, error) {
	var d download
	var stdout, stderr bytes.Buffer
	cmd := exec.Command("go", "mod", "download", "-json", module+"@"+version)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	// -json reports a module's own failure in Error, with a non-zero exit.
	if err := json.Unmarshal(stdout.Bytes(), &d); err != nil {
		if runErr != nil {
			return d, fmt.Errorf("go mod download %s@%s: %w: %s", module, version, runErr, strings.TrimSpace(stderr.String()))
		}
		return d, fmt.Errorf("go mod download %s@%s: unreadable answer: %w", module, version, err)
	}
	if d.Error != "" {
		return d, fmt.Errorf("the vulnerability database comes through the Go module proxy as %s, and fetching it failed: %s", module, d.Error)
	}
	if runErr != nil {
		return d, fmt.Errorf("go mod download %s@%s: %w", module, version, runErr)
	}
	if d.Dir == "" || d.Version == "" {
		return d, errors.New("go mod download named no directory or version for " + module)
	}
	return d, nil
}

// removeOthers keeps the cache to one snapshot; failing to remove an old
// one costs only disk space.
func removeOthers(cache, keep string) {
	entries, err := os.ReadDir(cache)
	if err != nil {
		return
	}
	for _, e := range entries {
		if e.Name() != keep && !strings.HasPrefix(e.Name(), ".tmp-") {
			os.RemoveAll(filepath.Join(cache, e.Name()))
		}
	}
}
