//go:build releaserbench

// Package pipeline measures the whole pipeline, a dry run and a full run
// of every stage against internal/testenv's emulators, with the build
// command's time and the uploads' (both from the run's own audit log)
// subtracted to get releaser's overhead: on the shipped example
// (TestExampleBench, the target of issue #10) and on the 2 GiB benchmark
// release (TestPipelineBench, where hashing dominates). It runs only
// through bench/pipeline.sh (build tag releaserbench).
package pipeline

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/releaserhq/releaser/bench/benchkit"
	"github.com/releaserhq/releaser/bench/release"
	"github.com/releaserhq/releaser/internal/testenv"
)

// TestPipelineBench runs the pipeline on the benchmark release
// (BENCH_RELEASE_DIR): its build copies the prebuilt files into dist.
func TestPipelineBench(t *testing.T) {
	relDir := benchkit.Env(t, "BENCH_RELEASE_DIR")
	arts, total := artifacts(t, relDir)
	e := newEmulators(t, testenv.StartVerdaccio(t))
	dir := filepath.Join(benchkit.Env(t, "BENCH_DIR"), "work", "pipeline")
	benchkit.Must(t, os.RemoveAll(dir))
	t.Cleanup(func() { os.RemoveAll(dir) })
	commit := benchkit.Project(t, dir, e.config(relDir), release.Tag)
	e.gh.AddTag(owner, repo, release.Tag, commit, true)
	auditLog := filepath.Join(dir, ".releaser", "audit.jsonl")

	dry, dryRes := runReleaser(t, "pipeline-dry-run", dir, nil, "run", "--dry-run", "--json")
	dryBuild := benchkit.BuildCommandSeconds(t, auditLog)
	dryHash := benchkit.BuildHashSeconds(t, auditLog)

	full, fullRes := runReleaser(t, "pipeline-full-run", dir, e.ciEnv(), "run", "--json")
	fullBuild := benchkit.BuildCommandSeconds(t, auditLog)
	fullHash := benchkit.BuildHashSeconds(t, auditLog)
	benchkit.Must(t, benchkit.CopyFile(auditLog, filepath.Join(benchkit.RawDir(t), "pipeline-audit.jsonl")))
	e.check(t, published{pypi: 31, npm: 1, crates: 1, assets: len(arts)})

	pub := benchkit.PublishTimes(t, auditLog)
	uploads := pub.Uploads()
	dryOver := dry.Wall - dryBuild
	fullOver := full.Wall - fullBuild - uploads
	benchkit.RSSTarget(t, fmt.Sprintf("dry run of the %.0f MiB release", benchkit.MiB(total)), dry.RSSKiB)
	benchkit.RSSTarget(t, fmt.Sprintf("full emulated run of the %.0f MiB release", benchkit.MiB(total)), full.RSSKiB)

	var b strings.Builder
	fmt.Fprintf(&b, "### The whole pipeline: the generated release (%.0f MiB)\n\n"+
		"A project whose build copies the release's %d files into dist (`cp -R`), `release.toml` with PyPI, npm, crates.io, "+
		"a GitHub release and attestations, no approvals. **Dry run**: `releaser run --dry-run --json`, outside CI (build, hashing, manifest, "+
		"local attestation, the plan). **Full run**: `releaser run --json` as the release job of GitHub Actions, every stage, "+
		"against the same emulators as the example's. Not a target row: at this size one hash pass alone takes seconds, so the "+
		"table splits it out.\n\n", benchkit.MiB(total), len(arts))
	b.WriteString("| run | wall s | CPU s | peak RSS KiB | build command s | hashing s | uploads s | overhead s | overhead less hashing s |\n" +
		"|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	fmt.Fprintf(&b, "| dry run | %.2f | %.2f | %d | %.2f | %.2f | — | %.2f | %.2f |\n", dry.Wall, dry.CPU, dry.RSSKiB, dryBuild, dryHash, dryOver, dryOver-dryHash)
	fmt.Fprintf(&b, "| full emulated run | %.2f | %.2f | %d | %.2f | %.2f | %.2f | %.2f | %.2f |\n\n",
		full.Wall, full.CPU, full.RSSKiB, fullBuild, fullHash, uploads, fullOver, fullOver-fullHash)
	b.WriteString("**Hashing** is the build stage's one pass (sha256, sha512 and blake2b-256 of every file): from the end of its command to its " +
		"first artifact event, which it writes once every file is hashed. Later stages of the same process trust those digests while each " +
		"file's fingerprint (device, inode, size, mtime, ctime) is unchanged, so they do not read the files again; a file written less than " +
		"100 ms before the pass began is not trusted and is read again (the last files `cp` wrote, at most).\n\n")
	fmt.Fprintf(&b, "Uploads are timed as in the example's section (%.2f s for %d registry uploads in all, %.2f s for the %d release assets).\n\n",
		pub.FirstEstimate+pub.Registry, pub.Registries, pub.Assets, pub.NAssets)
	b.WriteString("Where the time goes, per stage (`--json` `duration_ms`):\n\n" + stagesTable(dryRes, fullRes))
	for _, r := range []struct {
		name      string
		res       runJSON
		cmd, hash float64
	}{{"dry run", dryRes, dryBuild, dryHash}, {"full run", fullRes, fullBuild, fullHash}} {
		build, _ := r.res.seconds("build")
		attest, _ := r.res.seconds("attest")
		publish, _ := r.res.seconds("publish")
		fmt.Fprintf(&b, "\nThe %s: build stage %.2f s = command %.2f s + hashing %.2f s + %.2f s else; attest %.2f s, publish %.2f s.",
			r.name, build, r.cmd, r.hash, build-r.cmd-r.hash, attest, publish)
	}
	b.WriteString("\n\n" + pub.Table())
	benchkit.Section(t, b.String())
}

// artifacts lists the release's files and their total size.
func artifacts(t *testing.T, dir string) ([]string, int64) {
	entries, err := os.ReadDir(dir)
	benchkit.Must(t, err)
	var paths []string
	var total int64
	for _, e := range entries {
		fi, err := e.Info()
		benchkit.Must(t, err)
		paths = append(paths, filepath.Join(dir, e.Name()))
		total += fi.Size()
	}
	return paths, total
}

// config is release.toml for the release in relDir.
func (e *emulators) config(relDir string) string {
	return fmt.Sprintf(`[project]
name = %q
version = %q

[build]
artifacts = ["*.whl", "*.tar.gz", "*.zip", "*.sha256", "*.crate", "*.tgz", "*-installer.*", "dist-manifest.json"]

[[build.command]]
name = "copy the prebuilt release"
argv = ["cp", "-R", %q, "dist"]

[identity]
issuer = %q
repository = "%s/%s"
repository_owner_id = "65"
workflow = "release.yml"
environment = "release"

[[registry]]
kind = "pypi"
url = %q

[[registry]]
kind = "npm"
package = %q
url = %q
# verdaccio refuses a publish carrying a provenance attachment (see cmd/releaser's publish tests).
provenance = false

[[registry]]
kind = "crates"
url = %q

[github]
api_url = %q

[attest]
fulcio_url = %q
rekor_url = %q
tsa_url = %q
trusted_root = %q
`, release.Name, release.Version, relDir+"/.", e.is.URL(), owner, repo, e.pypi.URL(), release.Name, e.npm.URL(), e.crates.URL(),
		e.gh.APIURL(), e.sig.FulcioURL(), e.sig.RekorURL(), e.sig.TSAURL(), e.sig.TrustedRootPath())
}
