package testenv

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// ghResp is what a GitHub emulator test sees of an answer.
type ghResp struct {
	status int
	header http.Header
	body   []byte
}

// ghNoRedirect does not follow redirects, so tests see GitHub's 302s.
var ghNoRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// ghCall sends one request. auth "" sends the emulator's token as Bearer; "-" sends no
// Authorization; anything else is sent as the header's value.
func ghCall(t *testing.T, g *GitHub, method, url, auth string, body []byte, header map[string]string) ghResp {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatalf("new request: %v", err)
	}
	req.Header.Set("User-Agent", testUA)
	switch auth {
	case "":
		req.Header.Set("Authorization", "Bearer "+g.Token())
	case "-":
	default:
		req.Header.Set("Authorization", auth)
	}
	for k, v := range header {
		req.Header[k] = []string{v}
	}
	resp, err := ghNoRedirect.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read %s %s: %v", method, url, err)
	}
	return ghResp{resp.StatusCode, resp.Header, b}
}

func (r ghResp) want(t *testing.T, status int) ghResp {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body %s", r.status, status, r.body)
	}
	return r
}

// wantBody fails unless the body is JSON equal to want.
func (r ghResp) wantBody(t *testing.T, status int, want string) {
	t.Helper()
	r.want(t, status)
	var got, exp any
	if err := json.Unmarshal(r.body, &got); err != nil {
		t.Fatalf("body %q is not JSON: %v", r.body, err)
	}
	if err := json.Unmarshal([]byte(want), &exp); err != nil {
		t.Fatalf("bad expectation: %v", err)
	}
	gb, _ := json.Marshal(got)
	eb, _ := json.Marshal(exp)
	if !bytes.Equal(gb, eb) {
		t.Fatalf("body\n got %s\nwant %s", gb, eb)
	}
}

func (r ghResp) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("body %q: %v", r.body, err)
	}
}

type ghTestRelease struct {
	ID          int64             `json:"id"`
	TagName     string            `json:"tag_name"`
	Name        *string           `json:"name"`
	Draft       bool              `json:"draft"`
	Immutable   *bool             `json:"immutable"`
	HTMLURL     string            `json:"html_url"`
	UploadURL   string            `json:"upload_url"`
	PublishedAt *string           `json:"published_at"`
	Assets      []json.RawMessage `json:"assets"`
}

type ghTestAsset struct {
	ID                 int64   `json:"id"`
	Name               string  `json:"name"`
	State              string  `json:"state"`
	Size               int64   `json:"size"`
	Digest             *string `json:"digest"`
	ContentType        string  `json:"content_type"`
	URL                string  `json:"url"`
	BrowserDownloadURL string  `json:"browser_download_url"`
}

func newGitHubRepo(t *testing.T) *GitHub {
	t.Helper()
	g := NewGitHub(t)
	g.AddRepo("octo-org", "octo-repo")
	return g
}

func (g *GitHub) testRepoAPI() string { return g.APIURL() + "repos/octo-org/octo-repo" }

func (g *GitHub) testUploadURL(id int64, name string) string {
	return fmt.Sprintf("%srepos/octo-org/octo-repo/releases/%d/assets?name=%s", g.UploadURL(), id, name)
}

func createTestRelease(t *testing.T, g *GitHub, tag string, draft bool) ghTestRelease {
	t.Helper()
	body := fmt.Sprintf(`{"tag_name":%q,"name":%q,"draft":%t}`, tag, tag, draft)
	var rel ghTestRelease
	ghCall(t, g, http.MethodPost, g.testRepoAPI()+"/releases", "", []byte(body), map[string]string{"Content-Type": "application/json"}).
		want(t, http.StatusCreated).decode(t, &rel)
	return rel
}

