package sample

import (
	"archive/zip"
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/csv"
	"io"
	"net/textproto"
	"strconv"
	"strings"
	"testing"
	"time"
)

func openWheel(t *testing.T, b []byte) *zip.Reader {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("wheel is not a zip: %v", err)
	}
	return zr
}

func zipFiles(t *testing.T, zr *zip.Reader) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err) // includes CRC mismatches
		}
		out[f.Name] = b
	}
	return out
}

// parseMetadata reads Core Metadata the way PyPI's email-header parsers do.
func parseMetadata(t *testing.T, b []byte) (textproto.MIMEHeader, string) {
	t.Helper()
	r := textproto.NewReader(bufio.NewReader(bytes.NewReader(b)))
	h, err := r.ReadMIMEHeader()
	if err != nil {
		t.Fatalf("metadata headers: %v", err)
	}
	body, err := io.ReadAll(r.R)
	if err != nil {
		t.Fatal(err)
	}
	return h, string(body)
}

func TestWheel(t *testing.T) {
	whl := build(t, exampleDir, testEpoch)["hello_releaser-1.2.3-py3-none-any.whl"]
	zr := openWheel(t, whl)
	files := zipFiles(t, zr)
	const di = "hello_releaser-1.2.3.dist-info/"

	var order []string
	for _, f := range zr.File {
		order = append(order, f.Name)
		if f.Method != zip.Deflate {
			t.Errorf("%s: method %d, want deflate", f.Name, f.Method)
		}
		if !f.Modified.Equal(time.Unix(testEpoch, 0)) {
			t.Errorf("%s: modified %v, want the epoch", f.Name, f.Modified)
		}
		if f.Mode().Perm() != 0o644 {
			t.Errorf("%s: mode %v, want 0644", f.Name, f.Mode())
		}
	}
	wantOrder := []string{
		"hello_releaser/__init__.py",
		di + "METADATA", di + "WHEEL", di + "licenses/LICENSE", di + "RECORD",
	}
	if strings.Join(order, "\n") != strings.Join(wantOrder, "\n") {
		t.Errorf("wheel entries = %q, want %q", order, wantOrder)
	}
	if !bytes.Equal(files["hello_releaser/__init__.py"], readSource(t, "python/src/hello_releaser/__init__.py")) {
		t.Error("__init__.py differs from the source")
	}
	if !bytes.Equal(files[di+"licenses/LICENSE"], readSource(t, "python/LICENSE")) {
		t.Error("licenses/LICENSE differs from the source")
	}

	t.Run("RECORD", func(t *testing.T) {
		rows, err := csv.NewReader(bytes.NewReader(files[di+"RECORD"])).ReadAll()
		if err != nil {
			t.Fatalf("RECORD is not CSV: %v", err)
		}
		listed := map[string]bool{}
		for _, row := range rows {
			if len(row) != 3 {
				t.Fatalf("RECORD row %q has %d fields, want 3", row, len(row))
			}
			name, hash, size := row[0], row[1], row[2]
			listed[name] = true
			if name == di+"RECORD" {
				if hash != "" || size != "" {
					t.Errorf("RECORD lists itself as %q,%q; want empty hash and size", hash, size)
				}
				continue
			}
			data, ok := files[name]
			if !ok {
				t.Errorf("RECORD lists %s, which the wheel does not have", name)
				continue
			}
			sum := sha256.Sum256(data)
			if want := "sha256=" + base64.RawURLEncoding.EncodeToString(sum[:]); hash != want {
				t.Errorf("RECORD hash of %s = %s, want %s", name, hash, want)
			}
			if size != strconv.Itoa(len(data)) {
				t.Errorf("RECORD size of %s = %s, want %d", name, size, len(data))
			}
		}
		for name := range files {
			if !listed[name] {
				t.Errorf("%s is in the wheel but not in RECORD", name)
			}
		}
	})

	t.Run("METADATA", func(t *testing.T) {
		h, body := parseMetadata(t, files[di+"METADATA"])
		for key, want := range map[string]string{
			"Metadata-Version":         "2.4",
			"Name":                     "hello-releaser",
			"Version":                  "1.2.3",
			"License-Expression":       "MIT",
			"License-File":             "LICENSE",
			"Requires-Python":          ">=3.9",
			"Description-Content-Type": "text/markdown",
			"Author-Email":             "The releaser authors <maintainers@example.com>",
		} {
			if got := h.Get(key); got != want {
				t.Errorf("%s = %q, want %q", key, got, want)
			}
		}
		if got := h.Values("Classifier"); len(got) != 4 {
			t.Errorf("Classifier = %q, want the 4 from pyproject.toml", got)
		}
		if got := h.Values("Project-Url"); len(got) != 2 || got[0] != "Homepage, https://github.com/releaserhq/releaser" {
			t.Errorf("Project-URL = %q", got)
		}
		if body != string(readSource(t, "python/README.md")) {
			t.Errorf("METADATA body is not the README:\n%s", body)
		}
	})

	t.Run("WHEEL", func(t *testing.T) {
		h, _ := parseMetadata(t, files[di+"WHEEL"])
		for key, want := range map[string]string{
			"Wheel-Version": "1.0", "Generator": "releaser-sample", "Root-Is-Purelib": "true", "Tag": "py3-none-any",
		} {
			if got := h.Get(key); got != want {
				t.Errorf("WHEEL %s = %q, want %q", key, got, want)
			}
		}
	})
}

