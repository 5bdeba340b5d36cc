package registry

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/blake2b"

	"github.com/releaserhq/releaser/internal/sample"
)

const (
	sampleVersion = "1.2.3"
	samplePkg     = "hello-releaser"
	// uploadCanary is in every upload token the tests use, so a leak is
	// easy to spot.
	uploadCanary = "CANARYUPLOAD"
)

// sampleFiles are the example's artifacts by kind, as internal/sample
// names them.
var sampleFiles = map[string]string{
	ArtifactWheel: "hello_releaser-1.2.3-py3-none-any.whl",
	ArtifactSdist: "hello_releaser-1.2.3.tar.gz",
	ArtifactNpm:   "hello-releaser-1.2.3.tgz",
	ArtifactCrate: "hello-releaser-1.2.3.crate",
	ArtifactGem:   "hello-releaser-1.2.3.gem",
}

// registryOf is the registry kind that takes an artifact kind.
var registryOf = map[string]string{
	ArtifactWheel: KindPyPI,
	ArtifactSdist: KindPyPI,
	ArtifactNpm:   KindNpm,
	ArtifactCrate: KindCrates,
	ArtifactGem:   KindRubyGems,
}

// uploadKinds are the artifact kinds under test, one per table row.
var uploadKinds = []string{ArtifactWheel, ArtifactSdist, ArtifactNpm, ArtifactCrate, ArtifactGem}

// buildSamples builds the example's real artifacts into a fresh directory.
func buildSamples(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if _, err := sample.Build(sample.Options{SrcDir: "../../testdata/example", OutDir: dir, Epoch: 1700000000}); err != nil {
		t.Fatalf("building the sample artifacts: %v", err)
	}
	return dir
}

// sampleArtifact builds the samples and describes one of them as the
// manifest would.
func sampleArtifact(t *testing.T, kind string) Artifact {
	t.Helper()
	return artifactAt(t, filepath.Join(buildSamples(t), sampleFiles[kind]), kind)
}

// artifactAt hashes a file as the build stage would.
func artifactAt(t *testing.T, path, kind string) Artifact {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s256 := sha256.Sum256(b)
	s512 := sha512.Sum512(b)
	b2 := blake2b.Sum256(b)
	return Artifact{
		Name: filepath.Base(path), Path: path, Size: int64(len(b)), Kind: kind,
		SHA256: hex.EncodeToString(s256[:]), SHA512: hex.EncodeToString(s512[:]), BLAKE2b256: hex.EncodeToString(b2[:]),
	}
}

func testToken(kind string) *Token {
	v := map[string]string{
		KindPyPI:     "pypi-AgEIcHlwaS5vcmc" + uploadCanary + "0123456789",
		KindNpm:      "npm_" + uploadCanary + "0123456789abcdefghij",
		KindCrates:   "cio_tp_" + uploadCanary + "0123456789abcdefghi",
		KindRubyGems: "rubygems_" + uploadCanary + "0123456789abcdef",
	}[kind]
	return &Token{Registry: kind, Value: v, Expires: time.Now().Add(15 * time.Minute)}
}

func testUploadOptions(l *retryLog) UploadOptions {
	return UploadOptions{Options: testOptions(l), Version: sampleVersion}
}

func mustNewUploader(t *testing.T, kind, base, pkg string, o UploadOptions) Uploader {
	t.Helper()
	up, err := NewUploader(kind, base, pkg, o)
	if err != nil {
		t.Fatalf("NewUploader(%q, %q, %q): %v", kind, base, pkg, err)
	}
	return up
}

// upload is one upload request the fake registry received.
type upload struct {
	method, path string
	header       http.Header
	length       int64 // Content-Length; -1 when the body was chunked
	body         []byte
}

