//go:build releaserbench

// Package pipeline measures the whole pipeline on the benchmark release: a
// dry run, and a full run of every stage against internal/testenv's
// emulators, with the build command's time and the uploads' (both from the
// run's own audit log) subtracted to get releaser's overhead. It runs only
// through bench/pipeline.sh (build tag releaserbench).
package pipeline

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/releaserhq/releaser/bench/benchkit"
	"github.com/releaserhq/releaser/bench/release"
	"github.com/releaserhq/releaser/internal/testenv"
)

const owner, repo = "octo-org", "octo-repo"

// runJSON is the part of `releaser run --json` read here.
type runJSON struct {
	OK     bool `json:"ok"`
	Stages []struct {
		Name       string `json:"name"`
		Result     string `json:"result"`
		DurationMS int64  `json:"duration_ms"`
	} `json:"stages"`
}

func TestPipelineBench(t *testing.T) {
	relDir := benchkit.Env(t, "BENCH_RELEASE_DIR")
	arts, total := artifacts(t, relDir)
	e := newEmulators(t)
	dir := filepath.Join(benchkit.Env(t, "BENCH_DIR"), "work", "pipeline")
	benchkit.Must(t, os.RemoveAll(dir))
	t.Cleanup(func() { os.RemoveAll(dir) })
	commit := benchkit.Project(t, dir, e.config(relDir), release.Tag)
	e.gh.AddTag(owner, repo, release.Tag, commit, true)

	releaser := func(name string, env map[string]string, args ...string) (benchkit.Measure, runJSON) {
		c := exec.Command(benchkit.Env(t, "RELEASER"), args...)
		c.Dir = dir
		c.Env = benchkit.Environ(env)
		m := benchkit.Timed(t, name, c)
		var res runJSON
		if err := json.Unmarshal(m.Stdout, &res); err != nil || !res.OK {
			t.Fatalf("%s: not ok (%v):\n%s", name, err, benchkit.Tail(m.Stdout, m.Stderr))
		}
		return m, res
	}

	dry, dryRes := releaser("pipeline-dry-run", nil, "run", "--dry-run", "--json")
	dryBuild := benchkit.BuildCommandSeconds(t, filepath.Join(dir, ".releaser", "audit.jsonl"))

	full, fullRes := releaser("pipeline-full-run", e.ciEnv(), "run", "--json")
	auditLog := filepath.Join(dir, ".releaser", "audit.jsonl")
	fullBuild := benchkit.BuildCommandSeconds(t, auditLog)
	benchkit.Must(t, benchkit.CopyFile(auditLog, filepath.Join(benchkit.RawDir(t), "pipeline-audit.jsonl")))
	e.check(t, len(arts))

	pub := benchkit.PublishTimes(t, auditLog)
	uploads := pub.Uploads()
	dryOver := dry.Wall - dryBuild
	fullOver := full.Wall - fullBuild - uploads
	benchkit.Target(t, "4-overhead", "pipeline overhead < 1 s beyond uploads: full emulated run",
		fmt.Sprintf("%.1f s (%.1f s wall − %.1f s build command − %.1f s uploads)", fullOver, full.Wall, fullBuild, uploads), fullOver < 1)
	benchkit.Target(t, "4-overhead", "pipeline overhead < 1 s: dry run (nothing to upload)",
		fmt.Sprintf("%.1f s (%.1f s wall − %.1f s build command)", dryOver, dry.Wall, dryBuild), dryOver < 1)
	benchkit.RSSTarget(t, "dry run", dry.RSSKiB)
	benchkit.RSSTarget(t, "full emulated run", full.RSSKiB)

	var b strings.Builder
	fmt.Fprintf(&b, "### The whole pipeline\n\n"+
		"A project whose build copies the release's %d files (%.0f MiB) into dist (`cp -R`), `release.toml` with PyPI, npm, crates.io, "+
		"a GitHub release and attestations. **Dry run**: `releaser run --dry-run --json`, outside CI (build, hashing, manifest, "+
		"local attestation, the plan). **Full run**: `releaser run --json` as the release job of GitHub Actions, every stage, "+
		"against internal/testenv's emulators (OIDC issuer, Fulcio/Rekor/TSA, PyPI, verdaccio behind the npm emulator, crates.io, "+
		"GitHub with immutable releases), all on this machine.\n\n", len(arts), benchkit.MiB(total))
	b.WriteString("| run | wall s | CPU s | peak RSS KiB | build command s | uploads s | overhead s |\n|---|---:|---:|---:|---:|---:|---:|\n")
	fmt.Fprintf(&b, "| dry run | %.2f | %.2f | %d | %.2f | — | %.2f |\n", dry.Wall, dry.CPU, dry.RSSKiB, dryBuild, dryOver)
	fmt.Fprintf(&b, "| full emulated run | %.2f | %.2f | %d | %.2f | %.2f | %.2f |\n\n", full.Wall, full.CPU, full.RSSKiB, fullBuild, uploads, fullOver)
	b.WriteString("CPU s is releaser's user + system time (its build command's included); well below the wall time, it means the run waited — for the emulators, or for CPU on a shared machine.\n\n")
	fmt.Fprintf(&b, "**Method.** Overhead is the wall time minus what is not releaser's own work: the build command's time "+
		"(its `duration_ms` in the audit log) and, for the full run, the uploads. The uploads' time comes from releaser's audit log "+
		"of the same run: the publish stage uploads one file after another and writes an event as each upload ends, so the time "+
		"between two upload events is the second upload (its token check and request included); the first registry upload's "+
		"start is not logged (re-verifying the digests and the lookups come before it), so its share is estimated at the rate "+
		"of the other registry uploads (%.2f s for %d registry uploads in all, %.2f s for the %d release assets). "+
		"Timing both from one run keeps them under the same load; the upload tables above show what a plain client "+
		"reaches against the same emulators.\n\n", pub.FirstEstimate+pub.Registry, pub.Registries, pub.Assets, pub.NAssets)
	b.WriteString("Where the time goes, per stage (`--json` `duration_ms`):\n\n| stage | dry run s | full run s |\n|---|---:|---:|\n")
	for i, s := range fullRes.Stages {
		d := "—"
		if i < len(dryRes.Stages) && dryRes.Stages[i].Name == s.Name {
			d = fmt.Sprintf("%.2f", float64(dryRes.Stages[i].DurationMS)/1000)
		}
		fmt.Fprintf(&b, "| %s | %s | %.2f |\n", s.Name, d, float64(s.DurationMS)/1000)
	}
	for _, r := range []struct {
		name  string
		res   runJSON
		build float64
	}{{"dry run", dryRes, dryBuild}, {"full run", fullRes, fullBuild}} {
		for _, s := range r.res.Stages {
			if s.Name == "build" {
				fmt.Fprintf(&b, "\nThe %s's build stage beyond its command (collecting, hashing, the manifest): %.2f s.", r.name, float64(s.DurationMS)/1000-r.build)
			}
		}
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

// emulators are the services of a release job, as the publish tests set
// them up (cmd/releaser newPublishEnv), without RubyGems: this release has
// no gem.
type emulators struct {
	is     *testenv.OIDCIssuer
	pypi   *testenv.PyPI
	npm    *testenv.Npm
	crates *testenv.Crates
	gh     *testenv.GitHub
	sig    *testenv.Sigstore
}

func newEmulators(t *testing.T) *emulators {
	is := testenv.NewOIDCIssuer(t)
	is.SetRef("refs/tags/" + release.Tag)
	e := &emulators{is: is, pypi: testenv.NewPyPI(t, is), crates: testenv.NewCrates(t, is), gh: testenv.NewGitHub(t), sig: testenv.NewSigstore(t, is)}
	e.pypi.SetUploadLimit(1 << 30)
	e.npm = testenv.NewNpmRegistry(t, is, testenv.StartVerdaccio(t))
	for _, r := range []interface{ AddPublisher(testenv.Publisher) }{e.pypi, e.npm, e.crates} {
		r.AddPublisher(testenv.DefaultPublisher(release.Name))
	}
	e.gh.AddRepo(owner, repo)
	e.gh.SetImmutableReleases(owner, repo, true)
	benchkit.Must(t, e.pypi.SetAttestationRoot(e.sig.TrustedRootJSON()))
	return e
}

func (e *emulators) ciEnv() map[string]string {
	env := e.is.ActionsEnv()
	env["GITHUB_TOKEN"] = e.gh.Token()
	return env
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

// check fails the benchmark unless the full run published everything.
func (e *emulators) check(t *testing.T, artifacts int) {
	if n := e.pypi.Uploads(); n != 31 {
		t.Errorf("PyPI stored %d files, want 31", n)
	}
	if e.npm.Uploads() != 1 || e.crates.Uploads() != 1 {
		t.Errorf("npm stored %d, crates.io %d, want 1 each", e.npm.Uploads(), e.crates.Uploads())
	}
	rels := e.gh.Releases(owner, repo)
	if len(rels) != 1 || rels[0].Draft || !rels[0].Immutable {
		t.Fatalf("GitHub releases after the full run: %+v", rels)
	}
	if n := e.gh.Uploads(); n < artifacts {
		t.Errorf("GitHub stored %d assets, want at least the %d artifacts", n, artifacts)
	}
}
