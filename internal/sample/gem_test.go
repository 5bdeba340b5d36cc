package sample

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"strings"
	"testing"
)

func TestGem(t *testing.T) {
	ms := readTar(t, build(t, exampleDir, testEpoch)["hello-releaser-1.2.3.gem"])
	if g := strings.Join(names(ms), " "); g != "metadata.gz data.tar.gz checksums.yaml.gz" {
		t.Fatalf("gem members = %s, want exactly metadata.gz data.tar.gz checksums.yaml.gz", g)
	}
	for _, m := range ms {
		if m.hdr.Mode != 0o444 || m.hdr.ModTime.Unix() != testEpoch || m.hdr.Uname != "wheel" {
			t.Errorf("%s: mode %o mtime %v uname %q, want 0444, the epoch, wheel (as gem build)", m.hdr.Name, m.hdr.Mode, m.hdr.ModTime, m.hdr.Uname)
		}
	}
	meta, data := member(t, ms, "metadata.gz"), member(t, ms, "data.tar.gz")

	t.Run("checksums", func(t *testing.T) {
		_, sums := gunzip(t, member(t, ms, "checksums.yaml.gz"))
		got := parseChecksums(t, sums)
		m256, d256 := sha256.Sum256(meta), sha256.Sum256(data)
		m512, d512 := sha512.Sum512(meta), sha512.Sum512(data)
		want := map[string]string{
			"SHA256 metadata.gz": hex.EncodeToString(m256[:]),
			"SHA256 data.tar.gz": hex.EncodeToString(d256[:]),
			"SHA512 metadata.gz": hex.EncodeToString(m512[:]),
			"SHA512 data.tar.gz": hex.EncodeToString(d512[:]),
		}
		if len(got) != len(want) {
			t.Errorf("checksums.yaml has %d digests, want %d:\n%s", len(got), len(want), sums)
		}
		for k, w := range want {
			if got[k] != w {
				t.Errorf("checksums.yaml %s = %q, want %q", k, got[k], w)
			}
		}
	})

	t.Run("data", func(t *testing.T) {
		_, raw := gunzip(t, data)
		files := readTar(t, raw)
		if g := strings.Join(names(files), " "); g != "LICENSE README.md lib/hello_releaser.rb" {
			t.Errorf("data.tar.gz files = %s", g)
		}
		if !bytes.Equal(member(t, files, "lib/hello_releaser.rb"), readSource(t, "ruby/lib/hello_releaser.rb")) {
			t.Error("lib/hello_releaser.rb differs from the source")
		}
		for _, f := range files {
			if f.hdr.Mode != 0o100644 {
				t.Errorf("%s: mode %o, want 100644 (st_mode, as RubyGems records it)", f.hdr.Name, f.hdr.Mode)
			}
		}
	})

	t.Run("metadata", func(t *testing.T) {
		_, spec := gunzip(t, meta)
		s := string(spec)
		for _, want := range []string{
			"--- !ruby/object:Gem::Specification\nname: hello-releaser\n",
			"version: !ruby/object:Gem::Version\n  version: 1.2.3\n",
			"platform: ruby\n",
			"date: 2023-11-14 00:00:00.000000000 Z\n",
			"files:\n- LICENSE\n- README.md\n- lib/hello_releaser.rb\n",
			"licenses:\n- MIT\n",
			"required_ruby_version: !ruby/object:Gem::Requirement\n  requirements:\n  - - '>='\n    - !ruby/object:Gem::Version\n      version: '2.7'\n",
			"specification_version: 4\n",
			"summary: 'A tiny greeting library, released by releaser''s example workflow.'\n",
		} {
			if !strings.Contains(s, want) {
				t.Errorf("gem spec lacks %q:\n%s", want, s)
			}
		}
	})
}

// parseChecksums reads the two-level mapping checksums.yaml holds into
// "ALGO file" -> hex.
func parseChecksums(t *testing.T, b []byte) map[string]string {
	t.Helper()
	out := map[string]string{}
	var algo string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "---":
		case strings.HasPrefix(line, "  "):
			k, v, ok := strings.Cut(strings.TrimSpace(line), ": ")
			if !ok || algo == "" {
				t.Fatalf("checksums.yaml line %q", line)
			}
			out[algo+" "+k] = v
		case strings.HasSuffix(line, ":"):
			algo = strings.TrimSuffix(line, ":")
		default:
			t.Fatalf("checksums.yaml line %q", line)
		}
	}
	return out
}
