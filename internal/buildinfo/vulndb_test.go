package buildinfo

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeOSV(t *testing.T, dir, name, body string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

const osvCrypto = `{"schema_version":"1.3.1","id":"GO-2026-5932","modified":"0001-01-01T00:00:00Z",
 "affected":[{"package":{"name":"golang.org/x/crypto","ecosystem":"Go"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"0.58.1-0.20261009181718-2f1f834330b2"}]}]},
             {"package":{"name":"golang.org/x/crypto/openpgp","ecosystem":"Go"}}]}`

const osvStd = `{"id":"GO-2026-6809","modified":"2026-10-01T00:00:00Z",
 "affected":[{"package":{"name":"stdlib"}},{"package":{"name":"stdlib"}},{"package":{"name":"toolchain"}}]}`

const osvGrpc = `{"id":"GO-2026-6348","affected":[{"package":{"name":"google.golang.org/grpc"}}]}`

func TestBuildVulnDB(t *testing.T) {
	src := t.TempDir()
	writeOSV(t, src, "GO-2026-5932.json", osvCrypto)
	writeOSV(t, src, "GO-2026-6809.json", osvStd)
	writeOSV(t, src, "GO-2026-6348.json", osvGrpc)
	writeOSV(t, src, "README.md", "not an entry")
	out := filepath.Join(t.TempDir(), "db")
	snapshot := time.Date(2026, 11, 5, 23, 49, 57, 0, time.UTC)

	stats, err := BuildVulnDB(src, out, snapshot)
	if err != nil {
		t.Fatal(err)
	}
	if stats != (VulnDBStats{Entries: 3, Modules: 5}) {
		t.Errorf("stats = %+v, want 3 entries, 5 modules", stats)
	}

	// Entries are served unchanged: govulncheck parses them itself.
	got, err := os.ReadFile(filepath.Join(out, "ID", "GO-2026-5932.json"))
	if err != nil || string(got) != osvCrypto {
		t.Errorf("ID/GO-2026-5932.json = %q, %v; want the source bytes", got, err)
	}

	var db struct{ Modified time.Time }
	readJSON(t, filepath.Join(out, "index", "db.json"), &db)
	if !db.Modified.Equal(snapshot) {
		t.Errorf("db.json modified = %v, want the snapshot time %v", db.Modified, snapshot)
	}

	var modules []struct {
		Path  string
		Vulns []struct{ ID, Fixed string }
	}
	readJSON(t, filepath.Join(out, "index", "modules.json"), &modules)
	var lines []string
	for _, m := range modules {
		for _, v := range m.Vulns {
			if v.Fixed != "" {
				t.Errorf("%s %s: fixed %q in the index; it must be left to the entry's ranges", m.Path, v.ID, v.Fixed)
			}
			lines = append(lines, m.Path+" "+v.ID)
		}
	}
	want := []string{
		"golang.org/x/crypto GO-2026-5932",
		"golang.org/x/crypto/openpgp GO-2026-5932",
		"google.golang.org/grpc GO-2026-6348",
		"stdlib GO-2026-6809", // listed twice in the entry, once in the index
		"toolchain GO-2026-6809",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("modules.json:\n%s\nwant (sorted by path):\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

func readJSON(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

func TestBuildVulnDBRefuses(t *testing.T) {
	tests := []struct {
		name, file, body, want string
	}{
		{"id differs from the file name", "GO-2026-0001.json", `{"id":"GO-2026-0002"}`, "file name must be the id"},
		{"not a Go id", "CVE-2026-1.json", `{"id":"CVE-2026-1"}`, "not a Go vulnerability id"},
		{"not JSON", "GO-2026-0001.json", `{"id":`, "not an OSV entry"},
		{"path in the id", "GO-2026-0001.json", `{"id":"../GO-2026-0001"}`, "not a Go vulnerability id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := t.TempDir()
			writeOSV(t, src, tt.file, tt.body)
			_, err := BuildVulnDB(src, filepath.Join(t.TempDir(), "db"), time.Now())
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want one saying %q", err, tt.want)
			}
		})
	}
	t.Run("no entries", func(t *testing.T) {
		_, err := BuildVulnDB(t.TempDir(), filepath.Join(t.TempDir(), "db"), time.Now())
		if err == nil || !strings.Contains(err.Error(), "no OSV entries") {
			t.Errorf("error = %v, want one saying there are no entries", err)
		}
	})
	t.Run("output exists", func(t *testing.T) {
		src := t.TempDir()
		writeOSV(t, src, "GO-2026-6348.json", osvGrpc)
		if _, err := BuildVulnDB(src, t.TempDir(), time.Now()); err == nil {
			t.Error("BuildVulnDB wrote into an existing directory")
		}
	})
}

func TestSnapshotTime(t *testing.T) {
	tests := []struct {
		version string
		want    time.Time
		wantErr bool
	}{
		{"v0.0.0-20261105234957-e22db6528018", time.Date(2026, 11, 5, 23, 49, 57, 0, time.UTC), false},
		{"v1.2.4-0.20240102030405-abcdefabcdef", time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), false},
		{"v1.2.3-pre.0.20240102030405-abcdefabcdef", time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), false},
		{"v1.2.3", time.Time{}, true},
		{"v0.0.0-20261399999999-e22db6528018", time.Time{}, true}, // month 13
		{"latest", time.Time{}, true},
	}
	for _, tt := range tests {
		got, err := SnapshotTime(tt.version)
		if (err != nil) != tt.wantErr || !got.Equal(tt.want) {
			t.Errorf("SnapshotTime(%q) = %v, %v; want %v (error: %v)", tt.version, got, err, tt.want, tt.wantErr)
		}
	}
}