// fakeUploads is a registry with an upload endpoint and a lookup
// endpoint in its wire format. Uploads follow a script of actions; the
// lookup answers from what is stored.
type fakeUploads struct {
	t    *testing.T
	kind string // registry kind
	art  Artifact
	pkg  string
	srv  *httptest.Server

	mu       sync.Mutex
	stored   string   // digest (per the lookup's kind) of what the registry has; "" = nothing
	script   []string // actions for successive uploads, the last repeating; empty = "ok"
	lookupBy []string // actions for successive lookups, the last repeating; empty = "ok"
	uploads  []upload
	lookups  int
	landed   int
	// extraFiles lets a PyPI lookup list other files of the release.
	extraFiles []pypiFileJSON
}

type pypiFileJSON struct {
	Filename    string            `json:"filename"`
	PackageType string            `json:"packagetype"`
	Digests     map[string]string `json:"digests"`
}

func newFakeUploads(t *testing.T, a Artifact, pkg string) *fakeUploads {
	t.Helper()
	f := &fakeUploads{t: t, kind: registryOf[a.Kind], art: a, pkg: pkg}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// ours is the digest the registry reports for this artifact.
func (f *fakeUploads) ours() string {
	switch f.kind {
	case KindNpm:
		sri, _ := integrity(f.art.SHA512)
		return sri
	}
	return f.art.SHA256
}

// otherDigest is what a registry reports for a different file.
func (f *fakeUploads) otherDigest() string {
	if f.kind == KindNpm {
		sri, _ := integrity(strings.Repeat("ab", 64))
		return sri
	}
	return strings.Repeat("ab", 32)
}

func (f *fakeUploads) setStored(d string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.stored = d
}

func (f *fakeUploads) counts() (uploads, lookups, landed int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.uploads), f.lookups, f.landed
}

func (f *fakeUploads) lastUpload() upload {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.uploads) == 0 {
		f.t.Fatal("no upload received")
	}
	return f.uploads[len(f.uploads)-1]
}

func (f *fakeUploads) isUpload(r *http.Request) bool {
	switch f.kind {
	case KindPyPI, KindTestPyPI:
		return r.Method == http.MethodPost && r.URL.Path == "/legacy/"
	case KindNpm:
		return r.Method == http.MethodPut
	case KindCrates:
		return r.Method == http.MethodPut && r.URL.Path == "/api/v1/crates/new"
	}
	return r.Method == http.MethodPost && r.URL.Path == "/api/v1/gems"
}

func (f *fakeUploads) serve(w http.ResponseWriter, r *http.Request) {
	if f.isUpload(r) {
		f.serveUpload(w, r)
		return
	}
	if r.Method != http.MethodGet {
		http.Error(w, "unexpected "+r.Method+" "+r.URL.Path, http.StatusTeapot)
		return
	}
	f.mu.Lock()
	f.lookups++
	action := pick(f.lookupBy, f.lookups)
	stored := f.stored
	extra := f.extraFiles
	f.mu.Unlock()
	switch action {
	case "ok":
	case "echo":
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprintf(w, `{"error":"overloaded; you sent %s"}`, r.Header.Get("Authorization"))
		return
	default:
		w.WriteHeader(atoi(action))
		return
	}
	f.serveLookup(w, r, stored, extra)
}

func pick(script []string, n int) string {
	switch {
	case len(script) == 0:
		return "ok"
	case n <= len(script):
		return script[n-1]
	}
	return script[len(script)-1]
}

func atoi(s string) int {
	var n int
	fmt.Sscanf(s, "%d", &n)
	return n
}

func (f *fakeUploads) serveUpload(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	action := pick(f.script, len(f.uploads)+1)
	f.mu.Unlock()
	if action == "reset-mid-body" {
		// Read a little, then drop the connection without an answer.
		_, _ = io.CopyN(io.Discard, r.Body, 16)
		f.record(r, nil)
		hijackClose(f.t, w)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		f.t.Errorf("reading the upload body: %v", err)
	}
	f.record(r, body)
	store := func() {
		f.mu.Lock()
		f.stored = f.ours()
		f.landed++
		f.mu.Unlock()
	}
	switch action {
	case "ok":
		store()
		f.success(w)
	case "stored-500":
		store()
		w.WriteHeader(http.StatusInternalServerError)
	case "lost":
		// Landed, but the answer never arrives.
		store()
		hijackClose(f.t, w)
	case "429":
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusTooManyRequests)
	case "dup", "dup409":
		f.duplicate(w, action == "dup409")
	case "echo":
		// A careless registry quoting the credential back.
		auth := r.Header.Get("Authorization")
		rawStatus(f.t, w, "400 Bad credential "+auth, "text/plain", "you sent "+auth)
	case "echo503":
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintf(w, `{"error":"overloaded; you sent %s"}`, r.Header.Get("Authorization"))
	default:
		w.WriteHeader(atoi(action))
		_, _ = io.WriteString(w, `{"error":"scripted failure"}`)
	}
}

