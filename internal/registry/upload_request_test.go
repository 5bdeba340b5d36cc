package registry

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"os"
	"slices"
	"strings"
	"testing"
)

// checkLength requires a Content-Length equal to the body: every body
// here has a length known up front, and registries prefer it.
func checkLength(t *testing.T, u upload) {
	t.Helper()
	if u.length < 0 {
		t.Errorf("the body was sent chunked; want a Content-Length")
	} else if u.length != int64(len(u.body)) {
		t.Errorf("Content-Length %d, body %d bytes", u.length, len(u.body))
	}
	if ua := u.header.Get("User-Agent"); ua != testUserAgent {
		t.Errorf("User-Agent = %q", ua)
	}
}

func TestPyPIUploadRequest(t *testing.T) {
	for _, kind := range []string{ArtifactWheel, ArtifactSdist} {
		t.Run(kind, func(t *testing.T) {
			a := sampleArtifact(t, kind)
			f := newFakeUploads(t, a, samplePkg)
			tok := testToken(KindPyPI)
			up := mustNewUploader(t, KindPyPI, f.srv.URL, samplePkg, testUploadOptions(nil))
			res, err := up.Upload(context.Background(), tok, a, nil)
			if err != nil {
				t.Fatal(err)
			}
			if res.Outcome != Published || res.URL != f.srv.URL+"/project/hello-releaser/1.2.3/" {
				t.Errorf("result = %+v", res)
			}
			u := f.lastUpload()
			checkLength(t, u)
			if u.method != "POST" || u.path != "/legacy/" {
				t.Errorf("%s %s, want POST /legacy/", u.method, u.path)
			}
			if got, want := u.header.Get("Authorization"), "Basic "+base64.StdEncoding.EncodeToString([]byte("__token__:"+tok.Value)); got != want {
				t.Errorf("Authorization = %q, want %q", got, want)
			}
			fields, content, filename, ctype := parseMultipart(t, u)
			file, _ := os.ReadFile(a.Path)
			if !bytes.Equal(content, file) || filename != a.Name || ctype != "application/octet-stream" {
				t.Errorf("content part: filename %q, type %q, %d bytes (want %q, the file's %d bytes)", filename, ctype, len(content), a.Name, len(file))
			}
			readme, _ := os.ReadFile("../../testdata/example/python/README.md")
			filetype, pyversion := "bdist_wheel", "py3"
			if kind == ArtifactSdist {
				filetype, pyversion = "sdist", "source"
			}
			want := [][2]string{
				{":action", "file_upload"},
				{"protocol_version", "1"},
				{"name", "hello-releaser"},
				{"version", "1.2.3"},
				{"filetype", filetype},
				{"pyversion", pyversion},
				{"metadata_version", "2.4"},
				{"summary", "A tiny greeting library, released by releaser's example workflow."},
				{"author_email", "The releaser authors <maintainers@example.com>"},
				{"license_expression", "MIT"},
				{"license_file", "LICENSE"},
				{"classifiers", "Development Status :: 5 - Production/Stable"},
				{"classifiers", "Intended Audience :: Developers"},
				{"classifiers", "Operating System :: OS Independent"},
				{"classifiers", "Programming Language :: Python :: 3"},
				{"requires_python", ">=3.9"},
				{"project_urls", "Homepage, https://github.com/releaserhq/releaser"},
				{"project_urls", "Source, https://github.com/releaserhq/releaser/tree/main/testdata/example/python"},
				{"description_content_type", "text/markdown"},
				{"description", string(readme)},
				{"sha256_digest", a.SHA256},
				{"blake2_256_digest", a.BLAKE2b256},
			}
			if !slices.Equal(fields, want) {
				t.Errorf("form fields:\n got %q\nwant %q", fields, want)
			}
		})
	}
}

