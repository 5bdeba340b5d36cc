package sample

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// These tests hand the artifacts to the real tools of each ecosystem when the
// machine has them, and skip otherwise: the structural tests above are the
// floor, these are the fidelity check.

func need(t *testing.T, tool string) {
	t.Helper()
	if _, err := exec.LookPath(tool); err != nil {
		t.Skipf("%s not on PATH", tool)
	}
}

func run(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("%s %s: %v\n%s%s", name, strings.Join(args, " "), err, out, stderr)
	}
	return string(out)
}

func buildToDir(t *testing.T) string {
	t.Helper()
	out := t.TempDir()
	if _, err := Build(Options{SrcDir: exampleDir, OutDir: out, Epoch: testEpoch}); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestWithPython(t *testing.T) {
	t.Parallel()
	need(t, "python3")
	out := buildToDir(t)
	// One interpreter start for all checks: zipfile's CRC test (what
	// python -m zipfile -t runs), email.parser on METADATA as PyPI tooling reads
	// it, and tarfile's listing of the sdist.
	const check = `
import email.parser, json, sys, tarfile, zipfile
z = zipfile.ZipFile(sys.argv[1])
bad = z.testzip()
msg = email.parser.Parser().parsestr(z.read("hello_releaser-1.2.3.dist-info/METADATA").decode("utf-8"))
with tarfile.open(sys.argv[2]) as t:
    sdist = t.getnames()
print(json.dumps({"bad": bad, "sdist": sdist, "body": msg.get_payload()} |
    {k: msg.get_all(k) for k in ("Metadata-Version", "Name", "Version", "License-Expression", "Classifier")}))
`
	var got struct {
		Bad        *string  `json:"bad"`
		Sdist      []string `json:"sdist"`
		Body       string   `json:"body"`
		MV         []string `json:"Metadata-Version"`
		Name       []string `json:"Name"`
		Version    []string `json:"Version"`
		License    []string `json:"License-Expression"`
		Classifier []string `json:"Classifier"`
	}
	js := run(t, out, nil, "python3", "-c", check,
		filepath.Join(out, "hello_releaser-1.2.3-py3-none-any.whl"),
		filepath.Join(out, "hello_releaser-1.2.3.tar.gz"))
	if err := json.Unmarshal([]byte(js), &got); err != nil {
		t.Fatalf("%v: %s", err, js)
	}
	if got.Bad != nil {
		t.Errorf("zipfile: bad CRC in %s", *got.Bad)
	}
	one := func(field string, vs []string, want string) {
		if len(vs) != 1 || vs[0] != want {
			t.Errorf("python reads %s as %q, want %q", field, vs, want)
		}
	}
	one("Metadata-Version", got.MV, "2.4")
	one("Name", got.Name, "hello-releaser")
	one("Version", got.Version, "1.2.3")
	one("License-Expression", got.License, "MIT")
	if len(got.Classifier) != 4 {
		t.Errorf("python reads Classifier as %q, want 4 values", got.Classifier)
	}
	if got.Body != string(readSource(t, "python/README.md")) {
		t.Errorf("python reads the description as %q", got.Body)
	}
	for _, want := range []string{"hello_releaser-1.2.3/PKG-INFO", "hello_releaser-1.2.3/pyproject.toml", "hello_releaser-1.2.3/src/hello_releaser/__init__.py"} {
		if !slices.Contains(got.Sdist, want) {
			t.Errorf("python's tarfile does not list %s in the sdist: %q", want, got.Sdist)
		}
	}
}

func TestWithNpm(t *testing.T) {
	t.Parallel()
	need(t, "npm")
	need(t, "tar")
	out := buildToDir(t)
	got := strings.Fields(run(t, out, nil, "tar", "-tzf", "hello-releaser-1.2.3.tgz"))
	want := []string{"package/package.json", "package/index.js", "package/LICENSE", "package/README.md"}
	if !slices.Equal(got, want) {
		t.Errorf("tar -tzf lists %q, want %q", got, want)
	}
}

func TestWithCargo(t *testing.T) {
	t.Parallel()
	need(t, "cargo")
	// cargo writes Cargo.lock and target/ next to the manifest: use a copy.
	src := copyExample(t)
	dir := filepath.Join(src, "rust")
	list := run(t, dir, []string{"CARGO_TARGET_DIR=" + filepath.Join(src, "target")},
		"cargo", "package", "--list", "--offline", "--allow-dirty")
	want := strings.Fields(list)

	_, raw := gunzip(t, build(t, exampleDir, testEpoch)["hello-releaser-1.2.3.crate"])
	var got []string
	for _, n := range names(readTar(t, raw)) {
		got = append(got, strings.TrimPrefix(n, "hello-releaser-1.2.3/"))
	}
	if !slices.Equal(got, want) {
		t.Errorf("crate holds %q; cargo package --list says %q", got, want)
	}
}

func TestWithRuby(t *testing.T) {
	t.Parallel()
	need(t, "gem")
	need(t, "ruby")
	out := buildToDir(t)
	gem := filepath.Join(out, "hello-releaser-1.2.3.gem")
	if got := run(t, out, nil, "gem", "spec", gem, "name"); strings.TrimSpace(got) != "--- hello-releaser" {
		t.Errorf("gem spec name = %q, want --- hello-releaser", got)
	}
	// Gem::Package#verify checks checksums.yaml against the archives and loads
	// the spec with RubyGems' safe YAML loader, as rubygems.org does on upload.
	const verify = `require "rubygems/package"
pkg = Gem::Package.new(ARGV[0])
pkg.verify
puts pkg.spec.full_name, pkg.spec.required_ruby_version, pkg.contents.sort.join(",")`
	got := strings.Split(strings.TrimSpace(run(t, out, nil, "ruby", "-e", verify, gem)), "\n")
	want := []string{"hello-releaser-1.2.3", ">= 2.7", "LICENSE,README.md,lib/hello_releaser.rb"}
	if !slices.Equal(got, want) {
		t.Errorf("ruby reads the gem as %q, want %q", got, want)
	}
}

// TestYAMLScalarWithPsych checks yamlScalar against the YAML reader RubyGems uses.
func TestYAMLScalarWithPsych(t *testing.T) {
	t.Parallel()
	need(t, "ruby")
	in := []string{"hello", "1.2.3", "2.7", "0", "yes", "No", "null", "~", ">=", "it's", "a: b", "#x", "- x",
		"line\nbreak", "tab\t", "\x01", "nel\u0085", "ls\u2028", "bom\ufeff", "ünï", "\"q\" \\", " lead", "trail ", "@at", "*star", "!tag", "%pct", "1e3", "0x1F", "2023-11-14"}
	var doc strings.Builder
	doc.WriteString("---\n")
	for _, s := range in {
		doc.WriteString("- " + yamlScalar(s) + "\n")
	}
	f := filepath.Join(t.TempDir(), "in.yaml")
	if err := os.WriteFile(f, []byte(doc.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	js := run(t, "", nil, "ruby", "-ryaml", "-rjson", "-e", `puts JSON.generate(YAML.safe_load(File.read(ARGV[0])))`, f)
	var got []any
	if err := json.Unmarshal([]byte(js), &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(in) {
		t.Fatalf("psych read %d scalars, want %d:\n%s", len(got), len(in), doc.String())
	}
	for i, s := range in {
		if got[i] != s {
			t.Errorf("psych reads yamlScalar(%q) = %s as %#v", s, yamlScalar(s), got[i])
		}
	}
}
