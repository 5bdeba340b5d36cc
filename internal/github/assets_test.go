package github

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/releaserhq/releaser/internal/testenv"
)

func uploadPath(rel *Release) string {
	return fmt.Sprintf("/api/uploads/repos/octo-org/octo-repo/releases/%d/assets", rel.ID)
}

func TestEnsureAssetUploadsOnceThenSkips(t *testing.T) {
	e := newEnv(t)
	rel := e.draft()
	data := bytes.Repeat([]byte("wheel "), 40000) // several reads
	path, sum := e.file("demo-1.2.3-py3-none-any.whl", data)
	var seen []int64
	a, uploaded, err := e.c.EnsureAsset(t.Context(), rel, "demo-1.2.3-py3-none-any.whl", path, int64(len(data)), sum, func(n int64) { seen = append(seen, n) })
	if err != nil {
		t.Fatal(err)
	}
	if !uploaded || a.Name != "demo-1.2.3-py3-none-any.whl" || a.Size != int64(len(data)) || a.Digest != "sha256:"+sum ||
		a.State != "uploaded" || a.ID == 0 || !strings.Contains(a.URL, "/releases/download/") {
		t.Fatalf("asset %+v, uploaded %t", a, uploaded)
	}
	if len(seen) < 2 || seen[len(seen)-1] != int64(len(data)) {
		t.Fatalf("progress %v, want several calls ending at %d", seen, len(data))
	}
	for i := 1; i < len(seen); i++ {
		if seen[i] <= seen[i-1] {
			t.Fatalf("progress went backwards within one attempt: %v", seen)
		}
	}
	if got := e.gh.AssetBytes(owner, repo, "v1.2.3", a.Name); !bytes.Equal(got, data) {
		t.Fatal("GitHub holds other bytes")
	}
	if ct := e.assets(rel.ID)[0].ContentType; ct != "application/zip" {
		t.Fatalf("Content-Type %q", ct)
	}

	again, uploaded, err := e.c.EnsureAsset(t.Context(), rel, a.Name, path, int64(len(data)), strings.ToUpper(sum), nil)
	if err != nil {
		t.Fatal(err)
	}
	if uploaded || again.ID != a.ID || e.gh.Uploads() != 1 {
		t.Fatalf("re-run: uploaded %t, id %d (want %d), %d uploads", uploaded, again.ID, a.ID, e.gh.Uploads())
	}
}

// TestEnsureAssetWithoutDigests: when GitHub reports no digest, the asset is downloaded
// (through the redirect, without the token) and hashed.
func TestEnsureAssetWithoutDigests(t *testing.T) {
	e := newEnv(t)
	e.gh.OmitDigests(true)
	rel := e.draft()
	data := []byte("sha256sums\n")
	path, sum := e.file("SHA256SUMS", data)
	a, uploaded, err := e.c.EnsureAsset(t.Context(), rel, "SHA256SUMS", path, int64(len(data)), sum, nil)
	if err != nil || !uploaded || a.Digest != "" {
		t.Fatalf("first upload: %+v %t %v", a, uploaded, err)
	}
	again, uploaded, err := e.c.EnsureAsset(t.Context(), rel, "SHA256SUMS", path, int64(len(data)), sum, nil)
	if err != nil || uploaded || again.ID != a.ID {
		t.Fatalf("re-run: %+v %t %v", again, uploaded, err)
	}
	apiPath := fmt.Sprintf("/api/v3/repos/octo-org/octo-repo/releases/assets/%d", a.ID)
	if n := e.gh.Requests(http.MethodGet, apiPath); n != 1 {
		t.Fatalf("%d download requests to the API, want 1", n)
	}
	if e.gh.Uploads() != 1 {
		t.Fatalf("%d uploads", e.gh.Uploads())
	}
}

func TestEnsureAssetConflict(t *testing.T) {
	for _, tc := range []struct {
		name     string
		omit     bool
		existing []byte
		have     string // prefix of AssetConflictError.Have
	}{
		{"by digest", false, []byte("other bytes"), "sha256:" + sha([]byte("other bytes"))},
		{"by download, same size", true, []byte("other bytes"), "sha256:" + sha([]byte("other bytes"))},
		{"by size", true, []byte("much longer other bytes"), "23 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.gh.OmitDigests(tc.omit)
			rel := e.draft()
			e.gh.AddAsset(owner, repo, rel.ID, "demo.tar.gz", tc.existing, false)
			data := []byte("local bytes")
			path, sum := e.file("demo.tar.gz", data)
			_, _, err := e.c.EnsureAsset(t.Context(), rel, "demo.tar.gz", path, int64(len(data)), sum, nil)
			var ce *AssetConflictError
			if !errors.As(err, &ce) {
				t.Fatalf("error %v, want *AssetConflictError", err)
			}
			if ce.Release != "v1.2.3" || ce.Name != "demo.tar.gz" || !strings.HasPrefix(ce.Have, tc.have) || ce.Want != "sha256:"+sum {
				t.Fatalf("conflict %+v, want Have %q", ce, tc.have)
			}
			if got := e.gh.AssetBytes(owner, repo, "v1.2.3", "demo.tar.gz"); !bytes.Equal(got, tc.existing) || e.gh.Uploads() != 0 {
				t.Fatal("the asset on GitHub was touched")
			}
			if !strings.Contains(err.Error(), "never replaces") {
				t.Fatalf("message %q does not explain", err)
			}
		})
	}
}

