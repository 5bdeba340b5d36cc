package artifact

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"testing/iotest"

	"golang.org/x/crypto/blake2b"
)

func TestHashKnownVectors(t *testing.T) {
	tests := []struct {
		content string
		want    Digests
	}{
		{"", Digests{
			SHA256:     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
			SHA512:     "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e",
			BLAKE2b256: "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8",
		}},
		{"abc", Digests{
			SHA256:     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
			SHA512:     "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
			BLAKE2b256: "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319",
		}},
	}
	for _, tt := range tests {
		p := writeFile(t, t.TempDir(), "f", tt.content)
		got, n, err := Hash(context.Background(), p, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got != tt.want || n != int64(len(tt.content)) {
			t.Errorf("Hash(%q) = %+v, %d; want %+v, %d", tt.content, got, n, tt.want, len(tt.content))
		}
		// Cross-check the hard-coded sha512/blake2b values with the libraries.
		if ref := refDigests([]byte(tt.content)); ref != tt.want {
			t.Errorf("reference digests of %q = %+v, want %+v", tt.content, ref, tt.want)
		}
	}
}

// ioCopyDigests is the straightforward reference: one io.Copy into all three.
func ioCopyDigests(t *testing.T, path string) Digests {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b2, _ := blake2b.New256(nil)
	hs := []hash.Hash{sha256.New(), sha512.New(), b2}
	if _, err := io.Copy(io.MultiWriter(hs[0], hs[1], hs[2]), f); err != nil {
		t.Fatal(err)
	}
	return Digests{hex.EncodeToString(hs[0].Sum(nil)), hex.EncodeToString(hs[1].Sum(nil)), hex.EncodeToString(hs[2].Sum(nil))}
}

func randomBytes(n int, seed uint64) []byte {
	b := make([]byte, n)
	rand.NewChaCha8([32]byte{byte(seed)}).Read(b)
	return b
}

func TestHashMultiChunk(t *testing.T) {
	sizes := []int{
		1, chunkSize - 1, chunkSize, chunkSize + 1, 2 * chunkSize,
		ringSize*chunkSize + 1,   // every ring buffer reused at least once
		3*ringSize*chunkSize + 7, // odd length, many reuses
	}
	for _, size := range sizes {
		data := randomBytes(size, uint64(size))
		p := filepath.Join(t.TempDir(), "f")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		var progressed atomic.Int64
		got, n, err := Hash(context.Background(), p, func(n int64) { progressed.Add(n) })
		if err != nil {
			t.Fatal(err)
		}
		if want := ioCopyDigests(t, p); got != want {
			t.Errorf("size %d: Hash = %+v, want %+v", size, got, want)
		}
		if n != int64(size) || progressed.Load() != int64(size) {
			t.Errorf("size %d: Hash returned %d bytes, progress reported %d", size, n, progressed.Load())
		}
	}
}

// Short reads must not change the chunking's result.
func TestHashStreamShortReads(t *testing.T) {
	data := randomBytes(2*chunkSize+333, 1)
	got, n, err := hashStream(context.Background(), iotest.HalfReader(bytes.NewReader(data)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := refDigests(data); got != want || n != int64(len(data)) {
		t.Errorf("hashStream = %+v, %d; want %+v, %d", got, n, want, len(data))
	}
}

func TestHashStreamReadError(t *testing.T) {
	boom := errors.New("disk on fire")
	for _, prefix := range []int{0, 100, 3*chunkSize + 5} {
		r := io.MultiReader(bytes.NewReader(make([]byte, prefix)), iotest.ErrReader(boom))
		if _, _, err := hashStream(context.Background(), r, nil); !errors.Is(err, boom) {
			t.Errorf("after %d bytes: err = %v, want %v", prefix, err, boom)
		}
	}
}

// endless is an input that never ends; it cancels ctx after a few reads,
// so Hash only returns if it honours cancellation mid-stream.
type endless struct {
	reads, cancelAt int
	cancel          func()
}

func (e *endless) Read(p []byte) (int, error) {
	if e.reads++; e.reads == e.cancelAt {
		e.cancel()
	}
	return len(p), nil
}

func TestHashStreamCancel(t *testing.T) {
	for _, cancelAt := range []int{1, 2, 10} {
		ctx, cancel := context.WithCancel(context.Background())
		_, _, err := hashStream(ctx, &endless{cancelAt: cancelAt, cancel: cancel}, nil)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("cancel at read %d: err = %v, want context.Canceled", cancelAt, err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	p := writeFile(t, t.TempDir(), "f", "abc")
	if _, _, err := Hash(ctx, p, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("Hash with a cancelled context: err = %v, want context.Canceled", err)
	}
}

func TestHashMissingFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "nope.whl")
	_, _, err := Hash(context.Background(), p, nil)
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("err = %v, want ErrNotExist", err)
	}
	wantErr(t, err, p)
}

func BenchmarkHash(b *testing.B) {
	const size = 64 << 20
	p := filepath.Join(b.TempDir(), "bench.bin")
	if err := os.WriteFile(p, randomBytes(size, 42), 0o644); err != nil {
		b.Fatal(err)
	}
	b.Run("all3", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			if _, _, err := Hash(context.Background(), p, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	// The single hashers show the bound: all3 cannot beat the slowest one.
	data, err := os.ReadFile(p)
	if err != nil {
		b.Fatal(err)
	}
	b2, _ := blake2b.New256(nil)
	for name, h := range map[string]hash.Hash{"sha256": sha256.New(), "sha512": sha512.New(), "blake2b256": b2} {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(size)
			for b.Loop() {
				h.Reset()
				h.Write(data)
			}
		})
	}
}
