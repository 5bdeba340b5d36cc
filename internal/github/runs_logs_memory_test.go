package github

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net/http"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/releaserhq/releaser/internal/testenv"
)

const (
	bigLogText = 64 << 20
	// bigLogHeapLimit is what the heap may grow by while RunLogs streams the archive:
	// buffers and decompressors, not the archive (tens of MiB) or the log in it.
	bigLogHeapLimit = 16 << 20
)

// countingTransport counts the response bytes read from paths under one prefix.
type countingTransport struct {
	path string
	n    atomic.Int64
}

func (ct *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err == nil && req.URL.Path == ct.path {
		resp.Body = &countingBody{ReadCloser: resp.Body, n: &ct.n}
	}
	return resp, err
}

type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

// TestRunLogsBigArchiveFlatMemory: a job log of 64 MiB in an archive of tens of MiB is
// streamed to fn while the heap stays flat.
func TestRunLogsBigArchiveFlatMemory(t *testing.T) {
	e := newEnv(t)
	const stamped = len("2026-11-25T10:00:00.0000000Z ")
	var n int
	// The lines live only while the emulator writes its archive.
	id := func() int64 {
		// Distinct random lines spread wider than deflate's 32 KiB window keep the
		// archive big: reading it into memory would show.
		distinct := make([]string, 4096)
		for i := range distinct {
			b := make([]byte, 48)
			rand.Read(b)
			distinct[i] = hex.EncodeToString(b)
		}
		n = bigLogText / (len(distinct[0]) + stamped + 1)
		lines := make([]string, n)
		for i := range lines {
			lines[i] = distinct[i%len(distinct)]
		}
		lines[0], lines[n/2], lines[n-1] = `[releaser-audit] {"seq":1}`, `[releaser-audit] {"seq":2}`, `[releaser-audit] {"seq":3}`
		return e.gh.AddWorkflowRun(owner, repo, "release.yml", testenv.EmuWorkflowRun{OmitStepLogs: true}, map[string][]string{"publish": lines})
	}()

	ct := &countingTransport{path: e.gh.LogsStoragePath(owner, repo, id)}
	c, err := New(e.gh.APIURL(), e.gh.Token(), &http.Client{Transport: ct}, "releaser-tests")
	if err != nil {
		t.Fatal(err)
	}
	var count, text int
	var audits []string
	peak := runLogsHeapPeak(t, func() {
		err = c.RunLogs(context.Background(), owner, repo, id, func(job string, r io.Reader) error {
			sc := bufio.NewScanner(r)
			for sc.Scan() {
				b := sc.Bytes()
				count++
				text += len(b) + 1
				if bytes.Contains(b, []byte("[releaser-audit]")) {
					audits = append(audits, string(b[stamped:]))
				}
			}
			return sc.Err()
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{`[releaser-audit] {"seq":1}`, `[releaser-audit] {"seq":2}`, `[releaser-audit] {"seq":3}`}; !slices.Equal(audits, want) {
		t.Fatalf("audit lines %q", audits)
	}
	if count != n+3 || text < bigLogText-(1<<20) || ct.n.Load() < 24<<20 {
		t.Fatalf("%d lines (want %d), %d MiB of text, an archive of %d MiB: the test did not stream what it should", count, n+3, text>>20, ct.n.Load()>>20)
	}
	if peak > bigLogHeapLimit {
		t.Errorf("the heap grew by %d MiB while streaming an archive of %d MiB (%d MiB of log); want under %d MiB",
			peak>>20, ct.n.Load()>>20, text>>20, bigLogHeapLimit>>20)
	}
	t.Logf("archive %.1f MiB, log %.1f MiB, peak heap growth %.1f MiB", float64(ct.n.Load())/(1<<20), float64(text)/(1<<20), float64(peak)/(1<<20))
}

// runLogsHeapPeak runs fn and returns the largest growth of HeapInuse over the level
// before it, sampled while fn runs.
func runLogsHeapPeak(t *testing.T, fn func()) uint64 {
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
