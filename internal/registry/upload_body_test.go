package registry

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/iotest"

	"github.com/releaserhq/releaser/internal/pkgmeta"
)

func TestBase64Reader(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for _, n := range []int{0, 1, 2, 3, 4, 5, 3*4096 - 1, 3 * 4096, 3*4096 + 1, 100_003} {
		src := make([]byte, n)
		rng.Read(src)
		want := base64.StdEncoding.EncodeToString(src)
		for name, wrap := range map[string]func(io.Reader) io.Reader{
			"whole":          func(r io.Reader) io.Reader { return r },
			"one byte reads": iotest.OneByteReader,
			"half reads":     iotest.HalfReader,
		} {
			got, err := io.ReadAll(wrap(&base64Reader{src: iotest.HalfReader(bytes.NewReader(src))}))
			if err != nil || string(got) != want {
				t.Errorf("%d bytes, %s: got %d chars (%v), want %d", n, name, len(got), err, len(want))
			}
		}
		if int64(len(want)) != base64Len(int64(n)) {
			t.Errorf("base64Len(%d) = %d, want %d", n, base64Len(int64(n)), len(want))
		}
	}
}

func TestBase64ReaderPassesErrorsOn(t *testing.T) {
	boom := errors.New("boom")
	_, err := io.ReadAll(&base64Reader{src: iotest.ErrReader(boom)})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	// A file that shrinks is an error, not a short attachment.
	_, err = io.ReadAll(&base64Reader{src: &fileReader{f: tempFile(t, 10), left: 20}})
	if !errors.Is(err, errShrank) {
		t.Fatalf("err = %v, want errShrank", err)
	}
}

func TestFileReader(t *testing.T) {
	f := tempFile(t, 10)
	var seen []int64
	got, err := io.ReadAll(newFileReader(f, 10, func(n int64) { seen = append(seen, n) }))
	if err != nil || len(got) != 10 || len(seen) == 0 || seen[len(seen)-1] != 10 {
		t.Fatalf("read %d bytes (%v), progress %v", len(got), err, seen)
	}
	// A file that grew is cut at the manifest's size; one that shrank fails.
	if got, err := io.ReadAll(newFileReader(tempFile(t, 20), 10, nil)); err != nil || len(got) != 10 {
		t.Errorf("grown file: %d bytes, %v", len(got), err)
	}
	if _, err := io.ReadAll(newFileReader(tempFile(t, 5), 10, nil)); !errors.Is(err, errShrank) {
		t.Errorf("shrunk file: err = %v", err)
	}
}

func tempFile(t *testing.T, n int) *os.File {
	t.Helper()
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, bytes.Repeat([]byte("x"), n), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestUploadProgress(t *testing.T) {
	for _, kind := range uploadKinds {
		t.Run(kind, func(t *testing.T) {
			a := sampleArtifact(t, kind)
			f := newFakeUploads(t, a, samplePkg)
			f.script = []string{"500", "ok"} // progress starts again with the second attempt
			reg := registryOf[kind]
			up := mustNewUploader(t, reg, f.srv.URL, samplePkg, testUploadOptions(nil))
			var mu sync.Mutex
			var seen []int64
			_, err := up.Upload(context.Background(), testToken(reg), a, func(n int64) {
				mu.Lock()
				seen = append(seen, n)
				mu.Unlock()
			})
			if err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(seen) == 0 || seen[len(seen)-1] != a.Size {
				t.Fatalf("progress %v, want it to end at the size %d", seen, a.Size)
			}
			restarts := 0
			for i := 1; i < len(seen); i++ {
				if seen[i] <= seen[i-1] { // within an attempt it only grows
					restarts++
				}
				if seen[i] > a.Size {
					t.Errorf("progress %d beyond the size %d", seen[i], a.Size)
				}
			}
			if restarts != 1 {
				t.Errorf("progress %v restarted %d times, want once (two attempts)", seen, restarts)
			}
		})
	}
}

func TestPyPIFormMapping(t *testing.T) {
	meta, err := pkgmeta.ParseCoreMetadata([]byte("Metadata-Version: 2.1\nName: Demo\nVersion: 1.0\n" +
		"Summary: first\nSummary: second\nHome-page: https://example.com\nKeywords: a,b\n" +
		"Requires-Dist: x\nrequires-dist: y\nX-Unknown: z\nDescription: folded\n       |more\n" +
		"Platform: any\nSupported-Platform: linux\nImport-Name: demo\nDynamic: Requires-Dist\n"))
	if err != nil {
		t.Fatal(err)
	}
	p := &pkgmeta.Python{Filename: "demo-1.0.tar.gz", Filetype: pkgmeta.FiletypeSdist, PyVersion: "source", Metadata: meta}
	got := pypiForm(p, Artifact{SHA256: "s", BLAKE2b256: "b"})
	want := []formField{
		{":action", "file_upload"}, {"protocol_version", "1"}, {"name", "Demo"}, {"version", "1.0"},
		{"filetype", "sdist"}, {"pyversion", "source"}, {"metadata_version", "2.1"},
		{"summary", "first"}, {"home_page", "https://example.com"}, {"keywords", "a,b"},
		{"requires_dist", "x"}, {"requires_dist", "y"}, {"platform", "any"}, {"supported_platform", "linux"},
		{"import_name", "demo"}, {"dynamic", "Requires-Dist"},
		{"description", "folded\n       |more"},
		{"sha256_digest", "s"}, {"blake2_256_digest", "b"},
	}
	if len(got) != len(want) {
		t.Fatalf("fields:\n got %q\nwant %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("field %d = %q, want %q", i, got[i], want[i])
		}
	}
}

func TestMultipartLayoutIsAValidForm(t *testing.T) {
	layout, err := newMultipart([]formField{{"a", "1"}, {"b", "two\r\nlines"}}, `we"ird.whl`)
	if err != nil {
		t.Fatal(err)
	}
	body := append(append(append([]byte(nil), layout.head...), "FILE"...), layout.tail...)
	fields, content, filename, ctype := parseMultipart(t, upload{header: map[string][]string{"Content-Type": {layout.contentType}}, body: body})
	if len(fields) != 2 || fields[1] != [2]string{"b", "two\r\nlines"} || string(content) != "FILE" || filename != `we"ird.whl` || ctype != "application/octet-stream" {
		t.Errorf("fields %q, content %q, filename %q, type %q", fields, content, filename, ctype)
	}
	if !strings.HasPrefix(string(layout.tail), "\r\n--") {
		t.Errorf("tail %q", layout.tail)
	}
}

func TestUploadErrorString(t *testing.T) {
	tests := []struct {
		e    *UploadError
		want string
	}{
		{&UploadError{Registry: "PyPI", Artifact: "a.whl", Status: 400, Message: "File already exists"}, "PyPI: a.whl: HTTP 400: File already exists"},
		{&UploadError{Registry: "npm", Artifact: "a.tgz", Message: "request failed"}, "npm: a.tgz: request failed"},
		{&UploadError{Status: 503}, "registry: HTTP 503: Service Unavailable"},
		{nil, "registry: <nil UploadError>"},
	}
	for _, tt := range tests {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

func TestStateAndOutcomeStrings(t *testing.T) {
	if Absent.String() != "absent" || Same.String() != "same" || Different.String() != "different" || State(9).String() != "State(9)" {
		t.Error("State strings")
	}
	if Published.String() != "published" || AlreadyPublished.String() != "already published" || Outcome(9).String() != "Outcome(9)" {
		t.Error("Outcome strings")
	}
}