// TestEnsureAssetRecovers: uploads that fail are sent again; one that landed (lost
// response) is found instead of sent twice; a starter left behind is deleted first.
func TestEnsureAssetRecovers(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(e *env, rel *Release)
		sends int // upload requests that reached the emulator
		waits int // retries
	}{
		{"starter from an earlier run", func(e *env, rel *Release) {
			e.gh.AddAsset(owner, repo, rel.ID, "demo.crate", nil, true)
		}, 1, 0},
		{"502 leaving a starter", func(e *env, _ *Release) { e.gh.FailNextUpload(testenv.UploadBadGateway) }, 2, 1},
		{"dropped mid-body leaving a starter", func(e *env, _ *Release) { e.gh.FailNextUpload(testenv.UploadDropped) }, 2, 1},
		{"lost response", func(e *env, rel *Release) { e.gh.Faults().Add("POST "+uploadPath(rel), testenv.LostResponse()) }, 1, 1},
		{"reset", func(e *env, rel *Release) { e.gh.Faults().Add("POST "+uploadPath(rel), testenv.Reset()) }, 2, 1},
		{"500", func(e *env, rel *Release) {
			e.gh.Faults().Add("POST "+uploadPath(rel), testenv.Status(500, `{"message":"Server Error"}`))
		}, 2, 1},
		{"429", func(e *env, rel *Release) { e.gh.Faults().Add("POST "+uploadPath(rel), testenv.TooManyRequests("2")) }, 2, 1},
		{"listing fails first", func(e *env, rel *Release) {
			e.gh.Faults().Add(fmt.Sprintf("GET /api/v3/repos/octo-org/octo-repo/releases/%d/assets", rel.ID), testenv.Status(502, ""))
		}, 1, 1},
		{"deleting the starter fails first", func(e *env, rel *Release) {
			id := e.gh.AddAsset(owner, repo, rel.ID, "demo.crate", nil, true)
			e.gh.Faults().Add(fmt.Sprintf("DELETE /api/v3/repos/octo-org/octo-repo/releases/assets/%d", id), testenv.LostResponse())
		}, 1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			rel := e.draft()
			tc.setup(e, rel)
			data := bytes.Repeat([]byte("crate"), 10000)
			path, sum := e.file("demo.crate", data)
			var last int64
			a, uploaded, err := e.c.EnsureAsset(t.Context(), rel, "demo.crate", path, int64(len(data)), sum, func(n int64) { last = n })
			if err != nil {
				t.Fatal(err)
			}
			if !uploaded || a.Digest != "sha256:"+sum || last != int64(len(data)) {
				t.Fatalf("asset %+v uploaded %t progress %d", a, uploaded, last)
			}
			assets := e.assets(rel.ID)
			if len(assets) != 1 || assets[0].State != "uploaded" || assets[0].SHA256 != sum {
				t.Fatalf("assets %+v, want exactly one uploaded", assets)
			}
			if e.gh.Uploads() != 1 {
				t.Fatalf("%d complete uploads, want 1", e.gh.Uploads())
			}
			if n := e.gh.Requests(http.MethodPost, uploadPath(rel)); n != tc.sends {
				t.Fatalf("%d upload requests, want %d", n, tc.sends)
			}
			if n := len(e.recordedWaits()); n != tc.waits {
				t.Fatalf("%d retries, want %d", n, tc.waits)
			}
		})
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestEnsureAssetRefusesBadInput(t *testing.T) {
	e := newEnv(t)
	rel := e.draft()
	data := []byte("content")
	path, sum := e.file("a.bin", data)
	for _, tc := range []struct {
		name      string
		rel       *Release
		asset     string
		size      int64
		sha       string
		want      string
		deletedUp bool // an upload was sent, then deleted
	}{
		{"release not from DraftRelease", &Release{ID: rel.ID, Tag: "v1.2.3"}, "a.bin", 7, sum, "needs a release", false},
		{"bad sha", rel, "a.bin", 7, "abc", "64 hex digits", false},
		{"space in name", rel, "a b.bin", 7, sum, "GitHub would rename it", false},
		{"tilde in name", rel, "a~1.bin", 7, sum, "GitHub would rename it", false},
		{"leading period", rel, ".hidden", 7, sum, "leading or trailing period", false},
		{"slash in name", rel, "dir/a.bin", 7, sum, "GitHub would rename it", false},
		{"size differs from the file", rel, "a.bin", 8, sum, "is 7 bytes, expected 8", false},
		{"file changed since hashing", rel, "a.bin", 7, sha([]byte("CONTENT")), "changed on disk", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := e.gh.Requests(http.MethodPost, uploadPath(rel))
			_, _, err := e.c.EnsureAsset(t.Context(), tc.rel, tc.asset, path, tc.size, tc.sha, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			sent := e.gh.Requests(http.MethodPost, uploadPath(rel)) - before
			if sent != boolInt(tc.deletedUp) {
				t.Fatalf("%d uploads sent", sent)
			}
			if n := len(e.assets(rel.ID)); n != 0 {
				t.Fatalf("%d assets left on the release", n)
			}
		})
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
}
