package pkgmeta

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
)

func TestReadPythonSamples(t *testing.T) {
	tests := []struct {
		file      string
		read      func(string) (*Python, error)
		filetype  string
		pyversion string
	}{
		{sampleWheel, ReadWheel, FiletypeWheel, "py3"},
		{sampleSdist, ReadSdist, FiletypeSdist, "source"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			p, err := tt.read(samplePath(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if p.Filename != tt.file || p.Filetype != tt.filetype || p.PyVersion != tt.pyversion {
				t.Errorf("got %q %q %q, want %q %q %q", p.Filename, p.Filetype, p.PyVersion, tt.file, tt.filetype, tt.pyversion)
			}
			m := p.Metadata
			if m.Name() != "hello-releaser" || m.Version() != "1.2.3" || m.MetadataVersion() != "2.4" {
				t.Errorf("name/version/metadata version = %q %q %q", m.Name(), m.Version(), m.MetadataVersion())
			}
			classifiers := m.All("classifier")
			if len(classifiers) != 4 || classifiers[0] != "Development Status :: 5 - Production/Stable" {
				t.Errorf("classifiers = %q", classifiers)
			}
			urls := m.All("Project-URL")
			if !slices.Equal(urls, []string{
				"Homepage, https://github.com/releaserhq/releaser",
				"Source, https://github.com/releaserhq/releaser/tree/main/testdata/example/python",
			}) {
				t.Errorf("project urls = %q", urls)
			}
			readme, err := os.ReadFile(exampleDir + "/python/README.md")
			if err != nil {
				t.Fatal(err)
			}
			if m.Description() != string(readme) {
				t.Errorf("description = %q, want the README %q", m.Description(), readme)
			}
			if err := p.CheckFilename(); err != nil {
				t.Errorf("CheckFilename: %v", err)
			}
		})
	}
}

func TestReadNpmSample(t *testing.T) {
	p, err := ReadNpm(samplePath(t, sampleNpm))
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "hello-releaser" || p.Version != "1.2.3" {
		t.Errorf("name, version = %q, %q", p.Name, p.Version)
	}
	if got := string(p.Manifest["main"]); got != `"index.js"` {
		t.Errorf("main = %s", got)
	}
	var repo struct{ Directory string }
	if err := json.Unmarshal(p.Manifest["repository"], &repo); err != nil || repo.Directory != "testdata/example/npm" {
		t.Errorf("repository = %s (%v)", p.Manifest["repository"], err)
	}
}

func TestReadCrateSample(t *testing.T) {
	c, err := ReadCrate(samplePath(t, sampleCrate))
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "hello-releaser" || c.Version != "1.2.3" {
		t.Errorf("name, version = %q, %q", c.Name, c.Version)
	}
	readme, err := os.ReadFile(exampleDir + "/rust/README.md")
	if err != nil {
		t.Fatal(err)
	}
	nc := c.NewCrate
	if nc.Readme == nil || *nc.Readme != string(readme) || deref(nc.ReadmeFile) != "README.md" {
		t.Errorf("readme = %v, readme_file = %v", nc.Readme, nc.ReadmeFile)
	}
	if deref(nc.License) != "MIT" || deref(nc.Repository) != "https://github.com/releaserhq/releaser" || nc.Homepage != nil {
		t.Errorf("license %v, repository %v, homepage %v", nc.License, nc.Repository, nc.Homepage)
	}
	b, err := json.Marshal(nc)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"name":"hello-releaser"`, `"vers":"1.2.3"`, `"deps":[]`, `"features":{}`, `"authors":[]`, `"homepage":null`, `"badges":{}`, `"rust_version":null`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("NewCrate JSON %s lacks %s", b, want)
		}
	}
}

func TestReadGemSample(t *testing.T) {
	g, err := ReadGem(samplePath(t, sampleGem))
	if err != nil {
		t.Fatal(err)
	}
	if *g != (Gem{Name: "hello-releaser", Version: "1.2.3", Platform: "ruby"}) {
		t.Errorf("got %+v", g)
	}
	if g.FullName() != "hello-releaser-1.2.3" {
		t.Errorf("FullName = %q", g.FullName())
	}
}

// The readers must refuse each other's formats cleanly.
func TestReadWrongFormat(t *testing.T) {
	for _, file := range []string{sampleWheel, sampleSdist, sampleNpm, sampleCrate, sampleGem} {
		path := samplePath(t, file)
		readers := map[string]func() error{
			"wheel": func() error { _, err := ReadWheel(path); return err },
			"sdist": func() error { _, err := ReadSdist(path); return err },
			"npm":   func() error { _, err := ReadNpm(path); return err },
			"crate": func() error { _, err := ReadCrate(path); return err },
			"gem":   func() error { _, err := ReadGem(path); return err },
		}
		own := map[string]string{sampleWheel: "wheel", sampleSdist: "sdist", sampleNpm: "npm", sampleCrate: "crate", sampleGem: "gem"}[file]
		for name, read := range readers {
			if name == own {
				continue
			}
			if err := read(); err == nil {
				t.Errorf("the %s reader accepted %s", name, file)
			}
		}
	}
}
