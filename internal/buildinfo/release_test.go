package buildinfo

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/releaserhq/releaser/internal/config"
)

const releaseConfig = ".github/release.toml"

func loadReleaseConfig(t *testing.T) *config.Config {
	t.Helper()
	cfg, err := config.Load(filepath.Join(moduleRoot(t), releaseConfig))
	if err != nil {
		t.Fatalf("%s: %v", releaseConfig, err)
	}
	return cfg
}

func releaseVersion(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(moduleRoot(t), "VERSION"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// TestReleaseConfig: .github/release.toml loads, releases only to GitHub
// with two approvers, builds with scripts/release-build, and its artifact
// globs select exactly what that script writes.
func TestReleaseConfig(t *testing.T) {
	cfg := loadReleaseConfig(t)
	root := moduleRoot(t)
	if cfg.Project.Version != releaseVersion(t) {
		t.Errorf("version = %q, VERSION holds %q", cfg.Project.Version, releaseVersion(t))
	}
	if cfg.RootDir() != root {
		t.Errorf("project root = %s, want the repository %s", cfg.RootDir(), root)
	}
	if len(cfg.Registry) != 0 {
		t.Errorf("%d [[registry]] entries; releaser is released to GitHub only", len(cfg.Registry))
	}
	if !*cfg.GitHub.Release || !*cfg.Attest.Enabled {
		t.Error("the GitHub release and provenance must be on")
	}
	if cfg.Approval.Required != 2 {
		t.Errorf("approval.required = %d, want 2", cfg.Approval.Required)
	}
	if len(cfg.Build.Commands) != 1 || strings.Join(cfg.Build.Commands[0].Argv, " ") != "./scripts/release-build" {
		t.Fatalf("build commands = %+v, want argv [./scripts/release-build]", cfg.Build.Commands)
	}
	if info, err := os.Stat(filepath.Join(cfg.RootDir(), "scripts", "release-build")); err != nil || info.Mode()&0o111 == 0 {
		t.Errorf("scripts/release-build must exist and be executable: %v", err)
	}

	// The build stage refuses a work tree where its directories are not ignored.
	for _, dir := range []string{cfg.OutputDir(), cfg.StateDir()} {
		rel, err := filepath.Rel(root, filepath.Join(dir, "releaser-manifest.json"))
		if err != nil {
			t.Fatal(err)
		}
		if out, err := gitIn(root, "check-ignore", "-q", rel); err != nil {
			t.Errorf("%s is not ignored by git (%v %s); the clean-tree check would fail", rel, err, out)
		}
	}

	v := releaseVersion(t)
	for _, target := range []string{"linux_amd64.tar.gz", "linux_arm64.tar.gz", "darwin_amd64.tar.gz", "darwin_arm64.tar.gz", "windows_amd64.zip", "windows_arm64.zip"} {
		name := "releaser_" + v + "_" + target
		if !matchesAny(cfg.Build.Artifacts, name) {
			t.Errorf("no artifact glob %q selects %s", cfg.Build.Artifacts, name)
		}
	}
	if matchesAny(cfg.Build.Artifacts, config.ManifestName) {
		t.Errorf("artifact globs %q select the manifest", cfg.Build.Artifacts)
	}
}

func matchesAny(globs []string, name string) bool {
	for _, g := range globs {
		if ok, _ := path.Match(g, name); ok {
			return true
		}
	}
	return false
}

func gitIn(dir string, args ...string) ([]byte, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	return cmd.CombinedOutput()
}

const testEpoch = "1700000000"

// runScript runs one of scripts/ from the checkout with SOURCE_DATE_EPOCH set.
func runScript(t *testing.T, env []string, script string, args ...string) {
	t.Helper()
	cmd := exec.Command(filepath.Join(moduleRoot(t), "scripts", script), args...)
	cmd.Env = append(buildEnv(), append([]string{"SOURCE_DATE_EPOCH=" + testEpoch}, env...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("scripts/%s: %v\n%s", script, err, out)
	}
}

// TestReleaseArchivesReproducible builds one target with scripts/release-build
// (RELEASE_TARGETS keeps it to linux/amd64), checks the archive's entries are
// normalised and the binary inside knows its version, then packs the same
// files again — written in another order, with other mtimes and modes — and
// requires the same bytes. The zip path gets the same treatment on small
// files.
func TestReleaseArchivesReproducible(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds releaser (-short)")
	}
	v := releaseVersion(t)
	name := "releaser_" + v + "_linux_amd64"
	out1 := t.TempDir()
	runScript(t, []string{"RELEASE_TARGETS=linux/amd64", "RELEASER_OUTPUT_DIR=" + out1}, "release-build")
	entries, _ := os.ReadDir(out1)
	if len(entries) != 1 || entries[0].Name() != name+".tar.gz" {
		t.Fatalf("release-build wrote %v, want only %s.tar.gz", entries, name)
	}
	archive1 := filepath.Join(out1, name+".tar.gz")

	files := checkTarGz(t, archive1, name, []string{name + "/", name + "/README.md", name + "/releaser"})
	staging := t.TempDir()
	if err := os.MkdirAll(filepath.Join(staging, name), 0o700); err != nil {
		t.Fatal(err)
	}
	// Written in reverse order, with private modes (the executable bit is
	// content; the rest is not) and mtimes of now.
	for f, mode := range map[string]os.FileMode{"releaser": 0o700, "README.md": 0o600} {
		if err := os.WriteFile(filepath.Join(staging, name, f), files[name+"/"+f], mode); err != nil {
			t.Fatal(err)
		}
	}
	bin := filepath.Join(staging, name, "releaser")
	if out, err := exec.Command(bin, "version").CombinedOutput(); err != nil || !strings.HasPrefix(string(out), "releaser v"+v+" ") {
		t.Errorf("releaser version from the archive: %q, %v; want releaser v%s", out, err, v)
	}
	out2 := t.TempDir()
	runScript(t, nil, "release-archive", staging, name, "tar.gz", out2)
	sameFile(t, archive1, filepath.Join(out2, name+".tar.gz"))

	t.Run("zip", func(t *testing.T) {
		var archives []string
		for i, mode := range []os.FileMode{0o644, 0o600} {
			staging := t.TempDir()
			dir := filepath.Join(staging, "releaser_"+v+"_windows_amd64")
			if err := os.MkdirAll(filepath.Join(dir, "docs"), mode|0o100); err != nil {
				t.Fatal(err)
			}
			order := []string{"releaser.exe", "README.md", "docs/a.md"}
			if i == 1 {
				order = []string{"docs/a.md", "README.md", "releaser.exe"}
			}
			for _, f := range order {
				if err := os.WriteFile(filepath.Join(dir, f), []byte("content of "+f), mode); err != nil {
					t.Fatal(err)
				}
				when := time.Unix(int64(1e9)+int64(i)*86400, 0)
				if err := os.Chtimes(filepath.Join(dir, f), when, when); err != nil {
					t.Fatal(err)
				}
			}
			out := t.TempDir()
			runScript(t, nil, "release-archive", staging, filepath.Base(dir), "zip", out)
			archives = append(archives, filepath.Join(out, filepath.Base(dir)+".zip"))
		}
		sameFile(t, archives[0], archives[1])
		checkZip(t, archives[0])
	})
}

// checkTarGz checks a release tarball's normal form and returns its files.
func checkTarGz(t *testing.T, name, dir string, want []string) map[string][]byte {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	if gz.Name != "" || !gz.ModTime.IsZero() {
		t.Errorf("gzip header names %q, time %v; want neither (gzip -n)", gz.Name, gz.ModTime)
	}
	epoch := time.Unix(1700000000, 0)
	files := map[string][]byte{}
	var names []string
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		names = append(names, h.Name)
		if !h.ModTime.Equal(epoch) || h.Uid != 0 || h.Gid != 0 || h.Uname != "" || h.Gname != "" {
			t.Errorf("%s: mtime %v, owner %d/%d %q/%q; want SOURCE_DATE_EPOCH and 0/0 without names", h.Name, h.ModTime, h.Uid, h.Gid, h.Uname, h.Gname)
		}
		wantMode := int64(0o644)
		if h.Typeflag == tar.TypeDir || path.Base(h.Name) == "releaser" {
			wantMode = 0o755
		}
		if h.Mode&0o777 != wantMode {
			t.Errorf("%s: mode %o, want %o", h.Name, h.Mode&0o777, wantMode)
		}
		if h.Typeflag == tar.TypeReg {
			b, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			files[h.Name] = b
		}
	}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Errorf("entries %q, want %q (sorted, under %s/)", names, want, dir)
	}
	return files
}

func checkZip(t *testing.T, name string) {
	t.Helper()
	zr, err := zip.OpenReader(name)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		// DOS time, written in UTC by the script.
		if got := f.Modified.UTC().Format(time.DateTime); got != "2023-11-14 22:13:20" {
			t.Errorf("%s: modified %s, want SOURCE_DATE_EPOCH 2023-11-14 22:13:20 UTC", f.Name, got)
		}
	}
	if !sort.StringsAreSorted(names) || len(names) != 3 {
		t.Errorf("zip entries %q, want the 3 files sorted", names)
	}
}

func sameFile(t *testing.T, a, b string) {
	t.Helper()
	sumA, _ := sha256File(t, a)
	sumB, _ := sha256File(t, b)
	if sumA != sumB {
		t.Errorf("the same files packed twice differ:\n  %s %s\n  %s %s", sumA, a, sumB, b)
	}
}
