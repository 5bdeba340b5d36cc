package artifact

import (
	"path/filepath"
	"reflect"
	"testing"
)

func TestMerge(t *testing.T) {
	out := filepath.Join(t.TempDir(), "release")
	linuxDir, macDir := filepath.Join(out, "linux"), filepath.Join(out, "mac")
	sdist := validArtifact("demo-1.0.tar.gz", "sdist")
	linuxBin := validArtifact("demo-linux.zip", "linux")
	macBin := validArtifact("demo-mac.zip", "mac")
	linux := New(Release{Name: "demo", Version: "1.0", Tag: "v1.0"}, []Artifact{linuxBin, sdist})
	mac := New(Release{Name: "demo", Version: "1.0", Commit: "abc"}, []Artifact{sdist, macBin})

	got, err := Merge([]*Manifest{linux, mac}, []string{linuxDir, macDir}, out)
	if err != nil {
		t.Fatal(err)
	}
	rebased := func(a Artifact, dir string) Artifact { a.Path = dir + "/" + a.Path; return a }
	want := New(Release{Name: "demo", Version: "1.0", Tag: "v1.0", Commit: "abc"}, []Artifact{
		rebased(sdist, "linux"), // deduplicated; the first one's path is kept
		rebased(linuxBin, "linux"),
		rebased(macBin, "mac"),
	})
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Merge =\n%+v\nwant\n%+v", got, want)
	}
	if linux.Artifacts[0].Path != "dist/demo-linux.zip" {
		t.Error("Merge modified its input")
	}
}

func TestMergeErrors(t *testing.T) {
	root := t.TempDir()
	a, b := filepath.Join(root, "a"), filepath.Join(root, "b")
	rel := Release{Name: "demo", Version: "1.0"}
	one := func(r Release, arts ...Artifact) *Manifest { return New(r, arts) }
	x := validArtifact("x.zip", "x")
	xOther := validArtifact("x.zip", "other")
	tests := []struct {
		name   string
		inputs []*Manifest
		dirs   []string
		out    string
		want   []string
	}{
		{"none", nil, nil, root, []string{"none given"}},
		{"count mismatch", []*Manifest{one(rel)}, []string{a, b}, root, []string{"1 manifests but 2 directories"}},
		{"nil input", []*Manifest{one(rel), nil}, []string{a, b}, root, []string{"manifest 2 of 2", "is nil"}},
		{"invalid input", []*Manifest{one(Release{Name: "demo"})}, []string{a}, root, []string{"manifest 1 of 1", "release.version is empty"}},
		{
			"conflicting artifact",
			[]*Manifest{one(rel, x), one(rel, xOther)}, []string{a, b}, root,
			[]string{`artifact "x.zip" differs between manifest 1 (in ` + a + `) and manifest 2 (in ` + b + `)`,
				"sha256 " + x.Digests.SHA256 + " vs " + xOther.Digests.SHA256, "reproducible"},
		},
		{
			"version mismatch",
			[]*Manifest{one(rel), one(Release{Name: "demo", Version: "1.1"})}, []string{a, b}, root,
			[]string{"manifest 2 of 2", "release is demo 1.1 but earlier manifests are for demo 1.0"},
		},
		{
			"name mismatch",
			[]*Manifest{one(rel), one(Release{Name: "other", Version: "1.0"})}, []string{a, b}, root,
			[]string{"release is other 1.0"},
		},
		{
			"commit mismatch",
			[]*Manifest{one(Release{Name: "demo", Version: "1.0", Commit: "aaa"}), one(rel), one(Release{Name: "demo", Version: "1.0", Commit: "bbb"})},
			[]string{a, b, b}, root,
			[]string{"manifest 3 of 3", `release commit is "bbb" but earlier manifests say "aaa"`},
		},
		{
			"tag mismatch",
			[]*Manifest{one(Release{Name: "demo", Version: "1.0", Tag: "v1.0"}), one(Release{Name: "demo", Version: "1.0", Tag: "1.0"})},
			[]string{a, b}, root,
			[]string{`release tag is "1.0"`},
		},
		{
			"input outside the output directory",
			[]*Manifest{one(rel, x)}, []string{b}, a,
			[]string{`artifact "x.zip"`, "is not below", "must live below the output manifest's directory"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Merge(tt.inputs, tt.dirs, tt.out)
			if got != nil {
				t.Error("Merge returned a manifest along with the error")
			}
			wantErr(t, err, append([]string{"merge manifests"}, tt.want...)...)
		})
	}
}

// Relative input and output directories are resolved against the working
// directory, and an input may be the output directory itself.
func TestMergeRelativeDirs(t *testing.T) {
	t.Chdir(t.TempDir())
	m := New(Release{Name: "demo", Version: "1.0"}, []Artifact{validArtifact("x.zip", "x")})
	got, err := Merge([]*Manifest{m}, []string{"jobs/1"}, ".")
	if err != nil {
		t.Fatal(err)
	}
	if p := got.Artifacts[0].Path; p != "jobs/1/dist/x.zip" {
		t.Errorf("path = %q, want jobs/1/dist/x.zip", p)
	}
	got, err = Merge([]*Manifest{m}, []string{"."}, ".")
	if err != nil || got.Artifacts[0].Path != "dist/x.zip" {
		t.Errorf("Merge into the same dir = %+v, %v", got, err)
	}
}
