package testenv

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"os"
	"testing"
)

// mintCratesToken exchanges a fresh ID token at reg.
func mintCratesToken(t *testing.T, is *OIDCIssuer, reg *Crates) string {
	t.Helper()
	r := postJSON(t, reg.URL()+cratesTokenPath, map[string]string{"jwt": is.Mint(reg.Audience(), nil)}, nil)
	if r.status != http.StatusOK {
		t.Fatalf("exchange: %d %s", r.status, r.text())
	}
	tok, _ := r.object(t)["token"].(string)
	return tok
}

// publishBody is cargo's PUT /api/v1/crates/new body for crate bytes and metadata.
func publishBody(t *testing.T, meta map[string]any, crate []byte) []byte {
	t.Helper()
	js, err := json.Marshal(meta)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	_ = binary.Write(&b, binary.LittleEndian, uint32(len(js)))
	b.Write(js)
	_ = binary.Write(&b, binary.LittleEndian, uint32(len(crate)))
	b.Write(crate)
	return b.Bytes()
}

// sampleCrateMeta is the NewCrate JSON cargo sends for the sample crate.
func sampleCrateMeta() map[string]any {
	return map[string]any{
		"name": "hello-releaser", "vers": "1.2.3", "deps": []any{}, "features": map[string]any{},
		"authors": []any{}, "description": "A tiny greeting library, released by releaser's example workflow.",
		"license": "MIT", "repository": "https://github.com/releaserhq/releaser", "readme_file": "README.md",
		"keywords": []any{}, "categories": []any{}, "badges": map[string]any{}, "links": nil,
	}
}

// crateOf builds a small .crate whose entries are name→content.
func crateOf(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var b bytes.Buffer
	gz := gzip.NewWriter(&b)
	tw := tar.NewWriter(gz)
	for name, content := range files {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(content)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		_, _ = tw.Write([]byte(content))
	}
	_ = tw.Close()
	_ = gz.Close()
	return b.Bytes()
}

type cratesEnv struct {
	is    *OIDCIssuer
	reg   *Crates
	token string
	crate []byte
}

func newCratesEnv(t *testing.T) *cratesEnv {
	t.Helper()
	is := newIssuer(t)
	reg := NewCrates(t, is)
	reg.AddPublisher(DefaultPublisher("hello-releaser"))
	data, err := os.ReadFile(sampleArtifacts(t)[sampleCrate])
	if err != nil {
		t.Fatal(err)
	}
	return &cratesEnv{is: is, reg: reg, token: mintCratesToken(t, is, reg), crate: data}
}

func (e *cratesEnv) publish(t *testing.T, auth string, body []byte) response {
	t.Helper()
	return do(t, http.MethodPut, e.reg.URL()+"/api/v1/crates/new", body, map[string]string{"Authorization": auth, "Accept": "application/json"})
}

