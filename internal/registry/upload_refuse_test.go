package registry

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Everything here must be refused before a single request.
func TestUploadRefusedBeforeAnyRequest(t *testing.T) {
	type setup struct {
		a    Artifact
		pkg  string
		tok  *Token
		opts UploadOptions
	}
	tests := []struct {
		name  string
		kinds []string
		edit  func(t *testing.T, s *setup)
		want  []string // substrings of the error
	}{
		{
			name: "the release version differs from the artifact's", kinds: uploadKinds,
			edit: func(t *testing.T, s *setup) { s.opts.Version = "1.2.4" },
			want: []string{`version "1.2.3"`, `"1.2.4"`},
		},
		{
			name: "the configured package differs from the artifact's", kinds: uploadKinds,
			edit: func(t *testing.T, s *setup) { s.pkg = "other-name" },
			want: []string{`name "hello-releaser"`, `"other-name"`},
		},
		{
			name: "the file changed size since the manifest", kinds: uploadKinds,
			edit: func(t *testing.T, s *setup) { s.a.Size++ },
			want: []string{"changed after the build"},
		},
		{
			name: "no token", kinds: uploadKinds,
			edit: func(t *testing.T, s *setup) { s.tok = nil },
			want: []string{"no upload token"},
		},
		{
			name: "another registry's token", kinds: uploadKinds,
			edit: func(t *testing.T, s *setup) { s.tok = &Token{Registry: "elsewhere", Value: "x"} },
			want: []string{`minted for "elsewhere"`},
		},
		{
			name: "a kind the registry does not take", kinds: uploadKinds,
			edit: func(t *testing.T, s *setup) { s.a.Kind = "generic" },
			want: []string{`does not take "generic"`},
		},
		{
			name: "no digest in the manifest", kinds: uploadKinds,
			edit: func(t *testing.T, s *setup) { s.a.SHA256, s.a.SHA512 = "", "" },
			want: []string{"no valid"},
		},
		{
			name: "an sdist not named as PEP 625 says", kinds: []string{ArtifactSdist},
			edit: func(t *testing.T, s *setup) { s.a = renamed(t, s.a, "hello-releaser-1.2.3.tar.gz") },
			want: []string{"hello_releaser-1.2.3.tar.gz", "PEP 625"},
		},
		{
			name: "a wheel whose file name is another version", kinds: []string{ArtifactWheel},
			edit: func(t *testing.T, s *setup) { s.a = renamed(t, s.a, "hello_releaser-1.2.4-py3-none-any.whl") },
			want: []string{`version "1.2.4"`},
		},
		{
			name: "not an archive of the kind", kinds: uploadKinds,
			edit: func(t *testing.T, s *setup) {
				p := filepath.Join(t.TempDir(), s.a.Name)
				if err := os.WriteFile(p, []byte("not an archive"), 0o644); err != nil {
					t.Fatal(err)
				}
				s.a = artifactAt(t, p, s.a.Kind)
			},
			want: []string{"reading the package metadata"},
		},
	}
	for _, tt := range tests {
		for _, kind := range tt.kinds {
			t.Run(kind+"/"+tt.name, func(t *testing.T) {
				reg := registryOf[kind]
				s := &setup{a: sampleArtifact(t, kind), pkg: samplePkg, tok: testToken(reg), opts: testUploadOptions(nil)}
				tt.edit(t, s)
				f := newFakeRegistry(t, reply{status: 200})
				up := mustNewUploader(t, reg, f.srv.URL, s.pkg, s.opts)
				_, err := up.Upload(context.Background(), s.tok, s.a, nil)
				ue := asUploadError(t, err)
				for _, w := range tt.want {
					if !strings.Contains(ue.Error(), w) {
						t.Errorf("error %q does not mention %q", ue.Error(), w)
					}
				}
				if ue.Fix == "" || ue.Retryable || ue.Different {
					t.Errorf("error = %+v, want a fix and neither retryable nor different", ue)
				}
				if n := len(f.requests()); n != 0 {
					t.Errorf("%d requests were made", n)
				}
			})
		}
	}
}

// renamed copies an artifact under another file name.
func renamed(t *testing.T, a Artifact, name string) Artifact {
	t.Helper()
	b, err := os.ReadFile(a.Path)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return artifactAt(t, p, a.Kind)
}