func uploadTestAsset(t *testing.T, g *GitHub, id int64, name string, data []byte) ghResp {
	t.Helper()
	return ghCall(t, g, http.MethodPost, g.testUploadURL(id, name), "", data, map[string]string{"Content-Type": "application/octet-stream"})
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func TestGitHubAuth(t *testing.T) {
	g := newGitHubRepo(t)
	const badCreds = `{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest"}`
	for _, tc := range []struct {
		name, auth string
		url        string
		status     int
	}{
		{"bearer", "", g.testRepoAPI() + "/releases", 200},
		{"token scheme", "token " + g.Token(), g.testRepoAPI() + "/releases", 200},
		{"no header", "-", g.testRepoAPI() + "/releases", 401},
		{"wrong token", "Bearer ghs_wrong", g.testRepoAPI() + "/releases", 401},
		{"basic scheme", "Basic " + g.Token(), g.testRepoAPI() + "/releases", 401},
		{"uploads need it too", "-", g.testUploadURL(1, "x"), 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			method := http.MethodGet
			if strings.Contains(tc.url, "/api/uploads/") {
				method = http.MethodPost
			}
			r := ghCall(t, g, method, tc.url, tc.auth, []byte("x"), map[string]string{"Content-Type": "text/plain"})
			if tc.status == 401 {
				r.wantBody(t, 401, badCreds)
			} else {
				r.want(t, tc.status)
			}
		})
	}
	t.Run("user agent required", func(t *testing.T) {
		r := ghCall(t, g, http.MethodGet, g.testRepoAPI()+"/releases", "", nil, map[string]string{"User-Agent": ""})
		if r.status != http.StatusForbidden || !strings.Contains(string(r.body), "User-Agent header") {
			t.Fatalf("status %d body %q, want 403 about the User-Agent", r.status, r.body)
		}
	})
	if s := g.Secrets(); len(s) != 1 || s[0] != g.Token() || !strings.HasPrefix(g.Token(), "ghs_"+CanaryMarker) || len(g.Token()) != 40 {
		t.Errorf("token %.8s… (%d chars) / secrets: want one ghs_CANARY… token of 40 chars", g.Token(), len(g.Token()))
	}
}

