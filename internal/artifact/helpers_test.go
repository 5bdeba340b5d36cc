package artifact

import (
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/blake2b"
)

// writeFile creates dir/rel (slash-separated) with content, making parents.
func writeFile(t *testing.T, dir, rel, content string) string {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// refDigests is the obvious one-hasher-at-a-time computation.
func refDigests(data []byte) Digests {
	s256 := sha256.Sum256(data)
	s512 := sha512.Sum512(data)
	b2 := blake2b.Sum256(data)
	return Digests{hex.EncodeToString(s256[:]), hex.EncodeToString(s512[:]), hex.EncodeToString(b2[:])}
}

// wantErr fails unless err is non-nil and contains every part.
func wantErr(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want one containing %q", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not contain %q", err, p)
		}
	}
}

func validArtifact(name, content string) Artifact {
	return Artifact{Name: name, Path: "dist/" + name, Size: int64(len(content)), Kind: DetectKind(name), Digests: refDigests([]byte(content))}
}

func validManifest() *Manifest {
	return New(Release{Name: "demo", Version: "1.2.3", Tag: "v1.2.3", Commit: strings.Repeat("a", 40)},
		[]Artifact{validArtifact("demo-1.2.3-py3-none-any.whl", "wheel"), validArtifact("demo-1.2.3.tar.gz", "sdist")})
}