func TestCratesPublish(t *testing.T) {
	e := newCratesEnv(t)
	r := e.publish(t, e.token, publishBody(t, sampleCrateMeta(), e.crate))
	if r.status != http.StatusOK {
		t.Fatalf("publish: %d %s", r.status, r.text())
	}
	m := r.object(t)
	if m["crate"].(map[string]any)["name"] != "hello-releaser" || m["warnings"].(map[string]any)["other"] == nil {
		t.Errorf("GoodCrate body %s", r.body)
	}
	sum := sha256.Sum256(e.crate)
	crates := e.reg.Crates()
	if len(crates) != 1 || e.reg.Uploads() != 1 || crates[0].Checksum != hex.EncodeToString(sum[:]) ||
		crates[0].Size != int64(len(e.crate)) || crates[0].Meta["license"] != "MIT" || crates[0].Manifest["edition"] != "2021" {
		t.Fatalf("stored %+v", crates)
	}
	if kept, err := os.ReadFile(crates[0].Path); err != nil || !bytes.Equal(kept, e.crate) {
		t.Errorf("stored bytes differ (%v)", err)
	}

	// The version API answers with the checksum, under either spelling of the name.
	for _, name := range []string{"hello-releaser", "hello_releaser"} {
		v := do(t, http.MethodGet, e.reg.URL()+"/api/v1/crates/"+name+"/1.2.3", nil, nil)
		if v.status != http.StatusOK {
			t.Fatalf("GET version: %d %s", v.status, v.text())
		}
		ver := v.object(t)["version"].(map[string]any)
		if ver["checksum"] != hex.EncodeToString(sum[:]) || ver["num"] != "1.2.3" || ver["crate"] != "hello-releaser" {
			t.Errorf("version %v", ver)
		}
	}
	do(t, http.MethodGet, e.reg.URL()+"/api/v1/crates/hello-releaser/9.9.9", nil, nil).wantJSON(t, 404,
		cratesErr("crate `hello-releaser` does not have a version `9.9.9`"))
	do(t, http.MethodGet, e.reg.URL()+"/api/v1/crates/nope/1.0.0", nil, nil).wantJSON(t, 404, cratesErr("crate `nope` does not exist"))

	// A re-publish of the same version is refused, whatever the bytes; Bearer works too.
	e.publish(t, "Bearer "+e.token, publishBody(t, sampleCrateMeta(), e.crate)).wantJSON(t, 400,
		cratesErr("crate version `1.2.3` is already uploaded"))
	if e.reg.Uploads() != 1 {
		t.Errorf("Uploads() = %d after a duplicate", e.reg.Uploads())
	}
}

func TestCratesPublishRefusals(t *testing.T) {
	e := newCratesEnv(t)
	pypiIs := NewPyPI(t, e.is)
	pypiIs.AddPublisher(DefaultPublisher(""))
	pypiToken := mintPyPIToken(t, e.is, pypiIs)
	other := e.is.Mint(e.reg.Audience(), nil) // a JWT is not an upload token either
	good := publishBody(t, sampleCrateMeta(), e.crate)
	meta := func(k string, v any) []byte {
		m := sampleCrateMeta()
		m[k] = v
		return publishBody(t, m, e.crate)
	}
	noLicense := crateOf(t, map[string]string{
		"hello-releaser-1.2.3/Cargo.toml": "[package]\nname = \"hello-releaser\"\nversion = \"1.2.3\"\ndescription = \"d\"\n",
	})
	otherVersion := crateOf(t, map[string]string{
		"hello-releaser-1.2.3/Cargo.toml": "[package]\nname = \"hello-releaser\"\nversion = \"1.2.4\"\ndescription = \"d\"\nlicense = \"MIT\"\n",
	})
	for _, tc := range []struct {
		name   string
		auth   string
		body   []byte
		status int
		detail string
	}{
		{"no authorization", "", good, 403, "this action requires authentication"},
		{"a PyPI token", pypiToken, good, 401, cratesBadFormat},
		{"a JWT", "Bearer " + other, good, 401, cratesBadFormat},
		{"unknown token", newCratesToken(), good, 403, "Invalid authentication token"},
		{"new crate", e.token, meta("name", "brand-new"), 403,
			"Trusted Publishing tokens do not support creating new crates. Publish the crate manually, first"},
		{"truncated body", e.token, good[:2], 400, "invalid metadata length"},
		{"JSON length beyond the body", e.token, good[:10], 400, "invalid metadata length for remaining payload: " + itoaLen(good)},
		{"JSON too large", e.token, []byte{0, 0, 0x20, 0}, 413, "JSON metadata blob too large"},
		{"crate too large", e.token, append(publishBody(t, sampleCrateMeta(), nil)[:len(publishBody(t, sampleCrateMeta(), nil))-4], 0, 0, 0xa1, 0), 413,
			"max upload size is: 10485760"},
		{"crate shorter than its length", e.token, good[:len(good)-5], 400, "invalid tarball length for remaining payload: " + itoaInt(len(e.crate))},
		{"name unlike the tarball", e.token, meta("vers", "1.2.4"), 400, "invalid path found: hello-releaser-1.2.3/Cargo.lock"},
		{"Cargo.toml version differs", e.token, publishBody(t, sampleCrateMeta(), otherVersion), 400,
			"metadata version `1.2.3` does not match the version `1.2.4` in Cargo.toml"},
		{"no license", e.token, publishBody(t, sampleCrateMeta(), noLicense), 400,
			"missing or empty metadata fields: license. Please see https://doc.rust-lang.org/cargo/reference/manifest.html for how to upload metadata"},
		{"not gzip", e.token, publishBody(t, sampleCrateMeta(), []byte("plain")), 400,
			"uploaded tarball is malformed or too large when decompressed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.publish(t, tc.auth, tc.body).wantJSON(t, tc.status, cratesErr(tc.detail))
			if e.reg.Uploads() != 0 {
				t.Fatalf("Uploads() = %d after a refusal", e.reg.Uploads())
			}
		})
	}
}

