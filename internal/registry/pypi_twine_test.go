package registry

import (
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/releaserhq/releaser/internal/sample"
	"github.com/releaserhq/releaser/internal/testenv"
	"golang.org/x/crypto/blake2b"
)

// pypiToken exchanges an ID token from is for an upload token at reg.
func pypiToken(t *testing.T, is *testenv.OIDCIssuer, reg *testenv.PyPI) *Token {
	t.Helper()
	ex, err := New(KindPyPI, reg.URL(), "hello-releaser", Options{})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := ex.Exchange(context.Background(), func(context.Context) (string, error) { return is.Mint("pypi", nil), nil })
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func fileArtifact(t *testing.T, path, kind string) Artifact {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s256, s512, b2 := sha256.Sum256(b), sha512.Sum512(b), blake2b.Sum256(b)
	return Artifact{Name: filepath.Base(path), Path: path, Size: int64(len(b)), Kind: kind,
		SHA256: hex.EncodeToString(s256[:]), SHA512: hex.EncodeToString(s512[:]), BLAKE2b256: hex.EncodeToString(b2[:])}
}

// TestUploadMatchesTwine uploads the sample wheel and sdist with twine (PyPI's
// own upload client) to one PyPI emulator and with releaser to another: the
// stored files and the metadata form they were sent with must be the same.
func TestUploadMatchesTwine(t *testing.T) {
	twine := testenv.Twine(t)
	dir := t.TempDir()
	if _, err := sample.Build(sample.Options{SrcDir: "../../testdata/example", OutDir: dir, Epoch: 1700000000}); err != nil {
		t.Fatal(err)
	}
	wheel := filepath.Join(dir, "hello_releaser-1.2.3-py3-none-any.whl")
	sdist := filepath.Join(dir, "hello_releaser-1.2.3.tar.gz")

	is := testenv.NewOIDCIssuer(t)
	viaTwine, viaUs := testenv.NewPyPI(t, is), testenv.NewPyPI(t, is)
	for _, reg := range []*testenv.PyPI{viaTwine, viaUs} {
		reg.AddPublisher(testenv.DefaultPublisher("hello-releaser"))
	}
	out, err := testenv.RunTwine(t, twine, viaTwine.URL(), pypiToken(t, is, viaTwine).Value, nil, wheel, sdist)
	if err != nil {
		t.Fatalf("twine: %v\n%s", err, out)
	}
	up, err := NewUploader(KindPyPI, viaUs.URL(), "hello-releaser", UploadOptions{Version: "1.2.3"})
	if err != nil {
		t.Fatal(err)
	}
	tok := pypiToken(t, is, viaUs)
	for _, a := range []Artifact{fileArtifact(t, wheel, ArtifactWheel), fileArtifact(t, sdist, ArtifactSdist)} {
		if _, err := up.Upload(context.Background(), tok, a, nil); err != nil {
			t.Fatalf("upload %s: %v", a.Name, err)
		}
	}

	theirs, ours := viaTwine.Files("hello-releaser"), viaUs.Files("hello-releaser")
	if len(theirs) != 2 || len(ours) != 2 {
		t.Fatalf("twine stored %d files, releaser %d", len(theirs), len(ours))
	}
	// Fields twine 4.0.2 (Debian bookworm) does not know, which releaser sends
	// from the newer metadata: not a difference in what PyPI stores for older ones.
	newer := []string{"license_expression", "license_file"}
	for i := range theirs {
		a, b := theirs[i], ours[i]
		if a.Filename != b.Filename || a.SHA256 != b.SHA256 || a.BLAKE2b256 != b.BLAKE2b256 || a.Size != b.Size {
			t.Errorf("stored files differ: twine %s %s, releaser %s %s", a.Filename, a.SHA256, b.Filename, b.SHA256)
		}
		keys := map[string]bool{}
		for k := range a.Form {
			keys[k] = true
		}
		for k := range b.Form {
			keys[k] = true
		}
		for k := range keys {
			tv, ov := nonEmpty(a.Form[k]), nonEmpty(b.Form[k])
			if slices.Equal(tv, ov) || (len(tv) == 0 && slices.Contains(newer, k)) {
				continue
			}
			// releaser sends sha256 and blake2b-256 from the manifest, not
			// md5 (optional, and another read of the file); PyPI stores the
			// same file either way (compared above).
			if k == "md5_digest" && len(ov) == 0 {
				continue
			}
			// twine 4.0.2 leaves pyversion empty for an sdist; the reference
			// (and warehouse's own docs) say "source", which releaser sends.
			if k == "pyversion" && len(tv) == 0 && slices.Equal(ov, []string{"source"}) && strings.HasSuffix(a.Filename, ".tar.gz") {
				continue
			}
			t.Errorf("%s: field %q: twine sent %q, releaser %q", a.Filename, k, short(tv), short(ov))
		}
	}
}

// nonEmpty drops the empty values twine sends for absent fields.
func nonEmpty(vs []string) []string {
	var out []string
	for _, v := range vs {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

func short(vs []string) string {
	s := strings.Join(vs, " | ")
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return s
}