func TestSdist(t *testing.T) {
	got := build(t, exampleDir, testEpoch)
	gzh, raw := gunzip(t, got["hello_releaser-1.2.3.tar.gz"])
	if gzh.Name != "" || gzh.ModTime.Unix() != testEpoch {
		t.Errorf("gzip header name %q mtime %v, want no name and the epoch", gzh.Name, gzh.ModTime)
	}
	ms := readTar(t, raw)
	want := []string{
		"hello_releaser-1.2.3/",
		"hello_releaser-1.2.3/LICENSE",
		"hello_releaser-1.2.3/PKG-INFO",
		"hello_releaser-1.2.3/README.md",
		"hello_releaser-1.2.3/pyproject.toml",
		"hello_releaser-1.2.3/src/",
		"hello_releaser-1.2.3/src/hello_releaser/",
		"hello_releaser-1.2.3/src/hello_releaser/__init__.py",
	}
	if g := names(ms); strings.Join(g, "\n") != strings.Join(want, "\n") {
		t.Fatalf("sdist entries = %q, want %q", g, want)
	}
	for _, m := range ms {
		h := m.hdr
		wantMode := int64(0o644)
		if strings.HasSuffix(h.Name, "/") {
			wantMode = 0o755
		}
		if h.Mode != wantMode || h.Uid != 0 || h.Gid != 0 || h.Uname != "" || h.Gname != "" || h.ModTime.Unix() != testEpoch {
			t.Errorf("%s: mode %o uid %d gid %d uname %q gname %q mtime %v; want mode %o, root, no names, the epoch",
				h.Name, h.Mode, h.Uid, h.Gid, h.Uname, h.Gname, h.ModTime, wantMode)
		}
	}
	pkgInfo := member(t, ms, "hello_releaser-1.2.3/PKG-INFO")
	whl := zipFiles(t, openWheel(t, got["hello_releaser-1.2.3-py3-none-any.whl"]))
	if !bytes.Equal(pkgInfo, whl["hello_releaser-1.2.3.dist-info/METADATA"]) {
		t.Error("PKG-INFO differs from the wheel's METADATA")
	}
	if !bytes.Equal(member(t, ms, "hello_releaser-1.2.3/pyproject.toml"), readSource(t, "python/pyproject.toml")) {
		t.Error("pyproject.toml differs from the source")
	}
}
