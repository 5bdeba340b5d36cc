package registry

import (
	"bytes"
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/blake2b"

	"github.com/releaserhq/releaser/internal/sample"
)

// The registries' answers releaser decodes: the read APIs a Lookup asks
// (PyPI's JSON API, npm's packument, crates.io's version, RubyGems'
// versions list) and the token exchanges. The fuzzed bytes are served by a
// transport that never touches the network.

// fixedAnswer answers every request with one status and body.
type fixedAnswer struct {
	status int
	body   []byte
}

func (a fixedAnswer) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	return &http.Response{
		StatusCode: a.status,
		Header:     http.Header{"Content-Type": {"application/json"}},
		Body:       io.NopCloser(bytes.NewReader(a.body)),
		Request:    r,
	}, nil
}

// fuzzStatuses keeps retried answers few and their waits to milliseconds.
var fuzzStatuses = []int{200, 200, 404, 403, 400, 500}

func fuzzOptions(a fixedAnswer) Options {
	return Options{
		HTTPClient:   &http.Client{Transport: a, Timeout: 5 * time.Second},
		UserAgent:    testUserAgent,
		RetryMax:     1,
		RetryWaitMin: time.Millisecond,
		RetryWaitMax: time.Millisecond,
	}
}

// fuzzArtifacts builds the example's real artifacts once (RubyGems' lookup
// reads the .gem, npm's falls back to hashing the tarball).
func fuzzArtifacts(f *testing.F) map[string]Artifact {
	dir := f.TempDir()
	if _, err := sample.Build(sample.Options{SrcDir: "../../testdata/example", OutDir: dir, Epoch: 1700000000}); err != nil {
		f.Fatalf("building the sample artifacts: %v", err)
	}
	out := map[string]Artifact{}
	for kind, name := range sampleFiles {
		path := filepath.Join(dir, name)
		b, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		s256, s512, b2 := sha256.Sum256(b), sha512.Sum512(b), blake2b.Sum256(b)
		out[kind] = Artifact{Name: name, Path: path, Size: int64(len(b)), Kind: kind,
			SHA256: hex.EncodeToString(s256[:]), SHA512: hex.EncodeToString(s512[:]), BLAKE2b256: hex.EncodeToString(b2[:])}
	}
	return out
}

// ourDigests are the spellings of an artifact's digest an answer must hold
// for the lookup to call it the same file.
func ourDigests(t *testing.T, a Artifact) []string {
	s512, _ := hex.DecodeString(a.SHA512)
	b, err := os.ReadFile(a.Path)
	if err != nil {
		t.Fatal(err)
	}
	s1 := sha1.Sum(b)
	return []string{a.SHA256, "sha512-" + base64.StdEncoding.EncodeToString(s512), hex.EncodeToString(s1[:])}
}

// FuzzLookupAnswer: no answer makes a lookup panic; "the same file" is
// claimed only when the answer holds this artifact's digest; a refusal is
// never empty and never holds the npm token sent along.
func FuzzLookupAnswer(f *testing.F) {
	arts := fuzzArtifacts(f)
	w, n, c, g := arts[ArtifactWheel], arts[ArtifactNpm], arts[ArtifactCrate], arts[ArtifactGem]
	s512, _ := hex.DecodeString(n.SHA512)
	integrity := "sha512-" + base64.StdEncoding.EncodeToString(s512)
	seeds := []struct {
		kind string
		body string
	}{
		{ArtifactWheel, `{"info":{"name":"hello-releaser"},"urls":[{"filename":"` + w.Name + `","packagetype":"bdist_wheel","digests":{"sha256":"` + w.SHA256 + `","blake2b_256":"` + w.BLAKE2b256 + `"}}],"vulnerabilities":[]}`},
		{ArtifactSdist, `{"urls":[{"filename":"other-1.2.3.zip","packagetype":"sdist","digests":{"sha256":"00"}}]}`},
		{ArtifactNpm, `{"name":"hello-releaser","dist-tags":{"latest":"1.2.3"},"versions":{"1.0.0":{},"1.2.3":{"dist":{"integrity":"sha1-x ` + integrity + `?opt","shasum":"00"}}}}`},
		{ArtifactNpm, `{"versions":{"1.2.3":{"dist":{"shasum":"` + strings.Repeat("0", 40) + `"}}},"x":"` + uploadCanary + `"}`},
		{ArtifactCrate, `{"version":{"num":"1.2.3","checksum":"` + strings.ToUpper(c.SHA256) + `"}}`},
		{ArtifactGem, `[{"number":"1.2.3","platform":"ruby","sha":"` + g.SHA256 + `"},{"number":"1.2.3","platform":"java","sha":"00"}]`},
		{ArtifactGem, `{"error":"This rubygem could not be found."}`},
	}
	for _, s := range seeds {
		f.Add(s.kind, 0, []byte(s.body))
	}
	f.Add(ArtifactNpm, 2, []byte(`{"error":"not found"}`))
	f.Add(ArtifactWheel, 5, []byte(`{"message":"`+uploadCanary+`"}`))
	f.Fuzz(func(t *testing.T, kind string, which int, body []byte) {
		a, ok := arts[kind]
		if !ok {
			return
		}
		answer := fixedAnswer{status: fuzzStatuses[uint(which)%uint(len(fuzzStatuses))], body: body}
		up, err := NewUploader(registryOf[kind], "https://registry.example", samplePkg, UploadOptions{Options: fuzzOptions(answer), Version: sampleVersion})
		if err != nil {
			t.Fatal(err)
		}
		tok := &Token{Registry: KindNpm, Value: uploadCanary + "-npm-token", Expires: time.Now().Add(time.Hour)}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		r, err := up.Lookup(ctx, tok, a)
		if err != nil {
			if msg := err.Error(); msg == "" || strings.Contains(msg, tok.Value) {
				t.Fatalf("refusal %q", msg)
			}
			return
		}
		switch r.State {
		case Absent, Different:
		case Same:
			if !holdsAny(body, ourDigests(t, a)) {
				t.Fatalf("%s lookup says the same file, but the answer %q holds none of its digests", kind, body)
			}
		default:
			t.Fatalf("state %v", r.State)
		}
	})
}

