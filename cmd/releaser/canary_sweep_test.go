package main

import (
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/releaserhq/releaser/internal/testenv"
)

// The canary sweep: every matrix scenario, when it ends and before its
// directories are removed, searches every byte releaser wrote — stdout and
// stderr of every run (killed ones too), every file under the project (state
// and output directories, audit log, manifest, bundles), HOME, TMPDIR,
// GITHUB_OUTPUT and GITHUB_STEP_SUMMARY — for every secret the emulators
// handed out, in every form it could be written in. TestCanarySweep reports
// what all scenarios found.

// swept is what the sweep learned from one scenario.
type swept struct {
	scenario string
	secrets  map[string]int // emulator → secrets it handed out
	scanned  map[string]int // kind of place → bytes read
	leaks    []string
}

var sweep struct {
	sync.Mutex
	matrices map[string]bool // the matrices that ran in this process
	results  []swept
}

// matrixStarted notes that a matrix runs in this process, so TestCanarySweep
// need not run it again.
func matrixStarted(name string) {
	sweep.Lock()
	defer sweep.Unlock()
	if sweep.matrices == nil {
		sweep.matrices = map[string]bool{}
	}
	sweep.matrices[name] = true
}

func matrixRan(name string) bool {
	sweep.Lock()
	defer sweep.Unlock()
	return sweep.matrices[name]
}

// sweepAtEnd registers the sweep of e for when its test ends; cleanups run
// last-registered first, so it reads the directories before they go.
func (e *matrixEnv) sweepAtEnd() {
	e.t.Cleanup(func() {
		r := e.sweep()
		sweep.Lock()
		sweep.results = append(sweep.results, r)
		sweep.Unlock()
	})
}

// secretHolders names every emulator that hands out secrets.
func (e *matrixEnv) secretHolders() map[string]testenv.SecretHolder {
	return map[string]testenv.SecretHolder{"OIDC issuer": e.is, "PyPI": e.pypi, "npm": e.npm, "crates.io": e.crates, "RubyGems": e.gems, "GitHub": e.gh}
}

func (e *matrixEnv) sweep() swept {
	r := swept{scenario: e.t.Name(), secrets: map[string]int{}, scanned: map[string]int{}}
	var needles []needle
	for holder, h := range e.secretHolders() {
		s := h.Secrets()
		r.secrets[holder] = len(s)
		for i, sec := range s {
			needles = append(needles, needlesFor(fmt.Sprintf("%s secret #%d", holder, i+1), sec)...)
		}
	}
	check := func(kind, where string, data []byte) {
		r.scanned[kind] += len(data)
		text := string(data)
		for _, n := range needles {
			if strings.Contains(text, n.text) {
				r.leaks = append(r.leaks, fmt.Sprintf("%s contains %s (%s)", where, n.what, n.form))
			}
		}
	}
	for i, res := range e.runs {
		// ::add-mask:: lines must name a token to hide it from the job log.
		check("stdout", fmt.Sprintf("stdout of run %d", i+1), []byte(withoutLines(res.stdout, "::add-mask::")))
		check("stderr", fmt.Sprintf("stderr of run %d", i+1), []byte(res.stderr))
	}
	walk := func(root string, kind func(rel string) string) {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, path)
			check(kind(filepath.ToSlash(rel)), path, b)
			return nil
		})
		if err != nil && !os.IsNotExist(err) {
			r.leaks = append(r.leaks, "could not read everything: "+err.Error())
		}
	}
	walk(e.p.dir, projectPlace)
	walk(e.home, func(string) string { return "HOME" })
	walk(e.tmp, func(string) string { return "TMPDIR" })
	walk(filepath.Dir(e.ghOutput), func(rel string) string {
		if filepath.Join(filepath.Dir(e.ghOutput), rel) == e.ghOutput {
			return "GITHUB_OUTPUT"
		}
		return "GITHUB_STEP_SUMMARY"
	})
	return r
}

// projectPlace sorts a file of the project by what wrote it.
func projectPlace(rel string) string {
	switch {
	case rel == ".releaser/audit.jsonl":
		return "audit log"
	case rel == "dist/releaser-manifest.json":
		return "manifest"
	case strings.HasPrefix(rel, ".releaser/attestations/"):
		return "bundles"
	case strings.HasPrefix(rel, ".releaser/"):
		return "state dir"
	case strings.HasPrefix(rel, "dist/"):
		return "output dir"
	case strings.HasPrefix(rel, ".git/"):
		return "git"
	}
	return "project"
}

// needle is one written form of one secret.
type needle struct{ what, form, text string }

// needlesFor is every form secret could be written in: as is, hex, URL- and
// path-escaped, base64 and base64url at any alignment inside a longer
// encoded text, and a JWT's signature alone (which is what makes it a
// credential).
func needlesFor(what, secret string) []needle {
	var out []needle
	for _, f := range testenv.SecretForms(secret) {
		out = append(out, needle{what, f.Name, f.Text})
	}
	return out
}