func TestGitHubCreateRelease(t *testing.T) {
	g := newGitHubRepo(t)
	rel := createTestRelease(t, g, "v1.0.0", true)
	switch {
	case !rel.Draft || rel.TagName != "v1.0.0" || rel.Name == nil || *rel.Name != "v1.0.0":
		t.Errorf("release %+v: want a draft for v1.0.0 named v1.0.0", rel)
	case rel.PublishedAt != nil || rel.Immutable == nil || *rel.Immutable:
		t.Errorf("draft: published_at %v, immutable %v; want null and false", rel.PublishedAt, rel.Immutable)
	case !strings.Contains(rel.HTMLURL, "/releases/tag/untagged-"):
		t.Errorf("draft html_url %q, want an untagged-… URL", rel.HTMLURL)
	case rel.UploadURL != fmt.Sprintf("%srepos/octo-org/octo-repo/releases/%d/assets{?name,label}", g.UploadURL(), rel.ID):
		t.Errorf("upload_url %q", rel.UploadURL)
	case rel.Assets == nil:
		t.Errorf("assets must be [], not null")
	}
	// Another draft for the same tag is accepted; a published release owns the tag.
	createTestRelease(t, g, "v1.0.0", true)
	createTestRelease(t, g, "v2.0.0", false)
	const exists = `{"message":"Validation Failed","errors":[{"resource":"Release","code":"already_exists","field":"tag_name"}],"documentation_url":"https://docs.github.com/rest/releases/releases#create-a-release"}`
	for _, tc := range []struct {
		name, body string
		status     int
		want       string
	}{
		{"published tag taken", `{"tag_name":"v2.0.0"}`, 422, exists},
		{"draft for a published tag", `{"tag_name":"v2.0.0","draft":true}`, 422, exists},
		{"no tag", `{"name":"x"}`, 422, `{"message":"Validation Failed","errors":[{"resource":"Release","code":"missing_field","field":"tag_name"}],"documentation_url":"https://docs.github.com/rest/releases/releases#create-a-release"}`},
		{"bad json", `{"tag_name":`, 400, `{"message":"Problems parsing JSON","documentation_url":"https://docs.github.com/rest/releases/releases#create-a-release"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ghCall(t, g, http.MethodPost, g.testRepoAPI()+"/releases", "", []byte(tc.body), nil).wantBody(t, tc.status, tc.want)
		})
	}
	if n := len(g.Releases("octo-org", "octo-repo")); n != 3 {
		t.Errorf("%d releases, want 3", n)
	}
	ghCall(t, g, http.MethodPost, g.APIURL()+"repos/octo-org/nope/releases", "", []byte(`{"tag_name":"v1"}`), nil).
		wantBody(t, 404, `{"message":"Not Found","documentation_url":"https://docs.github.com/rest/releases/releases#create-a-release"}`)
}

func TestGitHubReleaseByTagHidesDrafts(t *testing.T) {
	g := newGitHubRepo(t)
	draft := createTestRelease(t, g, "v1.0.0", true)
	byTag := g.testRepoAPI() + "/releases/tags/v1.0.0"
	ghCall(t, g, http.MethodGet, byTag, "", nil, nil).
		wantBody(t, 404, `{"message":"Not Found","documentation_url":"https://docs.github.com/rest/releases/releases#get-a-release-by-tag-name"}`)
	// By id the draft is there.
	ghCall(t, g, http.MethodGet, fmt.Sprintf("%s/releases/%d", g.testRepoAPI(), draft.ID), "", nil, nil).want(t, 200)

	// Publishing it makes it visible by tag, with its tag in the URL.
	var pub ghTestRelease
	ghCall(t, g, http.MethodPatch, fmt.Sprintf("%s/releases/%d", g.testRepoAPI(), draft.ID), "", []byte(`{"draft":false}`), nil).
		want(t, 200).decode(t, &pub)
	if pub.Draft || pub.PublishedAt == nil || !strings.HasSuffix(pub.HTMLURL, "/releases/tag/v1.0.0") {
		t.Fatalf("published release %+v", pub)
	}
	var got ghTestRelease
	ghCall(t, g, http.MethodGet, byTag, "", nil, nil).want(t, 200).decode(t, &got)
	if got.ID != draft.ID {
		t.Fatalf("by tag: id %d, want %d", got.ID, draft.ID)
	}
	// A second release cannot be published for the same tag.
	other := createTestRelease(t, g, "v1.1.0", true)
	ghCall(t, g, http.MethodPatch, fmt.Sprintf("%s/releases/%d", g.testRepoAPI(), other.ID), "", []byte(`{"tag_name":"v1.0.0","draft":false}`), nil).
		want(t, 422)
}

func TestGitHubListReleasesPaginates(t *testing.T) {
	g := newGitHubRepo(t)
	for i := range 5 {
		createTestRelease(t, g, fmt.Sprintf("v0.%d.0", i), i%2 == 0)
	}
	list := g.testRepoAPI() + "/releases"
	for _, tc := range []struct {
		query string
		tags  string
		rels  []string // rel names in the Link header
	}{
		{"?per_page=2", "v0.4.0 v0.3.0", []string{"next", "last"}},
		{"?per_page=2&page=2", "v0.2.0 v0.1.0", []string{"prev", "next", "last", "first"}},
		{"?per_page=2&page=3", "v0.0.0", []string{"prev", "first"}},
		{"?per_page=2&page=4", "", []string{"prev", "first"}},
		{"", "v0.4.0 v0.3.0 v0.2.0 v0.1.0 v0.0.0", nil},
		{"?per_page=1000", "v0.4.0 v0.3.0 v0.2.0 v0.1.0 v0.0.0", nil},
	} {
		t.Run(tc.query, func(t *testing.T) {
			r := ghCall(t, g, http.MethodGet, list+tc.query, "", nil, nil).want(t, 200)
			var rels []ghTestRelease
			r.decode(t, &rels)
			var tags []string
			for _, rel := range rels {
				tags = append(tags, rel.TagName)
			}
			if got := strings.Join(tags, " "); got != tc.tags {
				t.Errorf("tags %q, want %q", got, tc.tags)
			}
			link := r.header.Get("Link")
			var got []string
			for _, part := range strings.Split(link, ", ") {
				if _, rel, ok := strings.Cut(part, `rel="`); ok {
					got = append(got, strings.TrimSuffix(rel, `"`))
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.rels) {
				t.Errorf("Link %q: rels %v, want %v", link, got, tc.rels)
			}
			if tc.rels != nil && !strings.Contains(link, "<"+list+"?page=") {
				t.Errorf("Link %q does not point back at the list", link)
			}
		})
	}
}

