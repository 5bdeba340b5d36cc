package artifact

import (
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"sync"
	"sync/atomic"

	"golang.org/x/crypto/blake2b"
)

// Digests are the three digests recorded for every artifact, lowercase hex.
// Registries disagree on which one they want (PyPI: sha256 and blake2b-256,
// npm: sha512), so all three are computed in the same pass.
type Digests struct {
	SHA256     string `json:"sha256"`
	SHA512     string `json:"sha512"`
	BLAKE2b256 string `json:"blake2b_256"`
}

const (
	// chunkSize is the unit handed to the hashers: large enough that the
	// per-chunk synchronisation is noise, small enough to stay in cache.
	chunkSize = 1 << 20
	// ringSize chunks per file lets the fastest hasher run ahead of the
	// slowest by a few chunks without the memory growing with the file.
	ringSize = 4
	numHash  = 3
)

type chunk struct {
	buf     []byte
	n       int
	pending atomic.Int32 // hashers still reading buf
}

// chunkPool keeps the buffers of finished files for the next file, so
// hashing many files costs no more memory than hashing one.
var chunkPool = sync.Pool{New: func() any { return &chunk{buf: make([]byte, chunkSize)} }}

// Hash computes the SHA-256, SHA-512 and BLAKE2b-256 digests of the file at
// path in a single streaming pass and returns them with the number of bytes
// read. Memory is constant: at most ringSize fixed-size buffers per call.
// Within the file each chunk is fed to the three hashers concurrently, so the
// pass runs at the speed of the slowest hasher rather than their sum.
//
// progress, if non-nil, is called with the size of each chunk as it is read.
// One Hash call invokes it from a single goroutine, but HashAll and Verify
// run several Hash calls at once, so a progress func passed to them must be
// safe for concurrent use.
//
// Hash follows a symlink at path; callers that must refuse symlinks check
// first (Collect and Verify do).
func Hash(ctx context.Context, path string, progress func(n int64)) (Digests, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return Digests{}, 0, err // *PathError already names the file
	}
	defer f.Close()
	started := now()
	before, fpOK := fdFingerprint(f)
	d, n, err := hashStream(ctx, f, progress)
	if err != nil {
		return Digests{}, n, fmt.Errorf("hash %s: %w", path, err)
	}
	if fpOK {
		remember(path, f, before, started, d)
	}
	return d, n, nil
}

func newHashers() ([numHash]hash.Hash, error) {
	b2, err := blake2b.New256(nil)
	if err != nil {
		return [numHash]hash.Hash{}, fmt.Errorf("blake2b: %w", err)
	}
	return [numHash]hash.Hash{sha256.New(), sha512.New(), b2}, nil
}

func sums(hs [numHash]hash.Hash) Digests {
	return Digests{
		SHA256:     hex.EncodeToString(hs[0].Sum(nil)),
		SHA512:     hex.EncodeToString(hs[1].Sum(nil)),
		BLAKE2b256: hex.EncodeToString(hs[2].Sum(nil)),
	}
}

// readChunk fills c from r. done reports a clean end of input.
func readChunk(r io.Reader, c *chunk) (done bool, err error) {
	n, err := io.ReadFull(r, c.buf)
	c.n = n
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return true, nil
	}
	return false, err
}

func hashStream(ctx context.Context, r io.Reader, progress func(int64)) (Digests, int64, error) {
	hs, err := newHashers()
	if err != nil {
		return Digests{}, 0, err
	}
	if progress == nil {
		progress = func(int64) {}
	}
	if err := ctx.Err(); err != nil {
		return Digests{}, 0, err
	}

	first := chunkPool.Get().(*chunk)
	done, err := readChunk(r, first)
	total := int64(first.n)
	if err != nil {
		chunkPool.Put(first)
		return Digests{}, total, err
	}
	progress(int64(first.n))
	if done {
		// The whole input fit in one chunk (most files in a release):
		// hashing it here is cheaper than starting the pipeline.
		for _, h := range hs {
			h.Write(first.buf[:first.n])
		}
		chunkPool.Put(first)
		return sums(hs), total, nil
	}

	free := make(chan *chunk, ringSize)
	for range ringSize - 1 {
		free <- chunkPool.Get().(*chunk)
	}
	var work [numHash]chan *chunk
	var wg sync.WaitGroup
	for i, h := range hs {
		work[i] = make(chan *chunk, ringSize)
		wg.Go(func() {
			for c := range work[i] {
				h.Write(c.buf[:c.n]) // hash.Hash.Write never fails
				if c.pending.Add(-1) == 0 {
					free <- c
				}
			}
		})
	}
	dispatch := func(c *chunk) {
		c.pending.Store(numHash)
		for _, w := range work {
			w <- c
		}
	}

	dispatch(first)
	for !done && err == nil {
		var c *chunk
		select {
		case <-ctx.Done():
			err = ctx.Err()
			continue
		case c = <-free:
		}
		if err = ctx.Err(); err != nil {
			free <- c
			continue
		}
		done, err = readChunk(r, c)
		total += int64(c.n)
		if c.n == 0 {
			free <- c
			continue
		}
		progress(int64(c.n))
		dispatch(c)
	}
	for _, w := range work {
		close(w)
	}
	wg.Wait()
	// Every chunk is back in free now: each returns there once all hashers
	// are done with it, and the loop above returned any it held.
	close(free)
	for c := range free {
		chunkPool.Put(c)
	}
	if err != nil {
		return Digests{}, total, err
	}
	return sums(hs), total, nil
}
