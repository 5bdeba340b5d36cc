//go:build releaserbench

package benchkit

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/releaserhq/releaser/internal/testenv"
)

// The plain clients below move the same bytes to the same emulators as a
// releaser run does, with nothing around them: no digests, no lookups, no
// token exchange. Their time is the floor a client can reach against these
// emulators on this machine; bench/RESULTS.md subtracts it from releaser's
// wall time to get the pipeline's overhead beyond its uploads.

// MintPyPI exchanges an ID token from is for an upload token at reg.
func MintPyPI(t testing.TB, is *testenv.OIDCIssuer, reg *testenv.PyPI) string {
	t.Helper()
	resp, err := reg.Client().Post(reg.URL()+"/_/oidc/mint-token", "application/json",
		strings.NewReader(`{"token":"`+is.Mint("pypi", nil)+`"}`))
	Must(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	m := regexp.MustCompile(`"token":"([^"]+)"`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("mint-token: %s", b)
	}
	return string(m[1])
}

// ReplayPyPI uploads each file again, from dir, with the form fields it was
// first uploaded with (sent), to reg; it returns the seconds the requests
// took, from the first request's start to the last answer.
func ReplayPyPI(t testing.TB, reg *testenv.PyPI, token, dir string, sent []testenv.PyPIFile) float64 {
	t.Helper()
	start := time.Now()
	for _, f := range sent {
		var head bytes.Buffer
		mw := multipart.NewWriter(&head)
		keys := make([]string, 0, len(f.Form))
		for k := range f.Form {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			for _, v := range f.Form[k] {
				Must(t, mw.WriteField(k, v))
			}
		}
		_, err := mw.CreateFormFile("content", f.Filename)
		Must(t, err)
		tail := "\r\n--" + mw.Boundary() + "--\r\n"
		path := filepath.Join(dir, f.Filename)
		body, size := fileBody(t, path, head.Bytes(), []byte(tail))
		req, err := http.NewRequest(http.MethodPost, reg.URL()+"/legacy/", body)
		Must(t, err)
		req.ContentLength = size
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.SetBasicAuth("__token__", token)
		send(t, reg.Client(), req, http.StatusOK, f.Filename)
	}
	return time.Since(start).Seconds()
}

// UploadAssets creates a draft release tag on gh's owner/repo and uploads
// every path to it as GitHub's REST API takes an asset; it returns the
// seconds the asset uploads took.
func UploadAssets(t testing.TB, gh *testenv.GitHub, owner, repo, tag string, paths []string) float64 {
	t.Helper()
	id := gh.AddRelease(owner, repo, tag, true)
	start := time.Now()
	for _, p := range paths {
		body, size := fileBody(t, p, nil, nil)
		u := fmt.Sprintf("%srepos/%s/%s/releases/%d/assets?name=%s", gh.UploadURL(), owner, repo, id, url.QueryEscape(filepath.Base(p)))
		req, err := http.NewRequest(http.MethodPost, u, body)
		Must(t, err)
		req.ContentLength = size
		req.Header.Set("Content-Type", "application/octet-stream")
		req.Header.Set("Authorization", "Bearer "+gh.Token())
		req.Header.Set("User-Agent", "releaser-bench")
		send(t, gh.Client(), req, http.StatusCreated, filepath.Base(p))
	}
	return time.Since(start).Seconds()
}

// fileBody streams head, the file, tail; the size is known up front, as
// releaser sends it.
func fileBody(t testing.TB, path string, head, tail []byte) (io.Reader, int64) {
	t.Helper()
	f, err := os.Open(path)
	Must(t, err)
	t.Cleanup(func() { f.Close() })
	fi, err := f.Stat()
	Must(t, err)
	return io.MultiReader(bytes.NewReader(head), f, bytes.NewReader(tail)), int64(len(head)) + fi.Size() + int64(len(tail))
}

func send(t testing.TB, c *http.Client, req *http.Request, want int, what string) {
	t.Helper()
	resp, err := c.Do(req)
	Must(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != want {
		t.Fatalf("plain upload of %s: %s\n%.2000s", what, resp.Status, b)
	}
}
