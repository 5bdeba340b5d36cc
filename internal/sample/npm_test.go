package sample

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestNpmTarball(t *testing.T) {
	gzh, raw := gunzip(t, build(t, exampleDir, testEpoch)["hello-releaser-1.2.3.tgz"])
	if gzh.Name != "" || !gzh.ModTime.IsZero() {
		t.Errorf("gzip header name %q mtime %v, want neither (as npm writes it)", gzh.Name, gzh.ModTime)
	}
	ms := readTar(t, raw)
	want := []string{"package/package.json", "package/index.js", "package/LICENSE", "package/README.md"}
	if g := names(ms); strings.Join(g, "\n") != strings.Join(want, "\n") {
		t.Errorf("npm entries = %q, want %q (package.json first, the rest in npm's case-insensitive order)", g, want)
	}
	npmTime := time.Date(1985, 10, 26, 8, 15, 0, 0, time.UTC)
	for _, m := range ms {
		if !strings.HasPrefix(m.hdr.Name, "package/") {
			t.Errorf("%s is not under package/", m.hdr.Name)
		}
		if m.hdr.Mode != 0o644 || !m.hdr.ModTime.Equal(npmTime) {
			t.Errorf("%s: mode %o mtime %v, want 0644 and %v", m.hdr.Name, m.hdr.Mode, m.hdr.ModTime, npmTime)
		}
	}
	pj := member(t, ms, "package/package.json")
	if !bytes.Equal(pj, readSource(t, "npm/package.json")) {
		t.Error("package.json is not the source file verbatim")
	}
	var m struct{ Name, Version string }
	if err := json.Unmarshal(pj, &m); err != nil {
		t.Fatal(err)
	}
	if m.Name != "hello-releaser" || m.Version != "1.2.3" {
		t.Errorf("package.json name %q version %q", m.Name, m.Version)
	}
}

func TestNpmTarballName(t *testing.T) {
	tests := []struct{ name, want string }{
		{"hello-releaser", "hello-releaser-1.2.3.tgz"},
		{"@releaserhq/hello", "releaserhq-hello-1.2.3.tgz"},
	}
	for _, tt := range tests {
		if got := npmTarball(tt.name, "1.2.3"); got != tt.want {
			t.Errorf("npmTarball(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}
