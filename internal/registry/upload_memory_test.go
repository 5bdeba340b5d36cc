package registry

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/releaserhq/releaser/internal/pkgmeta"
)

const (
	flatFileSize = 256 << 20
	// flatHeapLimit is what the heap may grow by while a 256 MiB body is
	// streamed: buffers, not the file.
	flatHeapLimit = 32 << 20
)

// Every streaming encoder sends a 256 MiB (sparse) file to a handler that
// only counts, while the heap stays flat: the body is produced from the
// file as it is sent, never held.
func TestUploadBodiesStreamWithFlatMemory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(flatFileSize); err != nil {
		t.Fatal(err)
	}
	f.Close()
	a := Artifact{Path: path, Size: flatFileSize, SHA256: strings.Repeat("0", 64), SHA512: strings.Repeat("0", 128), BLAKE2b256: strings.Repeat("0", 64)}
	tok := func(kind string) *Token { return testToken(kind) }

	var received atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		received.Store(n)
	}))
	t.Cleanup(srv.Close)

	tests := []struct {
		kind, name string
		request    func(t *testing.T, up Uploader, a Artifact) uploadRequest
		// minBody is at least what the body must carry: the file, or its
		// base64 encoding.
		minBody int64
	}{
		{KindPyPI, "demo-1.0.tar.gz", func(t *testing.T, up Uploader, a Artifact) uploadRequest {
			meta, err := pkgmeta.ParseCoreMetadata([]byte(minimalCoreMetadata))
			if err != nil {
				t.Fatal(err)
			}
			r, err := up.(*pypiUploader).request(tok(KindPyPI), a, &pkgmeta.Python{Filename: a.Name, Filetype: pkgmeta.FiletypeSdist, PyVersion: "source", Metadata: meta}, "", nil)
			if err != nil {
				t.Fatal(err)
			}
			return r
		}, flatFileSize},
		{KindNpm, "demo-1.0.0.tgz", func(t *testing.T, up Uploader, a Artifact) uploadRequest {
			pkg, err := pkgmeta.ParsePackageJSON([]byte(`{"name":"demo","version":"1.0.0"}`))
			if err != nil {
				t.Fatal(err)
			}
			r, err := up.(*npmUploader).request(tok(KindNpm), a, pkg, strings.Repeat("0", 40), nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			return r
		}, base64Len(flatFileSize)},
		{KindCrates, "demo-1.0.0.crate", func(t *testing.T, up Uploader, a Artifact) uploadRequest {
			nc, err := pkgmeta.ParseCargoToml([]byte("[package]\nname = \"demo\"\nversion = \"1.0.0\"\n"))
			if err != nil {
				t.Fatal(err)
			}
			r, err := up.(*cratesUploader).request(tok(KindCrates), a, &pkgmeta.Crate{Name: "demo", Version: "1.0.0", NewCrate: nc}, nil)
			if err != nil {
				t.Fatal(err)
			}
			return r
		}, flatFileSize + 8},
		{KindRubyGems, "demo-1.0.0.gem", func(t *testing.T, up Uploader, a Artifact) uploadRequest {
			return up.(*rubygemsUploader).request(tok(KindRubyGems), a, &pkgmeta.Gem{Name: "demo", Version: "1.0.0", Platform: "ruby"}, nil)
		}, flatFileSize},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			a := a
			a.Name = tt.name
			up := mustNewUploader(t, tt.kind, srv.URL, "demo", UploadOptions{Options: testOptions(nil), Version: "1.0.0"})
			req := tt.request(t, up, a)
			body, length, err := req.body()
			if err != nil {
				t.Fatal(err)
			}
			body.Close()
			received.Store(0)
			core := coreOf(up)
			peak := watchHeap(t, func() {
				res, err := core.send(context.Background(), a, req, func(context.Context) (Remote, error) {
					t.Error("a lookup during a successful upload")
					return Remote{}, nil
				})
				if err != nil || res.Outcome != Published {
					t.Errorf("upload: %+v, %v", res, err)
				}
			})
			if got := received.Load(); got != length || got < tt.minBody {
				t.Errorf("the handler received %d bytes; the body is %d, at least %d", got, length, tt.minBody)
			}
			if peak > flatHeapLimit {
				t.Errorf("the heap grew by %d MiB while streaming %d MiB; want under %d MiB", peak>>20, flatFileSize>>20, flatHeapLimit>>20)
			}
			t.Logf("peak heap growth %.1f MiB", float64(peak)/(1<<20))
		})
	}
}

const minimalCoreMetadata = "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n"

func coreOf(up Uploader) *uploadCore {
	switch u := up.(type) {
	case *pypiUploader:
		return u.core
	case *npmUploader:
		return u.core
	case *cratesUploader:
		return u.core
	case *rubygemsUploader:
		return u.core
	}
	panic("unknown uploader")
}

// watchHeap runs fn and returns the largest growth of HeapInuse over the
// level before it, sampled while fn runs.
func watchHeap(t *testing.T, fn func()) uint64 {
	t.Helper()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	var peak uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > base && ms.HeapInuse-base > peak {
				peak = ms.HeapInuse - base
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	fn()
	close(done)
	wg.Wait()
	return peak
}
