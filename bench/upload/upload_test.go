//go:build releaserbench

// Package upload measures uploading to the PyPI emulator with releaser and
// with twine (wall time, peak RSS of the client), and with a plain Go client
// as the floor the emulator allows. It runs only through bench/upload.sh
// (build tag releaserbench), never in the test suite.
package upload

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/releaserhq/releaser/bench/benchkit"
	"github.com/releaserhq/releaser/bench/release"
	"github.com/releaserhq/releaser/internal/testenv"
)

// TestUploadReleaseBench uploads the PyPI share of the benchmark release
// (its wheels and sdist, BENCH_RELEASE_DIR).
func TestUploadReleaseBench(t *testing.T) {
	dir := benchkit.Env(t, "BENCH_RELEASE_DIR")
	entries, err := os.ReadDir(dir)
	benchkit.Must(t, err)
	var files []string
	for _, e := range entries {
		if (release.File{Name: e.Name(), Kind: kindOf(e.Name())}).PyPI() {
			files = append(files, filepath.Join(dir, e.Name()))
		}
	}
	r := compare(t, "release", files)
	benchkit.Section(t, fmt.Sprintf("### Upload: the release's PyPI share\n\n"+
		"The %d wheels and the sdist of the release (%.0f MiB), one run of each client, each to its own PyPI emulator on loopback "+
		"(same code, same machine). releaser: `releaser run --from exchange --to publish` (token exchange, re-verifying the three digests of every file, "+
		"the already-published lookup, the uploads); twine: `twine upload` of the same files (its md5/sha256/blake2b pass, the uploads); "+
		"plain Go client: the same multipart requests releaser sent, replayed from the harness with nothing around them — the floor these emulators allow. "+
		"CPU s is the client's user + system time, peak RSS the client's alone.\n\n%s", len(files)-1, r.mib, r.table))
}

// TestUploadBench uploads one wheel of BENCH_SIZE_MIB (random payload).
func TestUploadBench(t *testing.T) {
	size := benchkit.EnvInt(t, "BENCH_SIZE_MIB")
	wheel := bigWheel(t, benchkit.Env(t, "BENCH_DIR"), int64(size)<<20)
	r := compare(t, "single", []string{wheel})
	benchkit.Section(t, fmt.Sprintf("### Upload: one %d MiB wheel\n\nThe same three clients, one wheel of random payload: "+
		"the flat-memory check (issue #4) at the largest size.\n\n%s", size, r.table))
}

func kindOf(name string) release.Kind {
	switch {
	case strings.HasSuffix(name, ".whl"):
		return release.KindWheel
	case name == "hello_releaser-"+release.Version+".tar.gz":
		return release.KindSdist
	}
	return release.KindText
}

type result struct {
	table string
	mib   float64
}

