//go:build releaserbench

// Package upload measures uploading one large wheel to the PyPI emulator with
// releaser and with twine (wall time, peak RSS of the client). It runs only
// through bench/upload.sh (build tag releaserbench), never in the test suite.
package upload

import (
	"archive/zip"
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/releaserhq/releaser/internal/sample"
	"github.com/releaserhq/releaser/internal/testenv"
)

const wheelName = "hello_releaser-1.2.3-py3-none-any.whl"

func TestUploadBench(t *testing.T) {
	sizeMiB, err := strconv.Atoi(os.Getenv("BENCH_SIZE_MIB"))
	if err != nil || sizeMiB <= 0 {
		t.Fatalf("BENCH_SIZE_MIB=%q", os.Getenv("BENCH_SIZE_MIB"))
	}
	dir, releaser, out := os.Getenv("BENCH_DIR"), os.Getenv("RELEASER"), os.Getenv("BENCH_OUT")
	wheel := bigWheel(t, dir, int64(sizeMiB)<<20)
	fi, _ := os.Stat(wheel)

	is := testenv.NewOIDCIssuer(t)
	is.SetRef("refs/tags/v1.2.3")
	var rows []string

	// twine, as PyPI's own client, to its own emulator.
	tw := testenv.NewPyPI(t, is)
	tw.SetUploadLimit(fi.Size() + 1<<20)
	tw.AddPublisher(testenv.DefaultPublisher("hello-releaser"))
	token := mintPyPI(t, is, tw)
	cmd := exec.Command("/usr/bin/time", "-v", testenv.Twine(t), "upload", "--repository-url", tw.URL()+"/legacy/",
		"-u", "__token__", "-p", token, "--non-interactive", "--disable-progress-bar", wheel)
	cmd.Env = append(os.Environ(), testenv.TwineEnv(t)...)
	wall, rss := timed(t, cmd)
	if tw.Uploads() != 1 {
		t.Fatalf("twine did not store the wheel")
	}
	rows = append(rows, fmt.Sprintf("| twine upload | %.2f | %.0f | %d |", wall, float64(fi.Size())/(1<<20)/wall, rss))

	// releaser: the publishing job (exchange + publish) of a project whose
	// only artifact is the wheel, to a fresh emulator.
	ours := testenv.NewPyPI(t, is)
	ours.SetUploadLimit(fi.Size() + 1<<20)
	ours.AddPublisher(testenv.DefaultPublisher("hello-releaser"))
	proj := t.TempDir()
	conf := fmt.Sprintf(`[project]
name = "hello-releaser"
version = "1.2.3"
[build]
artifacts = ["*.whl"]
[[build.command]]
argv = ["ln", %q, "dist/%s"]
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
`, wheel, wheelName, is.URL(), ours.URL())
	must(t, os.WriteFile(filepath.Join(proj, "release.toml"), []byte(conf), 0o644))
	must(t, os.WriteFile(filepath.Join(proj, ".gitignore"), []byte("dist/\n.releaser/\n"), 0o644))
	for _, args := range [][]string{{"init", "-q"}, {"add", "-A"}, {"-c", "user.name=b", "-c", "user.email=b@example.org", "commit", "-q", "-m", "x"}, {"tag", "v1.2.3"}} {
		c := exec.Command("git", args...)
		c.Dir = proj
		if b, err := c.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, b)
		}
	}
	run := func(args ...string) *exec.Cmd {
		c := exec.Command(releaser, args...)
		c.Dir = proj
		c.Env = os.Environ()
		return c
	}
	if b, err := run("run", "--to", "build", "--tag", "v1.2.3").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, b)
	}
	c := exec.Command("/usr/bin/time", "-v", releaser, "run", "--from", "exchange", "--to", "publish")
	c.Dir = proj
	c.Env = os.Environ()
	for k, v := range is.ActionsEnv() {
		c.Env = append(c.Env, k+"="+v)
	}
	wall, rss = timed(t, c)
	if ours.Uploads() != 1 {
		t.Fatalf("releaser did not store the wheel")
	}
	if a, b := tw.Files("hello-releaser")[0], ours.Files("hello-releaser")[0]; a.SHA256 != b.SHA256 {
		t.Fatalf("the two uploads stored different bytes")
	}
	rows = append(rows, fmt.Sprintf("| releaser run --from exchange --to publish | %.2f | %.0f | %d |", wall, float64(fi.Size())/(1<<20)/wall, rss))

	table := fmt.Sprintf("### Upload to the PyPI emulator\n\nOne %d MiB wheel (random payload), each client to its own emulator on loopback. "+
		"releaser's run includes minting the token, re-verifying the digests (sha256, sha512, blake2b-256 of the file) and the already-published lookup; "+
		"twine's includes its md5/sha256/blake2b pass. Peak RSS is the client's alone.\n\n| client | wall s | MiB/s | peak RSS KiB |\n|---|---:|---:|---:|\n%s\n",
		fi.Size()>>20, strings.Join(rows, "\n"))
	must(t, os.WriteFile(out, []byte(table), 0o644))
}