func TestNewUploaderErrors(t *testing.T) {
	ok := UploadOptions{Version: "1.0.0"}
	tests := []struct {
		name, kind, base, pkg string
		opts                  func(*UploadOptions)
		want                  string
	}{
		{"unknown kind", "maven", "", "x", nil, "not supported"},
		{"no package", KindPyPI, "", "", nil, "package name is not set"},
		{"no version", KindCrates, "", "x", func(o *UploadOptions) { o.Version = "" }, "version is not set"},
		{"plain http to a remote host", KindRubyGems, "http://example.com", "x", nil, "only https"},
		{"invalid npm name", KindNpm, "", "Bad Name", nil, "not a valid npm name"},
		{"restricted unscoped npm package", KindNpm, "", "demo", func(o *UploadOptions) { o.Access = "restricted" }, "needs a scoped package"},
		{"unknown npm access", KindNpm, "", "@o/demo", func(o *UploadOptions) { o.Access = "private" }, `want "public" or "restricted"`},
		{"npm dist-tag that looks like a version", KindNpm, "", "demo", func(o *UploadOptions) { o.DistTag = "v1" }, "dist-tag"},
		{"npm dist-tag with a slash", KindNpm, "", "demo", func(o *UploadOptions) { o.DistTag = "a/b" }, "dist-tag"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := ok
			if tt.opts != nil {
				tt.opts(&o)
			}
			_, err := NewUploader(tt.kind, tt.base, tt.pkg, o)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestNewUploaderDefaults(t *testing.T) {
	o := UploadOptions{Version: "1.0.0"}
	tests := []struct {
		kind, pkg string
		accepts   []string
		name      string
	}{
		{KindPyPI, "demo", []string{ArtifactWheel, ArtifactSdist}, "PyPI"},
		{KindTestPyPI, "demo", []string{ArtifactWheel, ArtifactSdist}, "TestPyPI"},
		{KindNpm, "demo", []string{ArtifactNpm}, "npm"},
		{KindCrates, "demo", []string{ArtifactCrate}, "crates.io"},
		{KindRubyGems, "demo", []string{ArtifactGem}, "RubyGems"},
	}
	for _, tt := range tests {
		up := mustNewUploader(t, tt.kind, "", tt.pkg, o)
		if up.Name() != tt.name {
			t.Errorf("%s: Name = %q", tt.kind, up.Name())
		}
		for _, k := range uploadKinds {
			want := false
			for _, a := range tt.accepts {
				want = want || a == k
			}
			if up.Accepts(k) != want {
				t.Errorf("%s: Accepts(%q) = %v", tt.kind, k, !want)
			}
		}
	}
	// The public hosts: PyPI uploads to upload.pypi.org and reads pypi.org.
	p := mustNewUploader(t, KindPyPI, "", "Demo_Pkg", o).(*pypiUploader)
	if got := siteURL(p.upload, "legacy"); got != "https://upload.pypi.org/legacy" {
		t.Errorf("PyPI upload URL %s", got)
	}
	if got := p.releaseURL(); got != "https://pypi.org/project/demo-pkg/1.0.0/" {
		t.Errorf("PyPI release URL %s", got)
	}
	tp := mustNewUploader(t, KindTestPyPI, "", "demo", o).(*pypiUploader)
	if tp.upload.Host != "test.pypi.org" || tp.json.Host != "test.pypi.org" {
		t.Errorf("TestPyPI hosts %s, %s", tp.upload.Host, tp.json.Host)
	}
	n := mustNewUploader(t, KindNpm, "", "@o/demo", o).(*npmUploader)
	if n.releaseURL() != "https://www.npmjs.com/package/@o/demo/v/1.0.0" || n.packumentURL() != "https://registry.npmjs.org/@o%2fdemo" || n.distTag != "latest" {
		t.Errorf("npm URLs %s, %s, tag %s", n.releaseURL(), n.packumentURL(), n.distTag)
	}
	c := mustNewUploader(t, KindCrates, "", "demo", o).(*cratesUploader)
	if c.releaseURL() != "https://crates.io/crates/demo/1.0.0" {
		t.Errorf("crates.io URL %s", c.releaseURL())
	}
	g := mustNewUploader(t, KindRubyGems, "", "demo", o).(*rubygemsUploader)
	if g.releaseURL("java") != "https://rubygems.org/gems/demo/versions/1.0.0-java" || g.releaseURL("ruby") != "https://rubygems.org/gems/demo/versions/1.0.0" {
		t.Errorf("RubyGems URLs %s, %s", g.releaseURL("java"), g.releaseURL("ruby"))
	}
	// The default client has no overall timeout (bodies can be gigabytes)
	// and never follows redirects.
	if c.core.hc.Timeout != 0 || c.core.hc.CheckRedirect == nil || c.core.lookupHC.Timeout == 0 {
		t.Errorf("upload client timeout %v, lookup client timeout %v", c.core.hc.Timeout, c.core.lookupHC.Timeout)
	}
	// A caller's timeout, sized for API calls, bounds lookups, not uploads.
	withTimeout := mustNewUploader(t, KindCrates, "", "demo", UploadOptions{Version: "1.0.0", Options: Options{HTTPClient: &http.Client{Timeout: 30 * time.Second}}}).(*cratesUploader)
	if withTimeout.core.hc.Timeout != 0 || withTimeout.core.lookupHC.Timeout != 30*time.Second {
		t.Errorf("with a 30 s client: upload timeout %v, lookup timeout %v", withTimeout.core.hc.Timeout, withTimeout.core.lookupHC.Timeout)
	}
	if c.core.maxElapsed != defaultMaxElapsed {
		t.Errorf("MaxElapsed default %v", c.core.maxElapsed)
	}
}
