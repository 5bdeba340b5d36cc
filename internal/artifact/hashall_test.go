package artifact

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

func TestHashAll(t *testing.T) {
	base := t.TempDir()
	contents := map[string]string{
		"out/wheels/z-1.0-py3-none-any.whl": "zz",
		"out/a-1.0.tar.gz":                  "a",
		"out/big.bin":                       strings.Repeat("x", 2*chunkSize+3),
	}
	for rel, c := range contents {
		writeFile(t, base, rel, c)
	}
	files, err := Collect(filepath.Join(base, "out"), []string{"*.*", "wheels/*"})
	if err != nil {
		t.Fatal(err)
	}
	// Reverse, to see that HashAll keeps the caller's order.
	for i, j := 0, len(files)-1; i < j; i, j = i+1, j-1 {
		files[i], files[j] = files[j], files[i]
	}
	var progressed atomic.Int64
	arts, err := HashAll(context.Background(), files, base, 2, func(n int64) { progressed.Add(n) })
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	for i, a := range arts {
		rel := "out/" + files[i].Rel
		want := Artifact{Name: files[i].Name, Path: rel, Size: int64(len(contents[rel])), Kind: DetectKind(files[i].Name), Digests: refDigests([]byte(contents[rel]))}
		if a != want {
			t.Errorf("arts[%d] = %+v, want %+v", i, a, want)
		}
		total += a.Size
	}
	if progressed.Load() != total {
		t.Errorf("progress reported %d bytes, want %d", progressed.Load(), total)
	}
}

func TestHashAllErrors(t *testing.T) {
	base := t.TempDir()
	ok := File{Name: "ok.bin", Path: writeFile(t, base, "ok.bin", "ok")}
	big := File{Name: "big.bin", Path: writeFile(t, base, "big.bin", strings.Repeat("b", 3*chunkSize))}
	missing := File{Name: "gone.whl", Path: filepath.Join(base, "gone.whl")}

	t.Run("error propagates and names the file", func(t *testing.T) {
		var progressed atomic.Int64
		_, err := HashAll(context.Background(), []File{missing, big, ok}, base, 1, func(n int64) { progressed.Add(n) })
		if !errors.Is(err, os.ErrNotExist) {
			t.Errorf("err = %v, want ErrNotExist", err)
		}
		wantErr(t, err, `"gone.whl"`)
		if progressed.Load() != 0 {
			t.Errorf("%d bytes hashed after the first error, want 0", progressed.Load())
		}
	})
	t.Run("file outside baseDir", func(t *testing.T) {
		_, err := HashAll(context.Background(), []File{ok}, filepath.Join(base, "sub"), 1, nil)
		wantErr(t, err, `"ok.bin"`, "is not below", "write the manifest higher up")
	})
	t.Run("cancelled mid-file", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		_, err := HashAll(ctx, []File{big, ok}, base, 1, func(int64) { cancel() })
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	})
	t.Run("cancelled before", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := HashAll(ctx, []File{ok}, base, 0, nil); !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	})
	t.Run("no files", func(t *testing.T) {
		arts, err := HashAll(context.Background(), nil, base, 0, nil)
		if err != nil || len(arts) != 0 {
			t.Errorf("HashAll(nil) = %v, %v; want empty, nil", arts, err)
		}
	})
}