func (f *fakeUploads) record(r *http.Request, body []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	length := r.ContentLength
	if len(r.TransferEncoding) > 0 {
		length = -1
	}
	f.uploads = append(f.uploads, upload{method: r.Method, path: r.URL.EscapedPath(), header: r.Header.Clone(), length: length, body: body})
}

func (f *fakeUploads) success(w http.ResponseWriter) {
	switch f.kind {
	case KindNpm:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `{"ok":"created new package"}`)
	case KindCrates:
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"warnings":{"invalid_categories":[],"invalid_badges":[],"other":[]}}`)
	case KindRubyGems:
		_, _ = io.WriteString(w, "Successfully registered gem: hello-releaser (1.2.3)")
	default:
		w.WriteHeader(http.StatusOK)
	}
}

// duplicate answers as each registry does when the version exists
// (reference §3.4, §4.3, §5.3, §6.3).
func (f *fakeUploads) duplicate(w http.ResponseWriter, verdaccio bool) {
	switch f.kind {
	case KindNpm:
		w.Header().Set("Content-Type", "application/json")
		if verdaccio {
			w.WriteHeader(http.StatusConflict)
			_, _ = io.WriteString(w, `{"error":"this package is already present"}`)
			return
		}
		w.WriteHeader(http.StatusForbidden)
		_, _ = io.WriteString(w, `{"error":"You cannot publish over the previously published versions: 1.2.3."}`)
	case KindCrates:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, "{\"errors\":[{\"detail\":\"crate version `1.2.3` is already uploaded\"}]}")
	case KindRubyGems:
		w.WriteHeader(http.StatusConflict)
		_, _ = io.WriteString(w, "Repushing of gem versions is not allowed.\nPlease bump the version number and push a new different release.\nSee also `gem yank` if you want to unpublish the bad release.")
	default:
		rawStatus(f.t, w, fmt.Sprintf("400 File already exists ('%s', with blake2_256 hash '%s'). See https://pypi.org/help/#file-name-reuse for more information.", f.art.Name, strings.Repeat("cd", 32)),
			"text/html", "<html><title>400 File already exists</title><body>File already exists</body></html>")
	}
}

func (f *fakeUploads) serveLookup(w http.ResponseWriter, r *http.Request, stored string, extra []pypiFileJSON) {
	w.Header().Set("Content-Type", "application/json")
	notFound := func() {
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"message":"Not Found"}`)
	}
	switch f.kind {
	case KindPyPI, KindTestPyPI:
		if r.URL.Path != "/pypi/"+f.pkg+"/"+sampleVersion+"/json" {
			f.t.Errorf("PyPI lookup at %s", r.URL.Path)
		}
		files := append([]pypiFileJSON(nil), extra...)
		if stored != "" {
			blake := f.art.BLAKE2b256
			if stored != f.art.SHA256 {
				blake = strings.Repeat("ef", 32)
			}
			files = append(files, pypiFileJSON{Filename: f.art.Name, PackageType: map[string]string{ArtifactWheel: "bdist_wheel", ArtifactSdist: "sdist"}[f.art.Kind],
				Digests: map[string]string{"sha256": stored, "blake2b_256": blake, "md5": strings.Repeat("0", 32)}})
		}
		if len(files) == 0 {
			notFound()
			return
		}
		// A big info object first, as PyPI's carries the description.
		fmt.Fprintf(w, `{"info":{"name":%q,"description":%q},"last_serial":1,"urls":`, f.pkg, strings.Repeat("long text ", 1000))
		writeJSON(f.t, w, files)
		_, _ = io.WriteString(w, `,"vulnerabilities":[]}`)
	case KindNpm:
		if stored == "" {
			notFound()
			return
		}
		fmt.Fprintf(w, `{"name":%q,"dist-tags":{"latest":"1.2.3"},"versions":{"1.0.0":{"dist":{"integrity":"sha512-old","shasum":"00"}},"1.2.3":{"name":%q,"dist":{"integrity":%q,"shasum":"ignored","tarball":"x"}}},"modified":"2026-01-01"}`,
			f.pkg, f.pkg, stored)
	case KindCrates:
		if r.URL.Path != "/api/v1/crates/"+f.pkg+"/"+sampleVersion || stored == "" {
			notFound()
			return
		}
		fmt.Fprintf(w, `{"version":{"crate":%q,"num":"1.2.3","checksum":%q,"yanked":false}}`, f.pkg, stored)
	case KindRubyGems:
		if r.URL.Path != "/api/v1/versions/"+f.pkg+".json" || stored == "" {
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, "This rubygem could not be found.")
			return
		}
		fmt.Fprintf(w, `[{"number":"2.0.0","platform":"ruby","sha":"00"},{"number":"1.2.3","platform":"java","sha":"11"},{"number":"1.2.3","platform":"ruby","sha":%q}]`, stored)
	}
}

