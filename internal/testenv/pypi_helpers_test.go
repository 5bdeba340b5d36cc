package testenv

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"os"
	"strings"
	"testing"

	"golang.org/x/crypto/blake2b"
)

// mintPyPIToken exchanges a fresh ID token at reg and returns the API token.
func mintPyPIToken(t *testing.T, is *OIDCIssuer, reg *PyPI) string {
	t.Helper()
	r := postJSON(t, reg.URL()+"/_/oidc/mint-token", map[string]string{"token": is.Mint(reg.Audience(), nil)}, nil)
	if r.status != http.StatusOK {
		t.Fatalf("mint-token: %d %s", r.status, r.text())
	}
	tok, _ := r.object(t)["token"].(string)
	return tok
}

// pypiForm is one upload request under construction: fields in order, then the file.
type pypiForm struct {
	fields   [][2]string
	filename string
	ctype    string
	content  []byte
	noFile   bool
}

// formFor is the form twine sends for a sample file, digests included.
func formFor(t *testing.T, path, filename string) *pypiForm {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	filetype, pyversion := "bdist_wheel", "py3"
	if strings.HasSuffix(filename, ".tar.gz") {
		filetype, pyversion = "sdist", "source"
	}
	f := &pypiForm{filename: filename, ctype: "application/octet-stream", content: data}
	f.fields = [][2]string{
		{":action", "file_upload"}, {"protocol_version", "1"},
		{"metadata_version", "2.4"}, {"name", "hello-releaser"}, {"version", "1.2.3"},
		{"filetype", filetype}, {"pyversion", pyversion},
		{"summary", "A tiny greeting library."}, {"license_expression", "MIT"}, {"license_file", "LICENSE"},
		{"classifiers", "Programming Language :: Python :: 3"}, {"classifiers", "Operating System :: OS Independent"},
		{"requires_python", ">=3.9"}, {"description", "# hello-releaser\n"}, {"description_content_type", "text/markdown"},
		{"project_urls", "Homepage, https://github.com/releaserhq/releaser"},
	}
	f.setDigests()
	return f
}

// setDigests (re)computes the three digests of the content.
func (f *pypiForm) setDigests() {
	m, s, b := md5.Sum(f.content), sha256.Sum256(f.content), blake2b.Sum256(f.content)
	f.set("md5_digest", hex.EncodeToString(m[:]))
	f.set("sha256_digest", hex.EncodeToString(s[:]))
	f.set("blake2_256_digest", hex.EncodeToString(b[:]))
}

// set replaces every value of key with v ("" removes the field).
func (f *pypiForm) set(key, v string) *pypiForm {
	var kept [][2]string
	for _, kv := range f.fields {
		if kv[0] != key {
			kept = append(kept, kv)
		}
	}
	if v != "" {
		kept = append(kept, [2]string{key, v})
	}
	f.fields = kept
	return f
}

// body encodes the form as multipart/form-data.
func (f *pypiForm) body(t *testing.T) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, kv := range f.fields {
		if err := mw.WriteField(kv[0], kv[1]); err != nil {
			t.Fatal(err)
		}
	}
	if !f.noFile {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="content"; filename=%q`, f.filename))
		if f.ctype != "" {
			h.Set("Content-Type", f.ctype)
		}
		w, err := mw.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write(f.content)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return mw.FormDataContentType(), buf.Bytes()
}

// rawResponse is an answer read off the wire, reason phrase included (net/http's
// client keeps it in Response.Status).
type rawResponse struct {
	status int
	reason string
	header http.Header
	body   []byte
}

// upload posts the form to path with the given Authorization header ("" sends none).
func (f *pypiForm) upload(t *testing.T, base, path, auth string) rawResponse {
	t.Helper()
	ctype, body := f.body(t)
	return pypiPost(t, base+path, ctype, body, auth)
}

func pypiPost(t *testing.T, url, ctype string, body []byte, auth string) rawResponse {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("User-Agent", testUA)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	_, reason, _ := strings.Cut(resp.Status, " ")
	return rawResponse{status: resp.StatusCode, reason: reason, header: resp.Header, body: b}
}

// basic is the Authorization header twine sends for an API token.
func basic(token string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte("__token__:"+token))
}
