package buildinfo

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
)

// The module golang.org/x/vulndb carries every OSV entry of the Go
// vulnerability database (data/osv/GO-YYYY-NNNN.json, the same documents
// vuln.go.dev serves under ID/) but no index. govulncheck's file:// source
// wants the v1 layout (golang.org/x/vuln/internal/client, schema.go):
//
//	index/db.json       {"modified": <time>}
//	index/modules.json  [{"path": <module>, "vulns": [{"id", "modified", "fixed"?}]}]
//	ID/<id>.json        the entry, byte for byte
//
// The index's optional "fixed" is left out: the client then reads every
// entry of a module and decides from the entry's own ranges, which is what
// it does anyway once "fixed" does not rule an entry out. Leaving it out
// costs a few file reads and avoids re-implementing the client's rule for
// which fix is not superseded.

// VulnDBStats says what BuildVulnDB wrote.
type VulnDBStats struct {
	Entries int // ID/*.json files
	Modules int // distinct modules (including "stdlib" and "toolchain") in the index
}

var osvID = regexp.MustCompile(`^GO-[0-9]{4}-[0-9]{4,}$`)

// osvEntry is the part of an OSV entry the index needs.
type osvEntry struct {
	ID       string    `json:"id"`
	Modified time.Time `json:"modified"`
	Affected []struct {
		Package struct {
			Name string `json:"name"`
		} `json:"package"`
	} `json:"affected"`
}

type indexVuln struct {
	ID       string    `json:"id"`
	Modified time.Time `json:"modified"`
}

type indexModule struct {
	Path  string      `json:"path"`
	Vulns []indexVuln `json:"vulns"`
}

// BuildVulnDB writes a govulncheck database to out (created; it must not
// exist) from the OSV entries in osvDir. snapshot becomes index/db.json's
// "modified", the date govulncheck reports as "DB updated": the module's
// entries carry zero timestamps (vuln.go.dev fills them in from git history
// when it publishes), so the snapshot's commit time is the honest date.
func BuildVulnDB(osvDir, out string, snapshot time.Time) (VulnDBStats, error) {
	var stats VulnDBStats
	names, err := filepath.Glob(filepath.Join(osvDir, "*.json"))
	if err != nil {
		return stats, fmt.Errorf("listing %s: %w", osvDir, err)
	}
	if len(names) == 0 {
		return stats, fmt.Errorf("no OSV entries (*.json) in %s", osvDir)
	}
	if err := os.Mkdir(out, 0o755); err != nil {
		return stats, fmt.Errorf("creating the database directory: %w", err)
	}
	for _, sub := range []string{"ID", "index"} {
		if err := os.Mkdir(filepath.Join(out, sub), 0o755); err != nil {
			return stats, fmt.Errorf("creating the database directory: %w", err)
		}
	}
	modules := map[string]*indexModule{}
	for _, name := range names {
		e, raw, err := readOSV(name)
		if err != nil {
			return stats, err
		}
		if err := os.WriteFile(filepath.Join(out, "ID", e.ID+".json"), raw, 0o644); err != nil {
			return stats, fmt.Errorf("writing %s: %w", e.ID, err)
		}
		stats.Entries++
		seen := map[string]bool{} // an entry may list one module twice (several package sets)
		for _, a := range e.Affected {
			path := a.Package.Name
			if path == "" || seen[path] {
				continue
			}
			seen[path] = true
			m := modules[path]
			if m == nil {
				m = &indexModule{Path: path}
				modules[path] = m
			}
			m.Vulns = append(m.Vulns, indexVuln{ID: e.ID, Modified: e.Modified})
		}
	}
	stats.Modules = len(modules)
	if err := writeJSON(filepath.Join(out, "index", "modules.json"), sortedModules(modules)); err != nil {
		return stats, err
	}
	db := struct {
		Modified time.Time `json:"modified"`
	}{snapshot.UTC()}
	if err := writeJSON(filepath.Join(out, "index", "db.json"), db); err != nil {
		return stats, err
	}
	return stats, nil
}

// readOSV reads one entry and checks it is what its file name says: the
// client looks entries up by ID, so a mismatch would hide a vulnerability.
func readOSV(name string) (osvEntry, []byte, error) {
	var e osvEntry
	raw, err := os.ReadFile(name)
	if err != nil {
		return e, nil, fmt.Errorf("reading an OSV entry: %w", err)
	}
	if err := json.Unmarshal(raw, &e); err != nil {
		return e, nil, fmt.Errorf("%s is not an OSV entry: %w", filepath.Base(name), err)
	}
	if !osvID.MatchString(e.ID) {
		return e, nil, fmt.Errorf("%s: id %q is not a Go vulnerability id (GO-YYYY-NNNN)", filepath.Base(name), e.ID)
	}
	if filepath.Base(name) != e.ID+".json" {
		return e, nil, fmt.Errorf("%s holds entry %s: the file name must be the id", filepath.Base(name), e.ID)
	}
	return e, raw, nil
}

func sortedModules(modules map[string]*indexModule) []*indexModule {
	list := make([]*indexModule, 0, len(modules))
	for _, m := range modules {
		sort.Slice(m.Vulns, func(i, j int) bool { return m.Vulns[i].ID < m.Vulns[j].ID })
		list = append(list, m)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Path < list[j].Path })
	return list
}

func writeJSON(name string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encoding %s: %w", filepath.Base(name), err)
	}
	if err := os.WriteFile(name, b, 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", filepath.Base(name), err)
	}
	return nil
}

var pseudoTime = regexp.MustCompile(`[-.]([0-9]{14})-[0-9a-f]{12}$`)

// SnapshotTime is the commit time a pseudo-version names
// (v0.0.0-20261105234957-e22db6528018 → 2026-11-05T23:49:57Z):
// golang.org/x/vulndb has no tagged releases, so every snapshot the proxy
// serves is a pseudo-version.
func SnapshotTime(version string) (time.Time, error) {
	version = strings.TrimSuffix(version, "+incompatible")
	m := pseudoTime.FindStringSubmatch(version)
	if m == nil {
		return time.Time{}, errors.New("version " + version + " is not a pseudo-version (vX.Y.Z-yyyymmddhhmmss-commit)")
	}
	t, err := time.Parse("20060102150405", m[1])
	if err != nil {
		return time.Time{}, fmt.Errorf("pseudo-version %s: %w", version, err)
	}
	return t.UTC(), nil
}