// holdsAny reports whether the answer holds one of the digests, literally
// or once its JSON escapes are undone.
func holdsAny(body []byte, digests []string) bool {
	texts := []string{strings.ToLower(string(body))}
	var v any
	if json.NewDecoder(bytes.NewReader(body)).Decode(&v) == nil {
		if b, err := json.Marshal(v); err == nil {
			texts = append(texts, strings.ToLower(string(b)))
		}
	}
	for _, text := range texts {
		for _, d := range digests {
			if strings.Contains(text, strings.ToLower(d)) {
				return true
			}
		}
	}
	return false
}

// FuzzExchangeAnswer: whatever a registry answers a token exchange with, a
// token comes back only when it is usable in a header and hidden by
// String, and no error ever holds the ID token that was sent.
func FuzzExchangeAnswer(f *testing.F) {
	jwt := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"RS256","kid":"k"}`)) + "." +
		base64.RawURLEncoding.EncodeToString([]byte(`{"aud":"pypi","jti":"`+uploadCanary+`"}`)) + ".c2lnbmF0dXJl"
	seeds := []struct {
		kind string
		body string
	}{
		{KindPyPI, `{"success":true,"token":"pypi-AgEIcHlwaS5vcmc","expires":1900000000}`},
		{KindPyPI, `{"success":false,"token":"pypi-x"}`},
		{KindPyPI, `{"message":"Token request failed","errors":[{"code":"invalid-publisher","description":"` + jwt + `"}]}`},
		{KindNpm, `{"token":"npm_abcdefghijklmnop"}`},
		{KindCrates, `{"token":"cio_abcdefghijklmnop"}`},
		{KindRubyGems, `{"rubygems_api_key":"rubygems_abcdef","name":"x","scopes":["push_rubygem"],"expires_at":"2030-01-01T00:00:00Z"}`},
		{KindRubyGems, `{"error":"` + jwt + `"}`},
	}
	for _, s := range seeds {
		f.Add(s.kind, 0, []byte(s.body))
	}
	f.Add(KindCrates, 4, []byte(`{"errors":[{"detail":"JWT has already been used"}]}`))
	f.Fuzz(func(t *testing.T, kind string, which int, body []byte) {
		if _, ok := defaultBaseURLs[kind]; !ok {
			return
		}
		answer := fixedAnswer{status: fuzzStatuses[uint(which)%uint(len(fuzzStatuses))], body: body}
		ex, err := New(kind, "https://registry.example", samplePkg, fuzzOptions(answer))
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		tok, err := ex.Exchange(ctx, func(context.Context) (string, error) { return jwt, nil })
		if err != nil {
			// Its segments alone are no credential (the claims are in the
			// audit log anyway); the whole token is.
			if msg := err.Error(); msg == "" || strings.Contains(msg, jwt) {
				t.Fatalf("refusal %q", msg)
			}
			return
		}
		if ok, why := validTokenValue(tok.Value); !ok || tok.Registry != kind {
			t.Fatalf("token for %s from %q: %s", tok.Registry, body, why)
		}
		if len(tok.Value) >= 8 && strings.Contains(tok.String(), tok.Value) {
			t.Fatalf("String() shows the token: %s", tok.String())
		}
	})
}

// FuzzAttestationPayloads: the attestations an upload carries (releaser's
// own bundles and PEP 740 objects, read back from the state directory) are
// sent as the JSON the registries read: PyPI's form field is an array of
// exactly those objects, npm's attachment is the compact bundle with its
// true length.
func FuzzAttestationPayloads(f *testing.F) {
	f.Add([]byte(`{"version":1,"verification_material":{"certificate":"MII="},"envelope":{"statement":"e30=","signature":"c2ln"}}`), []byte(`{ "version" : 1 }`))
	f.Add([]byte(`{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","dsseEnvelope":{}}`), []byte(``))
	f.Add([]byte(`{} {}`), []byte(`[1]`))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		atts := [][]byte{a}
		if len(b) > 0 {
			atts = append(atts, b)
		}
		if field, err := pypiAttestations(atts); err == nil {
			var arr []json.RawMessage
			if json.Unmarshal([]byte(field), &arr) != nil || len(arr) != len(atts) {
				t.Fatalf("field %q for %d attestations", field, len(atts))
			}
			for i, raw := range arr {
				var want bytes.Buffer
				if json.Compact(&want, atts[i]) != nil || !bytes.Equal(raw, want.Bytes()) || raw[0] != '{' {
					t.Fatalf("attestation %d sent as %s", i, raw)
				}
			}
		}
		p, err := npmProvenanceAttachment([][]byte{a})
		if err != nil || p == nil {
			return
		}
		var head struct {
			MediaType string `json:"mediaType"`
		}
		if p.Length != len(p.Data) || json.Unmarshal([]byte(p.Data), &head) != nil || head.MediaType != p.ContentType || p.ContentType == "" {
			t.Fatalf("attachment %+v", p)
		}
	})
}
