package sample

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

const (
	exampleDir = "../../testdata/example"
	testEpoch  = 1700000000
)

var wantArtifacts = []string{
	"hello_releaser-1.2.3-py3-none-any.whl",
	"hello_releaser-1.2.3.tar.gz",
	"hello-releaser-1.2.3.tgz",
	"hello-releaser-1.2.3.crate",
	"hello-releaser-1.2.3.gem",
}

// build runs Build on src into a fresh directory and returns file name -> bytes.
func build(t *testing.T, src string, epoch int64) map[string][]byte {
	t.Helper()
	out := t.TempDir()
	paths, err := Build(Options{SrcDir: src, OutDir: out, Epoch: epoch})
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	got := map[string][]byte{}
	for _, p := range paths {
		if filepath.Dir(p) != out {
			t.Fatalf("Build returned %s, outside OutDir %s", p, out)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		got[filepath.Base(p)] = b
	}
	return got
}

// copyExample copies the example's sources to a temporary directory a test may edit.
func copyExample(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	for _, name := range []string{"VERSION", "python", "npm", "rust", "ruby"} {
		root := filepath.Join(exampleDir, name)
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, err := filepath.Rel(exampleDir, p)
			if err != nil {
				return err
			}
			if d.IsDir() {
				return os.MkdirAll(filepath.Join(dst, rel), 0o755)
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

type tarMember struct {
	hdr  *tar.Header
	data []byte
}

func readTar(t *testing.T, b []byte) []tarMember {
	t.Helper()
	tr := tar.NewReader(bytes.NewReader(b))
	var out []tarMember
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("tar: %v", err)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatalf("tar %s: %v", h.Name, err)
		}
		out = append(out, tarMember{h, data})
	}
}

func gunzip(t *testing.T, b []byte) (*gzip.Header, []byte) {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("gzip: %v", err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("gzip: %v", err)
	}
	return &zr.Header, raw
}

func names(ms []tarMember) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.hdr.Name)
	}
	return out
}

func member(t *testing.T, ms []tarMember, name string) []byte {
	t.Helper()
	for _, m := range ms {
		if m.hdr.Name == name {
			return m.data
		}
	}
	t.Fatalf("archive has no %s; it has %q", name, names(ms))
	return nil
}

func readSource(t *testing.T, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(exampleDir, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
