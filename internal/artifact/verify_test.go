package artifact

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// builtRelease writes two artifacts below base/dist and returns their
// manifest, as the build stage would.
func builtRelease(t *testing.T, base string) *Manifest {
	t.Helper()
	writeFile(t, base, "dist/demo-1.0.tar.gz", "sdist bytes")
	writeFile(t, base, "dist/big.bin", strings.Repeat("z", chunkSize+17))
	files, err := Collect(filepath.Join(base, "dist"), []string{"*"})
	if err != nil {
		t.Fatal(err)
	}
	arts, err := HashAll(context.Background(), files, base, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	return New(Release{Name: "demo", Version: "1.0"}, arts)
}

func TestVerify(t *testing.T) {
	sdist := refDigests([]byte("sdist bytes"))
	tests := []struct {
		name   string
		modify func(t *testing.T, base string)
		is     error
		want   []string
	}{
		{name: "unchanged", modify: func(*testing.T, string) {}},
		{
			name:   "changed byte",
			modify: func(t *testing.T, base string) { writeFile(t, base, "dist/demo-1.0.tar.gz", "sdist bytez") },
			is:     ErrChanged,
			want: []string{`artifact "demo-1.0.tar.gz"`, "changed after it was built",
				"sha256 is " + refDigests([]byte("sdist bytez")).SHA256 + ", the manifest says " + sdist.SHA256,
				"blake2b_256 is "},
		},
		{
			name:   "changed size",
			modify: func(t *testing.T, base string) { writeFile(t, base, "dist/demo-1.0.tar.gz", "sdist bytes!") },
			is:     ErrChanged,
			want:   []string{`"demo-1.0.tar.gz"`, "size is 12, the manifest says 11", "the manifest says " + sdist.SHA256},
		},
		{
			name: "missing file",
			modify: func(t *testing.T, base string) {
				if err := os.Remove(filepath.Join(base, "dist", "big.bin")); err != nil {
					t.Fatal(err)
				}
			},
			is:   os.ErrNotExist,
			want: []string{`artifact "big.bin"`, filepath.Join("dist", "big.bin") + " is missing"},
		},
		{
			name: "replaced by a symlink",
			modify: func(t *testing.T, base string) {
				p := filepath.Join(base, "dist", "big.bin")
				if err := os.Rename(p, p+".real"); err != nil {
					t.Fatal(err)
				}
				symlink(t, p+".real", p)
			},
			want: []string{`artifact "big.bin"`, "symlink dist/big.bin", "refusing"},
		},
		{
			name: "directory replaced by a symlink",
			modify: func(t *testing.T, base string) {
				d := filepath.Join(base, "dist")
				if err := os.Rename(d, d+".real"); err != nil {
					t.Fatal(err)
				}
				symlink(t, d+".real", d)
			},
			want: []string{"through the symlink dist", "refusing"},
		},
		{
			name: "replaced by a directory",
			modify: func(t *testing.T, base string) {
				p := filepath.Join(base, "dist", "big.bin")
				if err := os.Remove(p); err != nil {
					t.Fatal(err)
				}
				writeFile(t, base, "dist/big.bin/x", "x")
			},
			want: []string{`artifact "big.bin"`, "is a directory, not a regular file"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := t.TempDir()
			m := builtRelease(t, base)
			tt.modify(t, base)
			err := m.Verify(context.Background(), base, 2, nil)
			if tt.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantErr(t, err, tt.want...)
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("err = %v, want errors.Is %v", err, tt.is)
			}
		})
	}
}

func TestVerifyRejectsInvalidManifest(t *testing.T) {
	m := validManifest()
	m.Artifacts[0].Path = "/etc/passwd"
	wantErr(t, m.Verify(context.Background(), t.TempDir(), 1, nil), "verify manifest", "is absolute")
}

func TestVerifyCancelled(t *testing.T) {
	base := t.TempDir()
	m := builtRelease(t, base)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := m.Verify(ctx, base, 1, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestLookup(t *testing.T) {
	m := validManifest()
	if a, ok := m.Lookup("demo-1.2.3.tar.gz"); !ok || a.Kind != KindSdist {
		t.Errorf("Lookup(sdist) = %+v, %v", a, ok)
	}
	if _, ok := m.Lookup("demo"); ok {
		t.Error("Lookup found an artifact that is not there")
	}
}