// compare uploads files with twine, releaser and the plain client, adds the
// upload targets' rows and returns the table.
func compare(t *testing.T, label string, files []string) result {
	var total, largest int64
	for _, f := range files {
		fi, err := os.Stat(f)
		benchkit.Must(t, err)
		total += fi.Size()
		largest = max(largest, fi.Size())
	}
	mib := benchkit.MiB(total)
	is := testenv.NewOIDCIssuer(t)
	is.SetRef("refs/tags/" + release.Tag)
	newPyPI := func() *testenv.PyPI {
		p := testenv.NewPyPI(t, is)
		p.SetUploadLimit(largest + 1<<20)
		p.AddPublisher(testenv.DefaultPublisher(release.Name))
		return p
	}

	tw := newPyPI()
	cmd := exec.Command(testenv.Twine(t), append([]string{"upload", "--repository-url", tw.URL() + "/legacy/",
		"-u", "__token__", "-p", benchkit.MintPyPI(t, is, tw), "--non-interactive", "--disable-progress-bar"}, files...)...)
	cmd.Env = append(os.Environ(), testenv.TwineEnv(t)...)
	twine := benchkit.Timed(t, "upload-"+label+"-twine", cmd)

	ours := newPyPI()
	proj := publishingProject(t, label, files, is, ours)
	c := exec.Command(benchkit.Env(t, "RELEASER"), "run", "--from", "exchange", "--to", "publish")
	c.Dir = proj
	c.Env = benchkit.Environ(is.ActionsEnv())
	rel := benchkit.Timed(t, "upload-"+label+"-releaser", c)
	auditLog := filepath.Join(proj, ".releaser", "audit.jsonl")
	benchkit.Must(t, benchkit.CopyFile(auditLog, filepath.Join(benchkit.RawDir(t), "upload-"+label+"-audit.jsonl")))
	breakdown := benchkit.PublishTimes(t, auditLog).Table()

	if tw.Uploads() != len(files) || ours.Uploads() != len(files) {
		t.Fatalf("stored: twine %d, releaser %d, want %d", tw.Uploads(), ours.Uploads(), len(files))
	}
	sums := func(p *testenv.PyPI) []string {
		var s []string
		for _, f := range p.Files(release.Name) {
			s = append(s, f.Filename+" "+f.SHA256)
		}
		slices.Sort(s)
		return s
	}
	if !slices.Equal(sums(tw), sums(ours)) {
		t.Fatalf("twine and releaser stored different files")
	}

	floor := newPyPI()
	plain := benchkit.ReplayPyPI(t, floor, benchkit.MintPyPI(t, is, floor), filepath.Join(proj, "dist"), ours.Files(release.Name))

	row := func(client string, wall float64, cpu, rss string) string {
		return fmt.Sprintf("| %s | %.2f | %.0f | %s | %s |", client, wall, mib/wall, cpu, rss)
	}
	speed, mem := twine.Wall/rel.Wall, float64(rel.RSSKiB)/float64(twine.RSSKiB)
	what := map[string]string{"release": "the release's PyPI share", "single": "one " + fmt.Sprintf("%.0f", mib) + " MiB wheel"}[label]
	benchkit.Target(t, "3-upload", "uploads ≥ 2× twine's speed: "+what, fmt.Sprintf("%.2f× (%.1f s vs %.1f s)", speed, rel.Wall, twine.Wall), speed >= 2)
	benchkit.Target(t, "3-upload", "uploads at ≤ ¼ of twine's memory: "+what, fmt.Sprintf("%.2f× (%.1f vs %.1f MiB)", mem, float64(rel.RSSKiB)/1024, float64(twine.RSSKiB)/1024), mem <= 0.25)
	benchkit.RSSTarget(t, "upload, "+what, rel.RSSKiB)
	table := strings.Join([]string{
		"| client | wall s | MiB/s | CPU s | peak RSS KiB |", "|---|---:|---:|---:|---:|",
		row("twine upload", twine.Wall, fmt.Sprintf("%.2f", twine.CPU), fmt.Sprint(twine.RSSKiB)),
		row("releaser run --from exchange --to publish", rel.Wall, fmt.Sprintf("%.2f", rel.CPU), fmt.Sprint(rel.RSSKiB)),
		row("plain Go client (floor)", plain, "—", "—"),
	}, "\n")
	table += fmt.Sprintf("\n\nreleaser: %.2f× twine's speed at %.2f× its memory; the plain client is %.2f× twine's speed.\n\n", speed, mem, twine.Wall/plain)
	table += breakdown
	return result{table: table, mib: mib}
}

// publishingProject is a project whose build links files into dist, built
// (untimed) so that the publishing job can be timed alone.
func publishingProject(t *testing.T, label string, files []string, is *testenv.OIDCIssuer, reg *testenv.PyPI) string {
	// Under BENCH_DIR, so that ln works (the files are there too).
	dir := filepath.Join(benchkit.Env(t, "BENCH_DIR"), "work", "upload-"+label)
	benchkit.Must(t, os.RemoveAll(dir))
	t.Cleanup(func() { os.RemoveAll(dir) })
	argv := append([]string{"ln"}, files...)
	argv = append(argv, "dist/")
	globs := []string{`"*.whl"`}
	for _, f := range files {
		if strings.HasSuffix(f, ".tar.gz") {
			globs = append(globs, `"*.tar.gz"`)
			break
		}
	}
	quoted := make([]string, len(argv))
	for i, a := range argv {
		quoted[i] = fmt.Sprintf("%q", a)
	}
	benchkit.Project(t, dir, fmt.Sprintf(`[project]
name = %q
version = %q
[build]
artifacts = [%s]
[[build.command]]
argv = [%s]
[attest]
enabled = false
[identity]
issuer = %q
repository = "octo-org/octo-repo"
workflow = "release.yml"
environment = "release"
[[registry]]
kind = "pypi"
url = %q
[github]
release = false
`, release.Name, release.Version, strings.Join(globs, ", "), strings.Join(quoted, ", "), is.URL(), reg.URL()), release.Tag)
	c := exec.Command(benchkit.Env(t, "RELEASER"), "run", "--to", "build", "--tag", release.Tag)
	c.Dir = dir
	c.Env = benchkit.Environ(nil)
	if out, err := c.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return dir
}
