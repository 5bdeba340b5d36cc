package scaffold

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/releaserhq/releaser/internal/config"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// goldenRemotes give each sample a different origin: three forms of a
// github.com remote, none, and a GitLab one (which must give the placeholder).
var goldenRemotes = map[string]string{
	"python": "https://github.com/octo-org/hello-py.git",
	"npm":    "git@github.com:octo-org/hello-js.git",
	"rust":   "",
	"ruby":   "ssh://git@github.com/octo-org/x",
	"mixed":  "https://gitlab.com/octo-org/hello-rs.git",
}

var samples = []string{"python", "npm", "rust", "ruby", "mixed"}

func TestRenderGolden(t *testing.T) {
	for _, name := range samples {
		t.Run(name, func(t *testing.T) {
			withRemote(t, goldenRemotes[name])
			p, err := Detect(sample(name))
			if err != nil {
				t.Fatal(err)
			}
			files, err := Render(p, DefaultOptions())
			if err != nil {
				t.Fatal(err)
			}
			if len(files) != 2 || files[0].Path != "release.toml" || files[1].Path != ".github/workflows/release.yml" {
				t.Fatalf("Render paths = %v", paths(files))
			}
			for _, f := range files {
				golden := filepath.Join("testdata", "golden", name, filepath.Base(f.Path))
				if *update {
					if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(golden, f.Content, 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run go test -update to create it)", err)
				}
				if !bytes.Equal(f.Content, want) {
					t.Errorf("%s differs from %s (go test -update rewrites it):\n%s", f.Path, golden, f.Content)
				}
			}
			again, err := Render(p, DefaultOptions())
			if err != nil || !bytes.Equal(again[0].Content, files[0].Content) || !bytes.Equal(again[1].Content, files[1].Content) {
				t.Errorf("a second Render differs (err %v)", err)
			}
		})
	}
}

func paths(files []File) []string {
	var out []string
	for _, f := range files {
		out = append(out, f.Path)
	}
	return out
}

// The release.toml written for every sample loads with the real loader
// (reading version_from from the manifest), with the values init meant.
func TestRenderedConfigLoads(t *testing.T) {
	for _, name := range samples {
		for _, approvers := range []int{0, 1, 2, 3} {
			t.Run(name+"/"+string(rune('0'+approvers)), func(t *testing.T) {
				withRemote(t, goldenRemotes[name])
				dir := copyTree(t, sample(name))
				p, err := Detect(dir)
				if err != nil {
					t.Fatal(err)
				}
				o := DefaultOptions()
				o.Approvers, o.Environment, o.Workflow = approvers, "production", "publish.yaml"
				files, err := Render(p, o)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := Write(dir, files, false); err != nil {
					t.Fatal(err)
				}
				c, err := config.Load(filepath.Join(dir, "release.toml"))
				if err != nil {
					t.Fatalf("config.Load: %v\n%s", err, files[0].Content)
				}
				checkConfig(t, c, p, o)
			})
		}
	}
}

