package testenv

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/releaserhq/releaser/internal/sample"
	"golang.org/x/crypto/blake2b"
)

// twineRun runs twine upload against reg and returns its combined output.
func twineRun(t *testing.T, twine, url, token string, extra []string, files ...string) (string, error) {
	t.Helper()
	return RunTwine(t, twine, url, token, extra, files...)
}

func TestTwineUploadsToPyPIEmulator(t *testing.T) {
	twine := requireTool(t, "twine", "scripts/test-deps installs it (Debian package twine)")
	arts := sampleArtifacts(t)
	is := newIssuer(t)
	reg := NewPyPI(t, is)
	reg.AddPublisher(DefaultPublisher("hello-releaser"))
	token := mintPyPIToken(t, is, reg)
	files := []string{arts[sampleWheel], arts[sampleSdist]}

	out, err := twineRun(t, twine, reg.URL(), token, nil, files...)
	AssertNoSecrets(t, "twine output", []byte(out), reg)
	if err != nil {
		t.Fatalf("twine upload failed: %v\n%s", err, redact([]byte(out)))
	}
	stored := reg.Files("hello-releaser")
	if len(stored) != 2 || reg.Uploads() != 2 {
		t.Fatalf("stored %d files after %d uploads, want 2 and 2\n%s", len(stored), reg.Uploads(), out)
	}
	for _, f := range stored {
		data, err := os.ReadFile(arts[f.Filename])
		if err != nil {
			t.Fatalf("stored %s, which is not a sample artifact", f.Filename)
		}
		s, b := sha256.Sum256(data), blake2b.Sum256(data)
		if f.SHA256 != hex.EncodeToString(s[:]) || f.BLAKE2b256 != hex.EncodeToString(b[:]) || f.Size != int64(len(data)) {
			t.Errorf("%s stored with sha256 %s blake2 %s size %d; the file has %x %x %d",
				f.Filename, f.SHA256, f.BLAKE2b256, f.Size, s, b, len(data))
		}
		kept, err := os.ReadFile(f.Path)
		if err != nil || !bytes.Equal(kept, data) {
			t.Errorf("%s: stored bytes differ from the uploaded file (%v)", f.Filename, err)
		}
		wantCoreMetadata(t, f)
	}

	t.Run("re-upload of the same files is a no-op", func(t *testing.T) {
		out, err := twineRun(t, twine, reg.URL(), token, nil, files...)
		if err != nil {
			t.Fatalf("twine re-upload failed: %v\n%s", err, redact([]byte(out)))
		}
		if reg.Uploads() != 2 || len(reg.Files("hello-releaser")) != 2 {
			t.Errorf("re-upload stored something: %d uploads, %d files", reg.Uploads(), len(reg.Files("hello-releaser")))
		}
	})

	// A rebuild at another time has the same file name and different bytes.
	other := t.TempDir()
	if _, err := sample.Build(sample.Options{SrcDir: "../../testdata/example", OutDir: other, Epoch: 1700000000 + 400*86400}); err != nil {
		t.Fatal(err)
	}
	changed := filepath.Join(other, sampleWheel)
	t.Run("different bytes under the same name", func(t *testing.T) {
		out, err := twineRun(t, twine, reg.URL(), token, nil, changed)
		if err == nil {
			t.Fatalf("twine accepted a different file under an existing name:\n%s", out)
		}
		// twine (rich) wraps its output to the terminal width.
		flat := strings.Join(strings.Fields(out), " ")
		if !strings.Contains(flat, "400") || !strings.Contains(flat, "File already exists ('"+sampleWheel+"', with blake2_256 hash") {
			t.Errorf("twine output lacks the 400 File already exists reason:\n%s", redact([]byte(out)))
		}
	})
	t.Run("--skip-existing recognises the reason phrase", func(t *testing.T) {
		out, err := twineRun(t, twine, reg.URL(), token, []string{"--skip-existing"}, changed)
		if err != nil {
			t.Fatalf("twine --skip-existing failed: %v\n%s", err, redact([]byte(out)))
		}
		if !strings.Contains(out, "Skipping") {
			t.Errorf("twine did not report a skip:\n%s", out)
		}
	})
	if reg.Uploads() != 2 {
		t.Errorf("Uploads() = %d at the end, want 2", reg.Uploads())
	}
}

// wantCoreMetadata checks that a file's form carries the sample's core metadata, as
// the release page is built from it.
func wantCoreMetadata(t *testing.T, f PyPIFile) {
	t.Helper()
	want := map[string]string{
		"name":                     "hello-releaser",
		"version":                  "1.2.3",
		"metadata_version":         "2.4",
		"summary":                  "A tiny greeting library, released by releaser's example workflow.",
		"requires_python":          ">=3.9",
		"description_content_type": "text/markdown",
		"author_email":             "The releaser authors <maintainers@example.com>",
		":action":                  "file_upload",
		"protocol_version":         "1",
	}
	for k, v := range want {
		if got := f.Form.Get(k); got != v {
			t.Errorf("%s: form %s = %q, want %q", f.Filename, k, got, v)
		}
	}
	if d := f.Form.Get("description"); !strings.Contains(d, "# hello-releaser") {
		t.Errorf("%s: description %q lacks the README", f.Filename, d)
	}
	if c := f.Form["classifiers"]; len(c) != 4 || c[0] != "Development Status :: 5 - Production/Stable" {
		t.Errorf("%s: classifiers %q", f.Filename, c)
	}
	if u := f.Form["project_urls"]; len(u) != 2 || !strings.HasPrefix(u[0], "Homepage, ") {
		t.Errorf("%s: project_urls %q", f.Filename, u)
	}
	if _, ok := f.Form["content"]; ok {
		t.Errorf("%s: Form holds the file content", f.Filename)
	}
}