func TestGitHubUploadAndDownload(t *testing.T) {
	g := newGitHubRepo(t)
	rel := createTestRelease(t, g, "v1.0.0", true)
	data := []byte("wheel bytes\n")
	var a ghTestAsset
	uploadTestAsset(t, g, rel.ID, "demo-1.0.0-py3-none-any.whl", data).want(t, http.StatusCreated).decode(t, &a)
	if a.State != "uploaded" || a.Size != int64(len(data)) || a.Digest == nil || *a.Digest != "sha256:"+sha256Hex(data) ||
		a.ContentType != "application/octet-stream" || !strings.Contains(a.BrowserDownloadURL, "/releases/download/untagged-") {
		t.Fatalf("asset %+v", a)
	}
	if g.Uploads() != 1 || !bytes.Equal(g.AssetBytes("octo-org", "octo-repo", "v1.0.0", a.Name), data) {
		t.Fatalf("Uploads %d, stored bytes differ", g.Uploads())
	}

	t.Run("duplicate name", func(t *testing.T) {
		uploadTestAsset(t, g, rel.ID, a.Name, []byte("other")).wantBody(t, 422,
			`{"message":"Validation Failed","errors":[{"resource":"ReleaseAsset","code":"already_exists","field":"name"}],"documentation_url":"https://docs.github.com/rest/releases/assets#upload-a-release-asset"}`)
	})
	t.Run("bad requests", func(t *testing.T) {
		ghCall(t, g, http.MethodPost, g.testUploadURL(rel.ID, "x.bin"), "", data, nil).want(t, 422) // no Content-Type
		ghCall(t, g, http.MethodPost, g.testUploadURL(rel.ID+999, "x.bin"), "", data, map[string]string{"Content-Type": "text/plain"}).want(t, 404)
		ghCall(t, g, http.MethodPost, g.testUploadURL(rel.ID, ""), "", data, map[string]string{"Content-Type": "text/plain"}).want(t, 422)
		// A body of unknown length (chunked) has no Content-Length.
		req, _ := http.NewRequest(http.MethodPost, g.testUploadURL(rel.ID, "x.bin"), io.MultiReader(bytes.NewReader(data)))
		req.Header.Set("User-Agent", testUA)
		req.Header.Set("Authorization", "token "+g.Token())
		req.Header.Set("Content-Type", "text/plain")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusLengthRequired {
			t.Errorf("chunked upload: %d, want 411", resp.StatusCode)
		}
	})
	t.Run("download", func(t *testing.T) {
		r := ghCall(t, g, http.MethodGet, a.URL, "", nil, map[string]string{"Accept": "application/octet-stream"}).want(t, http.StatusFound)
		loc := r.header.Get("Location")
		if !strings.HasPrefix(loc, g.URL()+"/download/") {
			t.Fatalf("Location %q", loc)
		}
		got := ghCall(t, g, http.MethodGet, loc, "-", nil, nil).want(t, 200)
		if !bytes.Equal(got.body, data) {
			t.Fatalf("downloaded %q", got.body)
		}
		// The storage URL refuses a request that carries the GitHub token.
		ghCall(t, g, http.MethodGet, loc, "", nil, nil).want(t, http.StatusBadRequest)
		// Without the octet-stream Accept the API answers the asset's JSON.
		var again ghTestAsset
		ghCall(t, g, http.MethodGet, a.URL, "", nil, nil).want(t, 200).decode(t, &again)
		if again.ID != a.ID {
			t.Fatalf("asset JSON id %d", again.ID)
		}
		// A draft's browser_download_url needs a signed-in browser.
		ghCall(t, g, http.MethodGet, a.BrowserDownloadURL, "-", nil, nil).want(t, 404)
	})
	t.Run("omitted digests", func(t *testing.T) {
		g.OmitDigests(true)
		defer g.OmitDigests(false)
		var assets []ghTestAsset
		ghCall(t, g, http.MethodGet, fmt.Sprintf("%s/releases/%d/assets", g.testRepoAPI(), rel.ID), "", nil, nil).want(t, 200).decode(t, &assets)
		if len(assets) != 1 || assets[0].Digest != nil || !strings.Contains(string(must(json.Marshal(assets[0]))), `"digest":null`) {
			t.Fatalf("assets %+v: want one with a null digest", assets)
		}
	})
	t.Run("delete", func(t *testing.T) {
		ghCall(t, g, http.MethodDelete, a.URL, "", nil, nil).want(t, http.StatusNoContent)
		ghCall(t, g, http.MethodDelete, a.URL, "", nil, nil).want(t, http.StatusNotFound)
		if g.AssetBytes("octo-org", "octo-repo", "v1.0.0", a.Name) != nil {
			t.Fatal("deleted asset still has bytes")
		}
	})
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestGitHubPublishedBrowserDownload(t *testing.T) {
	g := newGitHubRepo(t)
	id := g.AddRelease("octo-org", "octo-repo", "v3.0.0", false)
	g.AddAsset("octo-org", "octo-repo", id, "SHA256SUMS", []byte("sums\n"), false)
	var a ghTestAsset
	rels := g.Releases("octo-org", "octo-repo")
	ghCall(t, g, http.MethodGet, fmt.Sprintf("%s/releases/assets/%d", g.testRepoAPI(), rels[0].Assets[0].ID), "", nil, nil).want(t, 200).decode(t, &a)
	if !strings.HasSuffix(a.BrowserDownloadURL, "/octo-org/octo-repo/releases/download/v3.0.0/SHA256SUMS") {
		t.Fatalf("browser_download_url %q", a.BrowserDownloadURL)
	}
	resp, err := http.Get(a.BrowserDownloadURL) // follows the redirect, no credentials
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if b, _ := io.ReadAll(resp.Body); resp.StatusCode != 200 || string(b) != "sums\n" {
		t.Fatalf("browser download: %d %q", resp.StatusCode, b)
	}
}

// TestGitHubInterruptedUploads: an upload that fails after GitHub created the asset
// leaves a "starter" that keeps the name taken until it is deleted.
func TestGitHubInterruptedUploads(t *testing.T) {
	for _, tc := range []struct {
		name string
		fail UploadFailure
	}{
		{"bad gateway", UploadBadGateway},
		{"dropped mid-body", UploadDropped},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := newGitHubRepo(t)
			rel := createTestRelease(t, g, "v1.0.0", true)
			g.FailNextUpload(tc.fail)
			data := bytes.Repeat([]byte("x"), 1<<16)
			req, _ := http.NewRequest(http.MethodPost, g.testUploadURL(rel.ID, "a.bin"), bytes.NewReader(data))
			req.Header.Set("User-Agent", testUA)
			req.Header.Set("Authorization", "Bearer "+g.Token())
			req.Header.Set("Content-Type", "application/octet-stream")
			resp, err := http.DefaultClient.Do(req)
			switch tc.fail {
			case UploadBadGateway:
				if err != nil || resp.StatusCode != http.StatusBadGateway {
					t.Fatalf("got %v %v, want 502", resp, err)
				}
				resp.Body.Close()
			case UploadDropped:
				if err == nil {
					resp.Body.Close()
					t.Fatalf("upload answered %d, want a broken connection", resp.StatusCode)
				}
			}
			var assets []ghTestAsset
			ghCall(t, g, http.MethodGet, fmt.Sprintf("%s/releases/%d/assets", g.testRepoAPI(), rel.ID), "", nil, nil).want(t, 200).decode(t, &assets)
			if len(assets) != 1 || assets[0].State != "starter" || assets[0].Digest != nil || assets[0].Size != 0 {
				t.Fatalf("assets %+v, want one empty starter", assets)
			}
			ghCall(t, g, http.MethodGet, assets[0].URL, "", nil, map[string]string{"Accept": "application/octet-stream"}).want(t, 404)
			uploadTestAsset(t, g, rel.ID, "a.bin", data).want(t, 422)
			ghCall(t, g, http.MethodDelete, assets[0].URL, "", nil, nil).want(t, http.StatusNoContent)
			uploadTestAsset(t, g, rel.ID, "a.bin", data).want(t, http.StatusCreated)
			if g.Uploads() != 1 {
				t.Fatalf("Uploads() = %d, want 1", g.Uploads())
			}
		})
	}
}