func mintPyPI(t *testing.T, is *testenv.OIDCIssuer, reg *testenv.PyPI) string {
	t.Helper()
	c := reg.Client()
	resp, err := c.Post(reg.URL()+"/_/oidc/mint-token", "application/json", strings.NewReader(`{"token":"`+is.Mint("pypi", nil)+`"}`))
	must(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	m := regexp.MustCompile(`"token":"([^"]+)"`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("mint-token: %s", b)
	}
	return string(m[1])
}

// bigWheel is the sample wheel plus one stored (uncompressed) payload of
// size bytes, kept in dir between runs.
func bigWheel(t *testing.T, dir string, size int64) string {
	t.Helper()
	path := filepath.Join(dir, fmt.Sprintf("wheel-%dMiB", size>>20), wheelName)
	if fi, err := os.Stat(path); err == nil && fi.Size() > size {
		return path
	}
	must(t, os.MkdirAll(filepath.Dir(path), 0o755))
	src := t.TempDir()
	_, err := sample.Build(sample.Options{SrcDir: "../../testdata/example", OutDir: src, Epoch: 1700000000})
	must(t, err)
	zr, err := zip.OpenReader(filepath.Join(src, wheelName))
	must(t, err)
	defer zr.Close()
	f, err := os.Create(path + ".tmp")
	must(t, err)
	bw := bufio.NewWriterSize(f, 1<<20)
	zw := zip.NewWriter(bw)
	w, err := zw.CreateHeader(&zip.FileHeader{Name: "hello_releaser/payload.bin", Method: zip.Store})
	must(t, err)
	rng := rand.NewChaCha8([32]byte{1})
	_, err = io.CopyN(w, rng, size)
	must(t, err)
	for _, e := range zr.File {
		must(t, zw.Copy(e))
	}
	must(t, zw.Close())
	must(t, bw.Flush())
	must(t, f.Close())
	must(t, os.Rename(path+".tmp", path))
	return path
}

// timed runs cmd under GNU time -v and returns wall seconds and peak RSS KiB.
func timed(t *testing.T, cmd *exec.Cmd) (float64, int64) {
	t.Helper()
	b, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", cmd.Args[2], err, tail(b))
	}
	s := string(b)
	var wall float64
	if m := regexp.MustCompile(`Elapsed \(wall clock\) time.*: (\S+)`).FindStringSubmatch(s); m != nil {
		for _, part := range strings.Split(m[1], ":") {
			v, _ := strconv.ParseFloat(part, 64)
			wall = wall*60 + v
		}
	}
	var rss int64
	if m := regexp.MustCompile(`Maximum resident set size \(kbytes\): (\d+)`).FindStringSubmatch(s); m != nil {
		rss, _ = strconv.ParseInt(m[1], 10, 64)
	}
	return wall, rss
}

func tail(b []byte) string {
	if len(b) > 3000 {
		b = b[len(b)-3000:]
	}
	return string(b)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