// parseMultipart returns the form fields in order, and the content part.
func parseMultipart(t *testing.T, u upload) (fields [][2]string, content []byte, filename, ctype string) {
	t.Helper()
	mt, params, err := mime.ParseMediaType(u.header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		t.Fatalf("Content-Type %q: %v", u.header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(bytes.NewReader(u.body), params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("multipart: %v", err)
		}
		b, err := io.ReadAll(p)
		if err != nil {
			t.Fatal(err)
		}
		if p.FormName() == "content" {
			if content != nil {
				t.Error("two content parts")
			}
			content, filename, ctype = b, p.FileName(), p.Header.Get("Content-Type")
			continue
		}
		if content != nil {
			t.Errorf("field %q after the content part; twine sends the file last", p.FormName())
		}
		fields = append(fields, [2]string{p.FormName(), string(b)})
	}
}

func TestNpmUploadRequest(t *testing.T) {
	tests := []struct {
		name   string
		opts   func(*UploadOptions)
		tag    string
		access any
	}{
		{name: "defaults", tag: "latest", access: nil},
		{name: "access and dist-tag", opts: func(o *UploadOptions) { o.Access = "public"; o.DistTag = "next" }, tag: "next", access: "public"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := sampleArtifact(t, ArtifactNpm)
			f := newFakeUploads(t, a, samplePkg)
			tok := testToken(KindNpm)
			o := testUploadOptions(nil)
			if tt.opts != nil {
				tt.opts(&o)
			}
			up := mustNewUploader(t, KindNpm, f.srv.URL, samplePkg, o)
			res, err := up.Upload(context.Background(), tok, a, nil)
			if err != nil {
				t.Fatal(err)
			}
			if res.Outcome != Published || res.URL != f.srv.URL+"/hello-releaser" {
				t.Errorf("result = %+v", res)
			}
			u := f.lastUpload()
			checkLength(t, u)
			if u.method != "PUT" || u.path != "/hello-releaser" {
				t.Errorf("%s %s, want PUT /hello-releaser", u.method, u.path)
			}
			if got := u.header.Get("Authorization"); got != "Bearer "+tok.Value {
				t.Errorf("Authorization = %q", got)
			}
			if got := u.header.Get("Content-Type"); got != "application/json" {
				t.Errorf("Content-Type = %q", got)
			}
			checkNpmDocument(t, u.body, a, "hello-releaser", f.srv.URL, tt.tag, tt.access)
		})
	}
}

// checkNpmDocument decodes the packument delta and compares every key,
// including the base64 tarball's bytes.
func checkNpmDocument(t *testing.T, body []byte, a Artifact, name, base, tag string, access any) {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("the body is not JSON: %v", err)
	}
	file, _ := os.ReadFile(a.Path)
	s1 := sha1.Sum(file)
	s512, _ := hex.DecodeString(a.SHA512)
	tarball := name + "-1.2.3.tgz"
	keys := []string{"_attachments", "_id", "description", "dist-tags", "name", "versions"}
	if access != nil {
		keys = append(keys, "access")
	}
	var got []string
	for k := range doc {
		got = append(got, k)
	}
	slices.Sort(got)
	slices.Sort(keys)
	if !slices.Equal(got, keys) {
		t.Errorf("document keys %q, want %q", got, keys)
	}
	if doc["_id"] != name || doc["name"] != name || doc["access"] != access {
		t.Errorf("_id %v, name %v, access %v", doc["_id"], doc["name"], doc["access"])
	}
	if tags, _ := doc["dist-tags"].(map[string]any); len(tags) != 1 || tags[tag] != "1.2.3" {
		t.Errorf("dist-tags = %v", doc["dist-tags"])
	}
	versions, _ := doc["versions"].(map[string]any)
	v, _ := versions["1.2.3"].(map[string]any)
	if len(versions) != 1 || v == nil {
		t.Fatalf("versions = %v", doc["versions"])
	}
	if v["_id"] != name+"@1.2.3" || v["name"] != name || v["version"] != "1.2.3" {
		t.Errorf("version manifest identity: %v %v %v", v["_id"], v["name"], v["version"])
	}
	dist, _ := v["dist"].(map[string]any)
	wantDist := map[string]any{
		"integrity": "sha512-" + base64.StdEncoding.EncodeToString(s512),
		"shasum":    hex.EncodeToString(s1[:]),
		"tarball":   strings.Replace(base, "https://", "http://", 1) + "/" + name + "/-/" + tarball,
	}
	for k, want := range wantDist {
		if dist[k] != want {
			t.Errorf("dist.%s = %v, want %v", k, dist[k], want)
		}
	}
	atts, _ := doc["_attachments"].(map[string]any)
	att, _ := atts[tarball].(map[string]any)
	if len(atts) != 1 || att == nil {
		t.Fatalf("_attachments = %v", doc["_attachments"])
	}
	if att["content_type"] != "application/octet-stream" || att["length"] != float64(len(file)) {
		t.Errorf("attachment content_type %v length %v", att["content_type"], att["length"])
	}
	data, err := base64.StdEncoding.DecodeString(att["data"].(string))
	if err != nil || !bytes.Equal(data, file) {
		t.Errorf("attachment data does not decode to the tarball (%v)", err)
	}
}