func TestGitHubFaultsOnUploads(t *testing.T) {
	for _, tc := range []struct {
		name   string
		fault  Fault
		stored int
	}{
		{"lost response stores the asset", LostResponse(), 1},
		{"reset stores nothing", Reset(), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := newGitHubRepo(t)
			rel := createTestRelease(t, g, "v1.0.0", true)
			path := fmt.Sprintf("/api/uploads/repos/octo-org/octo-repo/releases/%d/assets", rel.ID)
			g.Faults().Add("POST "+path, tc.fault)
			req, _ := http.NewRequest(http.MethodPost, g.testUploadURL(rel.ID, "a.bin"), strings.NewReader("abc"))
			req.Header.Set("User-Agent", testUA)
			req.Header.Set("Authorization", "Bearer "+g.Token())
			req.Header.Set("Content-Type", "application/octet-stream")
			if resp, err := http.DefaultClient.Do(req); err == nil {
				resp.Body.Close()
				t.Fatalf("upload answered %d, want a broken connection", resp.StatusCode)
			}
			if g.Uploads() != tc.stored || g.Requests(http.MethodPost, path) != 1 {
				t.Fatalf("Uploads() = %d (want %d), requests %d", g.Uploads(), tc.stored, g.Requests(http.MethodPost, path))
			}
			rels := g.Releases("octo-org", "octo-repo")
			if len(rels[0].Assets) != tc.stored || (tc.stored == 1 && rels[0].Assets[0].SHA256 != sha256Hex([]byte("abc"))) {
				t.Fatalf("assets %+v", rels[0].Assets)
			}
		})
	}
}

func TestGitHubAssetsPaginate(t *testing.T) {
	g := newGitHubRepo(t)
	id := g.AddRelease("octo-org", "octo-repo", "v1.0.0", true)
	for i := range 3 {
		g.AddAsset("octo-org", "octo-repo", id, "f"+strconv.Itoa(i), []byte{byte(i)}, i == 2)
	}
	r := ghCall(t, g, http.MethodGet, fmt.Sprintf("%s/releases/%d/assets?per_page=2&page=2", g.testRepoAPI(), id), "", nil, nil).want(t, 200)
	var assets []ghTestAsset
	r.decode(t, &assets)
	if len(assets) != 1 || assets[0].Name != "f2" || assets[0].State != "starter" || !strings.Contains(r.header.Get("Link"), `rel="first"`) {
		t.Fatalf("page 2: %+v, Link %q", assets, r.header.Get("Link"))
	}
}