// TestCanarySweep: no scenario of the crash and fault matrices left any
// secret anywhere releaser writes. It runs after the matrices (a parallel
// top-level test waits for every sequential one) and runs those that did not
// run in this process itself.
func TestCanarySweep(t *testing.T) {
	t.Parallel()
	t.Run("the sweep finds every form", testSweepFindsForms)
	t.Run("the sweep looks everywhere", testSweepLooksEverywhere)
	if !matrixRan("crash") {
		t.Run("crash matrix", TestCrashMatrix)
	}
	if !matrixRan("fault") {
		t.Run("fault matrix", TestFaultMatrix)
	}
	sweep.Lock()
	results := slices.Clone(sweep.results)
	sweep.Unlock()
	if len(results) == 0 {
		if !matrixRan("crash") && !matrixRan("fault") {
			t.Skip("no matrix scenario ran: -run left them all out")
		}
		t.Fatal("the matrices ran, but no scenario was swept")
	}
	scanned := map[string]int{}
	for _, r := range results {
		for _, l := range r.leaks {
			t.Errorf("%s: %s", r.scenario, l)
		}
		for holder, n := range r.secrets {
			if n == 0 {
				t.Errorf("%s: %s handed out no secret: nothing was looked for", r.scenario, holder)
			}
		}
		for kind, n := range r.scanned {
			scanned[kind] += n
		}
	}
	// The places the release job must have written to, so a sweep that
	// looks in the wrong place fails.
	for _, kind := range []string{"stdout", "audit log", "manifest", "bundles", "state dir", "output dir", "GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY"} {
		if scanned[kind] == 0 {
			t.Errorf("no byte of %s was scanned", kind)
		}
	}
	for _, kind := range []string{"HOME", "TMPDIR"} {
		scanned[kind] += 0 // listed even when releaser wrote nothing there
	}
	var kinds []string
	for k, n := range scanned {
		kinds = append(kinds, fmt.Sprintf("%s %d B", k, n))
	}
	sort.Strings(kinds)
	t.Logf("swept %d scenarios: %s", len(results), strings.Join(kinds, ", "))
}

// testSweepFindsForms plants a secret, in each form, inside longer text, and
// checks the needles find it there, and do not find it in text that holds
// another secret.
func testSweepFindsForms(t *testing.T) {
	const secret = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJDQU5BUlkifQ.c2lnbmF0dXJlLW9mLXRoZS1jYW5hcnktdG9rZW4tQ0FOQVJZ"
	needles := needlesFor("planted", secret)
	finds := func(text string) bool {
		for _, n := range needles {
			if strings.Contains(text, n.text) {
				return true
			}
		}
		return false
	}
	planted := map[string]string{
		"as is":         "token " + secret + " end",
		"hex":           fmt.Sprintf("0a%x0a", secret),
		"URL-encoded":   "a=1&token=" + url.QueryEscape(secret) + "&b=2",
		"path-escaped":  "/tokens/" + url.PathEscape(secret) + "/x",
		"JWT signature": "sig: " + secret[strings.LastIndex(secret, ".")+1:] + "\n",
	}
	for _, enc := range testenv.Base64Encodings {
		for pre := range 3 {
			doc := strings.Repeat("p", pre) + `{"token":"` + secret + `","more":"text"}`
			planted[fmt.Sprintf("%s after %d bytes", enc.Name, pre)] = enc.Enc.EncodeToString([]byte(doc))
		}
	}
	for form, text := range planted {
		if !finds(text) {
			t.Errorf("a secret written %s is not found", form)
		}
	}
	other := strings.Replace(secret, "Q0FOQVJZ", "T1RIRVIx", 1)
	if finds(other + " " + testenv.Base64Encodings[0].Enc.EncodeToString([]byte(other))) {
		t.Errorf("another secret is taken for this one")
	}
}

// testSweepLooksEverywhere plants secrets in each place a job writes to and
// checks the sweep reports each place, and not a secret's ::add-mask:: line.
func testSweepLooksEverywhere(t *testing.T) {
	is := testenv.NewOIDCIssuer(t)
	pe := &publishEnv{t: t, is: is, pypi: testenv.NewPyPI(t, is), npm: testenv.NewNpm(t, is), crates: testenv.NewCrates(t, is),
		gems: testenv.NewRubyGems(t, is), gh: testenv.NewGitHub(t), p: &project{dir: t.TempDir(), t: t}}
	e := &matrixEnv{publishEnv: pe, home: t.TempDir(), tmp: t.TempDir()}
	e.ghOutput, e.ghSummary = filepath.Join(e.tmp, "gh", "output"), filepath.Join(e.tmp, "gh", "summary")
	jwt, gh := is.Mint("pypi", nil), e.gh.Token()
	e.runs = []result{{stdout: "::add-mask::" + gh + "\nfine\n", stderr: "fine"}, {stdout: "token " + gh}}
	e.p.write(".releaser/audit.jsonl", `{"data":"`+testenv.Base64Encodings[1].Enc.EncodeToString([]byte("x"+jwt))+`"}`)
	e.p.write("dist/notes.txt", jwt[strings.LastIndex(jwt, ".")+1:])
	for path, content := range map[string]string{
		filepath.Join(e.home, ".config", "x"): url.QueryEscape(jwt),
		filepath.Join(e.tmp, "spool"):         fmt.Sprintf("%x", is.RequestToken()),
		e.ghOutput:                            "token<<EOF\n" + gh + "\nEOF\n",
	} {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r := e.sweep()
	for _, where := range []string{"stdout of run 2", ".releaser/audit.jsonl", "dist/notes.txt", ".config/x", "spool", "gh/output"} {
		found := false
		for _, l := range r.leaks {
			found = found || strings.Contains(l, where)
		}
		if !found {
			t.Errorf("the secret planted in %s was not found; found: %q", where, r.leaks)
		}
	}
	for _, l := range r.leaks {
		if strings.Contains(l, "stdout of run 1") || strings.Contains(l, "stderr") {
			t.Errorf("reported: %s", l)
		}
	}
	if r.scanned["GITHUB_OUTPUT"] == 0 || r.scanned["HOME"] == 0 || r.scanned["TMPDIR"] == 0 || r.scanned["audit log"] == 0 {
		t.Errorf("places scanned: %v", r.scanned)
	}
}