func writeJSON(t *testing.T, w io.Writer, v any) {
	t.Helper()
	b, err := marshalNoEscape(v)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = w.Write(b)
}

// hijackClose drops the connection without an answer.
func hijackClose(t *testing.T, w http.ResponseWriter) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		t.Errorf("hijack: %v", err)
		return
	}
	conn.Close()
}

// rawStatus writes a response with a custom reason phrase, as warehouse
// does ("400 File already exists (…)"); net/http only writes the standard
// ones.
func rawStatus(t *testing.T, w http.ResponseWriter, status, contentType, body string) {
	conn, buf, err := w.(http.Hijacker).Hijack()
	if err != nil {
		t.Errorf("hijack: %v", err)
		return
	}
	defer conn.Close()
	bw := bufio.NewWriter(conn)
	fmt.Fprintf(bw, "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", status, contentType, len(body), body)
	_ = bw.Flush()
	_ = buf
}

func asUploadError(t *testing.T, err error) *UploadError {
	t.Helper()
	ue, ok := err.(*UploadError)
	if !ok {
		t.Fatalf("error %v (%T) is not an *UploadError", err, err)
	}
	return ue
}

// assertNoUploadSecret fails if the canary shows up in any text an error
// or retry report carries.
func assertNoUploadSecret(t *testing.T, err error, infos []RetryInfo, secrets ...string) {
	t.Helper()
	texts := []string{}
	if err != nil {
		texts = append(texts, err.Error())
		if ue, ok := err.(*UploadError); ok {
			texts = append(texts, ue.Message, ue.Fix)
		}
	}
	for _, i := range infos {
		texts = append(texts, i.Reason)
	}
	for _, txt := range texts {
		for _, s := range append(secrets, uploadCanary) {
			if s != "" && strings.Contains(txt, s) {
				t.Errorf("secret %q leaked into %q", s, txt)
			}
		}
	}
}

// writeNpmTarball writes a minimal npm tarball with the given package.json.
func writeNpmTarball(t *testing.T, dir, name, packageJSON string) string {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, m := range []struct{ name, data string }{{"package/package.json", packageJSON}, {"package/index.js", "module.exports = 1\n"}} {
		if err := tw.WriteHeader(&tar.Header{Name: m.name, Mode: 0o644, Size: int64(len(m.data)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(tw, m.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func newSHA1() hash.Hash { return sha1.New() }

func hexSum(h hash.Hash) string { return hex.EncodeToString(h.Sum(nil)) }

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}