func checkConfig(t *testing.T, c *config.Config, p *Project, o Options) {
	t.Helper()
	wantVersion := p.Version
	if wantVersion == "" {
		wantVersion = "0.0.0"
	}
	if c.Project.Version != wantVersion || c.Project.VersionFrom != p.VersionFrom {
		t.Errorf("version %q from %q, want %q from %q", c.Project.Version, c.Project.VersionFrom, wantVersion, p.VersionFrom)
	}
	if c.Project.TagFormat != "v{version}" || c.Project.StateDir != ".releaser" || c.Build.OutputDir != "dist" {
		t.Errorf("project/build = %+v %+v", c.Project, c.Build)
	}
	if c.Approval.Required != o.Approvers {
		t.Errorf("approval.required = %d, want %d", c.Approval.Required, o.Approvers)
	}
	var wantEnvs []string
	for n := 1; n <= o.Approvers; n++ {
		wantEnvs = append(wantEnvs, gateEnvironment(n))
	}
	wantEnvs = append(wantEnvs, o.Environment)
	if !slices.Equal(c.Approval.Environments, wantEnvs) {
		t.Errorf("approval.environments = %v, want %v", c.Approval.Environments, wantEnvs)
	}
	id := c.Identity
	wantRepo := p.Repository
	if wantRepo == "" {
		wantRepo = repoPlaceholder
	}
	if id.Provider != "github" || id.Repository != wantRepo || id.Workflow != o.Workflow || id.Environment != o.Environment ||
		!slices.Equal(id.AllowedEvents, []string{"push"}) || id.RefPattern != "refs/tags/v*" {
		t.Errorf("identity = %+v", id)
	}
	if len(c.Registry) != len(p.Kinds) {
		t.Fatalf("%d registries for kinds %v", len(c.Registry), p.Kinds)
	}
	for i, k := range p.Kinds {
		if r := c.Registry[i]; r.Kind != kindInfos[k].registry || r.Package != p.Names[k] {
			t.Errorf("registry[%d] = %s %q, want %s %q", i, r.Kind, r.Package, kindInfos[k].registry, p.Names[k])
		}
		for _, a := range kindInfos[k].artifacts {
			if !slices.Contains(c.Build.Artifacts, a) {
				t.Errorf("artifacts %v lack %q for %s", c.Build.Artifacts, a, k)
			}
		}
	}
	if !*c.Attest.Enabled || c.Attest.Layout != "single" || c.Attest.Transparency != "rekor" {
		t.Errorf("attest = %+v", c.Attest)
	}
	if !*c.GitHub.Release || !*c.GitHub.RequireImmutable {
		t.Errorf("github = %+v", c.GitHub)
	}
	if len(c.Build.Commands) == 0 {
		t.Error("no build commands")
	}
}