func TestCratesPublishTokenRules(t *testing.T) {
	is := newIssuer(t)
	reg := NewCrates(t, is)
	reg.AddPublisher(DefaultPublisher("other-crate"))
	stranger := DefaultPublisher("hello-releaser")
	stranger.Repo = "another-repo"
	reg.AddPublisher(stranger)
	token := mintCratesToken(t, is, reg)
	data, _ := os.ReadFile(sampleArtifacts(t)[sampleCrate])
	body := publishBody(t, sampleCrateMeta(), data)
	put := func(auth string) response {
		return do(t, http.MethodPut, reg.URL()+"/api/v1/crates/new", body, map[string]string{"Authorization": auth})
	}
	put(token).wantJSON(t, 403, cratesErr("The provided access token is not valid for crate `hello-releaser`"))

	// Covered, but revoked or expired: unknown to crates.io.
	reg.AddPublisher(DefaultPublisher("hello-releaser"))
	revoked := mintCratesToken(t, is, reg)
	if r := do(t, http.MethodDelete, reg.URL()+cratesTokenPath, nil, map[string]string{"Authorization": "Bearer " + revoked}); r.status != 204 {
		t.Fatalf("revoke: %d", r.status)
	}
	put(revoked).wantJSON(t, 403, cratesErr("Invalid authentication token"))
	expiring := mintCratesToken(t, is, reg)
	is.Clock().Advance(cratesTokenLifetime)
	put(expiring).wantJSON(t, 403, cratesErr("Invalid authentication token"))
	if reg.Uploads() != 0 {
		t.Errorf("Uploads() = %d", reg.Uploads())
	}

	// Without a User-Agent nothing is looked at.
	r := do(t, http.MethodPut, reg.URL()+"/api/v1/crates/new", body, map[string]string{"Authorization": token, "User-Agent": ""})
	if r.status != http.StatusForbidden || !bytes.Contains(r.body, []byte("User-Agent")) {
		t.Errorf("no User-Agent: %d %s", r.status, r.text())
	}
}

func TestCratesPublishLostResponse(t *testing.T) {
	e := newCratesEnv(t)
	e.reg.Faults().Add("PUT /api/v1/crates/new", LostResponse())
	body := publishBody(t, sampleCrateMeta(), e.crate)
	req, _ := http.NewRequest(http.MethodPut, e.reg.URL()+"/api/v1/crates/new", bytes.NewReader(body))
	req.Header.Set("Authorization", e.token)
	req.Header.Set("User-Agent", testUA)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("lost response arrived: %s", resp.Status)
	}
	if e.reg.Uploads() != 1 {
		t.Fatalf("Uploads() = %d, want the version stored", e.reg.Uploads())
	}
	e.publish(t, e.token, body).wantJSON(t, 400, cratesErr("crate version `1.2.3` is already uploaded"))
}

func itoaLen(b []byte) string {
	return itoaInt(int(binary.LittleEndian.Uint32(b[:4])))
}

func itoaInt(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
