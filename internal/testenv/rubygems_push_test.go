package testenv

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"os"
	"testing"
)

// mintRubyGemsKey exchanges a fresh ID token at reg.
func mintRubyGemsKey(t *testing.T, is *OIDCIssuer, reg *RubyGems) string {
	t.Helper()
	r := postJSON(t, reg.URL()+rubygemsExchangePath, map[string]string{"jwt": is.Mint(reg.Audience(), nil)}, nil)
	if r.status != http.StatusCreated {
		t.Fatalf("exchange: %d %s", r.status, r.text())
	}
	key, _ := r.object(t)["rubygems_api_key"].(string)
	return key
}

// gemWithSpec is a .gem whose metadata.gz holds yml (nil: no metadata.gz at all).
func gemWithSpec(t *testing.T, yml []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	add := func(name string, data []byte) {
		_ = tw.WriteHeader(&tar.Header{Name: name, Mode: 0o444, Size: int64(len(data)), Typeflag: tar.TypeReg})
		_, _ = tw.Write(data)
	}
	if yml != nil {
		var z bytes.Buffer
		gz := gzip.NewWriter(&z)
		_, _ = gz.Write(yml)
		_ = gz.Close()
		add("metadata.gz", z.Bytes())
	}
	add("data.tar.gz", []byte{})
	_ = tw.Close()
	return b.Bytes()
}

func TestRubyGemsPush(t *testing.T) {
	is := newIssuer(t)
	reg := NewRubyGems(t, is)
	reg.AddPublisher(DefaultPublisher("hello-releaser"))
	key := mintRubyGemsKey(t, is, reg)
	gem, err := os.ReadFile(sampleArtifacts(t)[sampleGem])
	if err != nil {
		t.Fatal(err)
	}
	push := func(auth string, body []byte) response {
		return do(t, http.MethodPost, reg.URL()+"/api/v1/gems", body,
			map[string]string{"Authorization": auth, "Content-Type": "application/octet-stream"})
	}
	do(t, http.MethodGet, reg.URL()+"/api/v1/versions/hello-releaser.json", nil, nil).wantText(t, 404, rubygemsNoGem)

	push(key, gem).wantText(t, 200, "Successfully registered gem: hello-releaser (1.2.3)")
	sum := sha256.Sum256(gem)
	gems := reg.Gems()
	if len(gems) != 1 || reg.Uploads() != 1 || gems[0].Name != "hello-releaser" || gems[0].Version != "1.2.3" ||
		gems[0].Platform != "ruby" || gems[0].SHA256 != hex.EncodeToString(sum[:]) || gems[0].Size != int64(len(gem)) {
		t.Fatalf("stored %+v", gems)
	}

	r := do(t, http.MethodGet, reg.URL()+"/api/v1/versions/hello-releaser.json", nil, nil)
	var versions []map[string]any
	if err := json.Unmarshal(r.body, &versions); err != nil || r.status != 200 || len(versions) != 1 {
		t.Fatalf("versions: %d %s (%v)", r.status, r.body, err)
	}
	if v := versions[0]; v["number"] != "1.2.3" || v["platform"] != "ruby" || v["sha"] != hex.EncodeToString(sum[:]) {
		t.Errorf("versions[0] = %v", v)
	}

	push(key, gem).wantText(t, 409, rubygemsRepushed)
	if reg.Uploads() != 1 {
		t.Errorf("Uploads() = %d after a re-push", reg.Uploads())
	}
}