func TestNpmUploadScopedName(t *testing.T) {
	dir := t.TempDir()
	path := writeNpmTarball(t, dir, "octo-demo-1.2.3.tgz", `{"name":"@octo/demo","version":"1.2.3","description":"<scoped> & \"quoted\""}`)
	a := artifactAt(t, path, ArtifactNpm)
	f := newFakeUploads(t, a, "@octo/demo")
	o := testUploadOptions(nil)
	o.Access = "restricted"
	up := mustNewUploader(t, KindNpm, f.srv.URL, "@octo/demo", o)
	if _, err := up.Upload(context.Background(), testToken(KindNpm), a, nil); err != nil {
		t.Fatal(err)
	}
	u := f.lastUpload()
	if u.path != "/@octo%2fdemo" {
		t.Errorf("path %s, want /@octo%%2fdemo", u.path)
	}
	checkLength(t, u)
	checkNpmDocument(t, u.body, a, "@octo/demo", f.srv.URL, "latest", "restricted")
	var doc struct{ Description string }
	_ = json.Unmarshal(u.body, &doc)
	if doc.Description != `<scoped> & "quoted"` {
		t.Errorf("description = %q", doc.Description)
	}
}

func TestCratesUploadRequest(t *testing.T) {
	a := sampleArtifact(t, ArtifactCrate)
	f := newFakeUploads(t, a, samplePkg)
	tok := testToken(KindCrates)
	up := mustNewUploader(t, KindCrates, f.srv.URL, samplePkg, testUploadOptions(nil))
	res, err := up.Upload(context.Background(), tok, a, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != Published || res.URL != f.srv.URL+"/crates/hello-releaser/1.2.3" {
		t.Errorf("result = %+v", res)
	}
	u := f.lastUpload()
	checkLength(t, u)
	if u.method != "PUT" || u.path != "/api/v1/crates/new" {
		t.Errorf("%s %s, want PUT /api/v1/crates/new", u.method, u.path)
	}
	if got := u.header.Get("Authorization"); got != tok.Value {
		t.Errorf("Authorization = %q, want the raw token", got)
	}
	b := u.body
	if len(b) < 8 {
		t.Fatalf("body of %d bytes", len(b))
	}
	jsonLen := binary.LittleEndian.Uint32(b)
	if int(jsonLen)+8 > len(b) {
		t.Fatalf("JSON length prefix %d overruns the body of %d bytes", jsonLen, len(b))
	}
	meta := b[4 : 4+jsonLen]
	crateLen := binary.LittleEndian.Uint32(b[4+jsonLen:])
	crate := b[8+jsonLen:]
	file, _ := os.ReadFile(a.Path)
	if int(crateLen) != len(file) || !bytes.Equal(crate, file) {
		t.Errorf("crate length prefix %d, %d bytes follow; the file has %d", crateLen, len(crate), len(file))
	}
	var nc map[string]any
	if err := json.Unmarshal(meta, &nc); err != nil {
		t.Fatalf("metadata is not JSON: %v", err)
	}
	readme, _ := os.ReadFile("../../testdata/example/rust/README.md")
	want := map[string]any{
		"name": "hello-releaser", "vers": "1.2.3", "readme": string(readme), "readme_file": "README.md",
		"license": "MIT", "repository": "https://github.com/releaserhq/releaser",
		"description":   "A tiny greeting library, released by releaser's example workflow.",
		"documentation": nil, "homepage": nil, "license_file": nil, "links": nil, "rust_version": nil,
	}
	for k, v := range want {
		if nc[k] != v {
			t.Errorf("%s = %#v, want %#v", k, nc[k], v)
		}
	}
	for _, k := range []string{"deps", "authors", "keywords", "categories"} {
		if l, ok := nc[k].([]any); !ok || len(l) != 0 {
			t.Errorf("%s = %#v, want []", k, nc[k])
		}
	}
	for _, k := range []string{"features", "badges"} {
		if m, ok := nc[k].(map[string]any); !ok || len(m) != 0 {
			t.Errorf("%s = %#v, want {}", k, nc[k])
		}
	}
}

func TestRubyGemsUploadRequest(t *testing.T) {
	a := sampleArtifact(t, ArtifactGem)
	f := newFakeUploads(t, a, samplePkg)
	tok := testToken(KindRubyGems)
	up := mustNewUploader(t, KindRubyGems, f.srv.URL, samplePkg, testUploadOptions(nil))
	res, err := up.Upload(context.Background(), tok, a, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != Published || res.URL != f.srv.URL+"/gems/hello-releaser/versions/1.2.3" {
		t.Errorf("result = %+v", res)
	}
	u := f.lastUpload()
	checkLength(t, u)
	if u.method != "POST" || u.path != "/api/v1/gems" {
		t.Errorf("%s %s, want POST /api/v1/gems", u.method, u.path)
	}
	if got := u.header.Get("Authorization"); got != tok.Value {
		t.Errorf("Authorization = %q, want the key with no scheme", got)
	}
	if got := u.header.Get("Content-Type"); got != "application/octet-stream" {
		t.Errorf("Content-Type = %q", got)
	}
	file, _ := os.ReadFile(a.Path)
	if !bytes.Equal(u.body, file) {
		t.Error("the body is not the .gem")
	}
}