// A project with no literal version anywhere gets version = "0.0.0" to fill
// in, and still loads.
func TestRenderedConfigWithoutVersion(t *testing.T) {
	withRemote(t, "")
	dir := writeTree(t, map[string]string{"pyproject.toml": "[project]\nname = \"dyn\"\ndynamic = [\"version\"]\n"})
	p, err := Detect(dir)
	if err != nil {
		t.Fatal(err)
	}
	files, err := Render(p, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(files[0].Content, []byte("# FILL IN")) || !bytes.Contains(files[0].Content, []byte(`version = "0.0.0"`)) {
		t.Errorf("release.toml does not ask for the version:\n%s", files[0].Content)
	}
	if _, err := Write(dir, files, false); err != nil {
		t.Fatal(err)
	}
	c, err := config.Load(filepath.Join(dir, "release.toml"))
	if err != nil {
		t.Fatal(err)
	}
	checkConfig(t, c, p, DefaultOptions())
}

// The build commands are the ones each kind needs, in kind order.
func TestRenderedBuildCommands(t *testing.T) {
	withRemote(t, "")
	p := &Project{
		Kinds:     []Kind{Python, Npm, Rust, Ruby},
		Names:     map[Kind]string{Python: "py", Npm: "@s/js", Rust: "rs", Ruby: "rb"},
		Manifests: map[Kind]string{Ruby: "rb-gem.gemspec"},
		Version:   "1.0.0",
	}
	files, err := Render(p, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	c, err := config.Parse("release.toml", files[0].Content)
	if err != nil {
		t.Fatalf("config.Parse: %v", err)
	}
	want := []config.Command{
		{Name: "sdist and wheel", Argv: []string{"python3", "-m", "build", "--outdir", "dist"}},
		{Name: "npm tarball", Argv: []string{"npm", "pack", "--pack-destination", "dist"}},
		{Name: "crate", Argv: []string{"cargo", "package", "--no-verify"}},
		{Name: "crate into dist", Shell: "cp target/package/*.crate dist/"},
		{Name: "gem", Shell: "gem build rb-gem.gemspec && mv rb-*.gem dist/"},
	}
	if len(c.Build.Commands) != len(want) {
		t.Fatalf("commands = %+v", c.Build.Commands)
	}
	for i, w := range want {
		g := c.Build.Commands[i]
		if g.Name != w.Name || !slices.Equal(g.Argv, w.Argv) || g.Shell != w.Shell {
			t.Errorf("command %d = %+v, want %+v", i, g, w)
		}
	}
	if want := []string{"*.whl", "*.tar.gz", "*.tgz", "*.crate", "*.gem"}; !slices.Equal(c.Build.Artifacts, want) {
		t.Errorf("artifacts = %v, want %v", c.Build.Artifacts, want)
	}
	// An npm scope is not part of a release name.
	if p.Kinds = []Kind{Npm}; true {
		files, err := Render(p, DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		c, err := config.Parse("release.toml", files[0].Content)
		if err != nil {
			t.Fatal(err)
		}
		if c.Project.Name != "js" || c.Registry[0].Package != "@s/js" {
			t.Errorf("name %q, npm package %q", c.Project.Name, c.Registry[0].Package)
		}
	}
}

func TestRenderRefuses(t *testing.T) {
	good := func() *Project {
		return &Project{Kinds: []Kind{Python}, Name: "ok", Names: map[Kind]string{Python: "ok"}, VersionFrom: "pyproject.toml"}
	}
	tests := []struct {
		name    string
		project func() *Project
		opts    func(*Options)
		want    string
	}{
		{"nil project", func() *Project { return nil }, nil, "no project kinds"},
		{"no kinds", func() *Project { p := good(); p.Kinds = nil; return p }, nil, "no project kinds"},
		{"unknown kind", func() *Project { p := good(); p.Kinds = []Kind{"go"}; return p }, nil, "unknown"},
		{"kind twice", func() *Project { p := good(); p.Kinds = []Kind{Python, Python}; return p }, nil, "twice"},
		{"newline in a name", func() *Project { p := good(); p.Names[Python] = "ok\n  run: curl evil"; return p }, nil, "not a valid PyPI package name"},
		{"uppercase npm", func() *Project { p := good(); p.Kinds = []Kind{Npm}; p.Names[Npm] = "Bad"; return p }, nil, "not a valid npm package name"},
		{"gemspec with a space", func() *Project {
			p := good()
			p.Kinds, p.Names[Ruby], p.Manifests = []Kind{Ruby}, "g", map[Kind]string{Ruby: "a b.gemspec"}
			return p
		}, nil, "gemspec"},
		{"repository not owner/name", func() *Project { p := good(); p.Repository = "o/r/x"; return p }, nil, "not owner/name"},
		{"version_from escapes", func() *Project { p := good(); p.VersionFrom = "../VERSION"; return p }, nil, "version_from"},
		{"negative approvers", good, func(o *Options) { o.Approvers = -1 }, "negative"},
		{"environment with a space", good, func(o *Options) { o.Environment = "pro duction" }, "environment"},
		{"environment named like a gate", good, func(o *Options) { o.Environment = "release-gate-1" }, "gate"},
		{"workflow in a directory", good, func(o *Options) { o.Workflow = "ci/release.yml" }, "workflow"},
		{"workflow not yaml", good, func(o *Options) { o.Workflow = "release.json" }, "workflow"},
		{"ref with a comment", good, func(o *Options) { o.ReleaserRef = "main # v1" }, "ref"},
		{"version with a newline", good, func(o *Options) { o.ReleaserVersion = "v1\nx" }, "version"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := DefaultOptions()
			if tt.opts != nil {
				tt.opts(&o)
			}
			files, err := Render(tt.project(), o)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Render = %d files, %v; want an error containing %q", len(files), err, tt.want)
			}
		})
	}
}

// The zero Options are the defaults except for Approvers, where 0 is a choice.
func TestZeroOptions(t *testing.T) {
	p := &Project{Kinds: []Kind{Rust}, Names: map[Kind]string{Rust: "c"}, VersionFrom: "Cargo.toml"}
	files, err := Render(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if files[1].Path != ".github/workflows/release.yml" {
		t.Errorf("workflow path %q", files[1].Path)
	}
	for _, want := range []string{"required = 0", `environments = ["release"]`, `environment = "release"`} {
		if !bytes.Contains(files[0].Content, []byte(want)) {
			t.Errorf("release.toml lacks %q", want)
		}
	}
	if !bytes.Contains(files[1].Content, []byte("releaserhq/releaser@"+Placeholder+" # v0")) {
		t.Error("workflow lacks the placeholder ref with # v0")
	}
}