func TestRubyGemsPushRefusals(t *testing.T) {
	is := newIssuer(t)
	reg := NewRubyGems(t, is)
	reg.AddPublisher(DefaultPublisher("hello-releaser"))
	key := mintRubyGemsKey(t, is, reg)
	other := NewRubyGems(t, is)
	other.AddPublisher(DefaultPublisher(""))
	otherKey := mintRubyGemsKey(t, is, other)
	gem, _ := os.ReadFile(sampleArtifacts(t)[sampleGem])
	strange := gemWithSpec(t, []byte("--- !ruby/object:Gem::Specification\nname: someone-else\nversion: !ruby/object:Gem::Version\n  version: 0.1.0\nplatform: ruby\n"))
	for _, tc := range []struct {
		name, auth string
		body       []byte
		status     int
		text       string
	}{
		{"no key", "", gem, 401, rubygemsDenied},
		{"Bearer prefix makes another key", "Bearer " + key, gem, 401, rubygemsDenied},
		{"key of another registry", otherKey, gem, 401, rubygemsDenied},
		{"gem the publisher does not own", key, strange, 403, rubygemsNotOwner},
		{"not a gem", key, []byte("not a tar"), 422, gemProblem("package is corrupt: unexpected EOF")},
		{"no metadata", key, gemWithSpec(t, nil), 422, gemProblem("package metadata is missing")},
		{"no version", key, gemWithSpec(t, []byte("--- !ruby/object:Gem::Specification\nname: hello-releaser\n")), 422,
			gemProblem("missing value for attribute name or version")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			do(t, http.MethodPost, reg.URL()+"/api/v1/gems", tc.body, map[string]string{"Authorization": tc.auth}).wantText(t, tc.status, tc.text)
			if reg.Uploads() != 0 {
				t.Fatalf("Uploads() = %d after a refusal", reg.Uploads())
			}
		})
	}
	is.Clock().Advance(rubygemsTokenLifetime)
	do(t, http.MethodPost, reg.URL()+"/api/v1/gems", gem, map[string]string{"Authorization": key}).wantText(t, 401, rubygemsDenied)
}

func TestRubyGemsPushLostResponse(t *testing.T) {
	is := newIssuer(t)
	reg := NewRubyGems(t, is)
	reg.AddPublisher(DefaultPublisher("hello-releaser"))
	key := mintRubyGemsKey(t, is, reg)
	gem, _ := os.ReadFile(sampleArtifacts(t)[sampleGem])
	reg.Faults().Add("POST /api/v1/gems", LostResponse())
	req, _ := http.NewRequest(http.MethodPost, reg.URL()+"/api/v1/gems", bytes.NewReader(gem))
	req.Header.Set("Authorization", key)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("lost response arrived: %s", resp.Status)
	}
	if reg.Uploads() != 1 {
		t.Fatalf("Uploads() = %d, want the gem stored", reg.Uploads())
	}
	do(t, http.MethodPost, reg.URL()+"/api/v1/gems", gem, map[string]string{"Authorization": key}).wantText(t, 409, rubygemsRepushed)
}

func TestParseGemSpecYAML(t *testing.T) {
	for _, tc := range []struct {
		yml                     string
		name, version, platform string
	}{
		{"name: a\nversion: !ruby/object:Gem::Version\n  version: 1.0.0\nplatform: ruby\n", "a", "1.0.0", "ruby"},
		{"name: 'a-b'\nversion: !ruby/object:Gem::Version\n  version: '2.0'\nplatform: x86_64-linux\n", "a-b", "2.0", "x86_64-linux"},
		{"name: \"q\"\nversion: !ruby/object:Gem::Version\n  version: 3.1.pre\n", "q", "3.1.pre", "ruby"},
	} {
		g, err := parseGemSpecYAML(tc.yml)
		if err != nil || g.name != tc.name || g.version != tc.version || g.platform != tc.platform {
			t.Errorf("%q: %+v, %v", tc.yml, g, err)
		}
	}
	if g, _ := parseGemSpecYAML("name: x\nversion: !ruby/object:Gem::Version\n  version: 1\nplatform: x86_64-linux\n"); g.fullVersion() != "1-x86_64-linux" {
		t.Errorf("fullVersion %q", g.fullVersion())
	}
}

// wantText fails unless the answer is status with exactly text as its body.
func (r response) wantText(t *testing.T, status int, text string) {
	t.Helper()
	if r.status != status || string(r.body) != text {
		t.Fatalf("got %d %q\nwant %d %q", r.status, r.body, status, text)
	}
}
