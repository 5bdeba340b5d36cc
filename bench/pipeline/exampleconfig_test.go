//go:build releaserbench

package pipeline

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/BurntSushi/toml"

	"github.com/releaserhq/releaser/bench/benchkit"
	"github.com/releaserhq/releaser/internal/testenv"
)

// exampleConfig is the checkout's release.toml.example with what cannot
// run on this machine changed and nothing else: the service URLs point at
// e, the identity at the emulated job's repository (testenv's default
// claims), npm goes without a provenance attachment (verdaccio refuses
// one) and the build command is mkdist, prebuilt. A key the example no
// longer has fails the benchmark rather than silently measuring another
// configuration. It also returns the [approval] environments and the team
// reviewer the example requires.
func (e *emulators) exampleConfig(t testing.TB, root, mkdist string) (cfg []byte, approvalEnvs []string, team string) {
	var c map[string]any
	if _, err := toml.DecodeFile(filepath.Join(root, "release.toml.example"), &c); err != nil {
		t.Fatalf("release.toml.example: %v", err)
	}
	table := func(name string) map[string]any {
		m, ok := c[name].(map[string]any)
		if !ok {
			t.Fatalf("release.toml.example has no [%s]", name)
		}
		return m
	}
	// replace sets a key the example sets; add one it leaves at its default.
	replace := func(m map[string]any, key string, v any) {
		if _, ok := m[key]; !ok {
			t.Fatalf("release.toml.example no longer sets %s", key)
		}
		m[key] = v
	}
	add := func(m map[string]any, key string, v any) {
		if _, ok := m[key]; ok {
			t.Fatalf("release.toml.example now sets %s: decide whether the benchmark keeps it", key)
		}
		m[key] = v
	}

	cmds, ok := table("build")["command"].([]map[string]any)
	if !ok || len(cmds) != 1 {
		t.Fatalf("release.toml.example: want one [[build.command]], got %v", table("build")["command"])
	}
	replace(cmds[0], "argv", []string{mkdist, "-out", "dist"})

	id := table("identity")
	replace(id, "issuer", e.is.URL())
	replace(id, "repository", owner+"/"+repo)
	claims := e.is.Claims()
	replace(id, "repository_owner_id", claims["repository_owner_id"])
	replace(id, "repository_id", claims["repository_id"])

	at := table("attest")
	replace(at, "fulcio_url", e.sig.FulcioURL())
	replace(at, "rekor_url", e.sig.RekorURL())
	replace(at, "tsa_url", e.sig.TSAURL())
	add(at, "trusted_root", e.sig.TrustedRootPath())

	gh := table("github")
	replace(gh, "repository", owner+"/"+repo)
	replace(gh, "api_url", e.gh.APIURL())

	regs, _ := c["registry"].([]map[string]any)
	urls := map[string]string{"pypi": e.pypi.URL(), "npm": e.npm.URL(), "crates": e.crates.URL(), "rubygems": e.gems.URL()}
	for _, r := range regs {
		kind, _ := r["kind"].(string)
		u, ok := urls[kind]
		if !ok {
			t.Fatalf("release.toml.example has a %q registry (twice, or one the benchmark has no emulator for)", kind)
		}
		delete(urls, kind)
		add(r, "url", u)
		if kind == "npm" {
			add(r, "provenance", false)
		}
	}
	if len(urls) > 0 {
		t.Fatalf("release.toml.example no longer publishes to %v", urls)
	}

	ap := table("approval")
	approvalEnvs = asStrings(t, ap["environments"])
	reviewers := asStrings(t, ap["reviewers"])
	if len(reviewers) != 1 || len(reviewers[0]) < 2 || reviewers[0][0] != '@' {
		t.Fatalf("release.toml.example: want one team reviewer, got %q", reviewers)
	}

	var b bytes.Buffer
	benchkit.Must(t, toml.NewEncoder(&b).Encode(c))
	return b.Bytes(), approvalEnvs, reviewers[0][1:]
}

func asStrings(t testing.TB, v any) []string {
	list, ok := v.([]any)
	if !ok {
		t.Fatalf("want a list of strings, got %T", v)
	}
	s := make([]string, len(list))
	for i, x := range list {
		if s[i], ok = x.(string); !ok {
			t.Fatalf("want a list of strings, got %v", list)
		}
	}
	return s
}

// copyExample copies the example's sources (not its dist, state or the
// builder, which runs prebuilt) from src to dst.
func copyExample(t testing.TB, src, dst string) {
	testenv.CopyTree(t, src, dst, "dist", ".releaser", "mkdist")
}

// moduleRoot is the checkout (the harness runs in bench/pipeline).
func moduleRoot(t testing.TB) string {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	benchkit.Must(t, err)
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("no go.mod two levels up from the harness: %v", err)
	}
	return root
}

// goBuild builds pkg (relative to root) into out.
func goBuild(t testing.TB, root, out, pkg string) {
	c := exec.Command("go", "build", "-trimpath", "-o", out, pkg)
	c.Dir = root
	if b, err := c.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, b)
	}
}
