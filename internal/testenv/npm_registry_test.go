package testenv

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha1"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// npmPublishBody is the document `npm publish` PUTs for a tarball (reference §4.3).
func npmPublishBody(t *testing.T, tgz []byte, registry string) (name, version string, body []byte) {
	t.Helper()
	gz, err := gzip.NewReader(bytes.NewReader(tgz))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	var manifest map[string]any
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Name == "package/package.json" {
			if err := json.NewDecoder(tr).Decode(&manifest); err != nil {
				t.Fatal(err)
			}
		}
	}
	name, _ = manifest["name"].(string)
	version, _ = manifest["version"].(string)
	s512, s1 := sha512.Sum512(tgz), sha1.Sum(tgz)
	file := name + "-" + version + ".tgz"
	manifest["_id"] = name + "@" + version
	manifest["dist"] = map[string]any{
		"integrity": "sha512-" + base64.StdEncoding.EncodeToString(s512[:]),
		"shasum":    hex.EncodeToString(s1[:]),
		"tarball":   registry + "/" + name + "/-/" + file,
	}
	body, err = json.Marshal(map[string]any{
		"_id": name, "name": name, "description": manifest["description"],
		"dist-tags": map[string]string{"latest": version},
		"versions":  map[string]any{version: manifest},
		"access":    "public",
		"_attachments": map[string]any{file: map[string]any{
			"content_type": "application/octet-stream", "data": base64.StdEncoding.EncodeToString(tgz), "length": len(tgz),
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return name, version, body
}

// mintNpmToken exchanges a fresh ID token for pkg at reg.
func mintNpmToken(t *testing.T, is *OIDCIssuer, reg *Npm, pkg string) string {
	t.Helper()
	r := do(t, http.MethodPost, reg.URL()+"/-/npm/v1/oidc/token/exchange/package/"+pkg, nil,
		map[string]string{"Authorization": "Bearer " + is.Mint(reg.Audience(), nil), "Content-Type": "application/json"})
	if r.status != http.StatusCreated {
		t.Fatalf("exchange: %d %s", r.status, r.text())
	}
	tok, _ := r.object(t)["token"].(string)
	return tok
}

func TestNpmRegistryOverVerdaccio(t *testing.T) {
	v := StartVerdaccio(t)
	is := newIssuer(t)
	reg := NewNpmRegistry(t, is, v)
	reg.AddPublisher(DefaultPublisher("hello-releaser"))
	tgz, err := os.ReadFile(sampleArtifacts(t)[sampleNpm])
	if err != nil {
		t.Fatal(err)
	}
	name, version, body := npmPublishBody(t, tgz, reg.URL())
	put := func(auth string, body []byte) response {
		return do(t, http.MethodPut, reg.URL()+"/"+name, body, map[string]string{"Authorization": auth, "Content-Type": "application/json"})
	}

	// The exchange keeps the emulator's rules and answers.
	r := do(t, http.MethodPost, reg.URL()+"/-/npm/v1/oidc/token/exchange/package/hello-releaser", nil,
		map[string]string{"Authorization": "Bearer " + is.MintTampered(reg.Audience(), Expired)})
	r.wantJSON(t, 401, `{"message":"`+npmUnauthorized+`"}`)
	r = do(t, http.MethodPost, reg.URL()+"/-/npm/v1/oidc/token/exchange/package/other", nil,
		map[string]string{"Authorization": "Bearer " + is.Mint(reg.Audience(), nil)})
	r.wantJSON(t, 404, `{"message":"`+npmNotFound+`"}`)

	token := mintNpmToken(t, is, reg, "hello-releaser")
	if issued := reg.Issued(); len(issued) != 1 || issued[0] != token || strings.HasPrefix(token, "npm_") {
		t.Fatalf("Issued() = %d tokens; want the one verdaccio token served", len(issued))
	}

	if r := put("", body); r.status/100 == 2 {
		t.Fatalf("verdaccio accepted a publish without credentials: %d", r.status)
	}
	if r := put("Bearer "+newCratesToken(), body); r.status/100 == 2 {
		t.Fatalf("verdaccio accepted a token it never issued: %d", r.status)
	}
	if r := put("Bearer "+token, body); r.status != http.StatusCreated {
		t.Fatalf("publish: %d %s", r.status, r.text())
	}
	if reg.Uploads() != 1 {
		t.Fatalf("Uploads() = %d, want 1", reg.Uploads())
	}
	doc, err := reg.Packument(name)
	if err != nil {
		t.Fatal(err)
	}
	ver := doc["versions"].(map[string]any)[version].(map[string]any)
	dist := ver["dist"].(map[string]any)
	s512 := sha512.Sum512(tgz)
	if dist["integrity"] != "sha512-"+base64.StdEncoding.EncodeToString(s512[:]) {
		t.Errorf("dist = %v", dist)
	}
	// Read through the front, the packument's tarball URL points at the front, which
	// serves the tarball byte for byte.
	front := do(t, http.MethodGet, reg.URL()+"/"+name, nil, nil).object(t)
	tarball, _ := front["versions"].(map[string]any)[version].(map[string]any)["dist"].(map[string]any)["tarball"].(string)
	if !strings.HasPrefix(tarball, reg.URL()+"/") {
		t.Errorf("tarball URL %q is not under the front %s", tarball, reg.URL())
	}
	resp, err := http.Get(tarball)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Equal(got, tgz) {
		t.Errorf("tarball download: %d, %d bytes", resp.StatusCode, len(got))
	}

	// Publishing the version again is refused by verdaccio and not counted.
	if r := put("Bearer "+token, body); r.status/100 == 2 {
		t.Errorf("re-publish accepted: %d", r.status)
	}
	if reg.Uploads() != 1 {
		t.Errorf("Uploads() = %d after a refused re-publish", reg.Uploads())
	}
	if _, err := reg.Packument("never-published"); err == nil {
		t.Error("Packument of an unknown package succeeded")
	}
}

func TestNpmRegistryFaultsAndRealClient(t *testing.T) {
	v := StartVerdaccio(t)
	is := newIssuer(t)
	reg := NewNpmRegistry(t, is, v)
	reg.AddPublisher(DefaultPublisher("hello-releaser"))
	token := mintNpmToken(t, is, reg, "hello-releaser")
	tgzPath := sampleArtifacts(t)[sampleNpm]

	t.Run("lost response: verdaccio stored it", func(t *testing.T) {
		tgz, _ := os.ReadFile(tgzPath)
		name, version, body := npmPublishBody(t, tgz, reg.URL())
		reg.Faults().Add("PUT /"+name, LostResponse())
		req, _ := http.NewRequest(http.MethodPut, reg.URL()+"/"+name, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			t.Fatalf("lost response arrived: %s", resp.Status)
		}
		doc, err := reg.Packument(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := doc["versions"].(map[string]any)[version]; !ok {
			t.Errorf("version %s missing after a lost response", version)
		}
	})

	t.Run("npm publish through the front", func(t *testing.T) {
		npm := requireTool(t, "npm", "install Node.js and npm")
		// A second version of the sample, packed by renaming the version in its
		// package.json, so the real client has something new to publish.
		tgz := repackNpmVersion(t, tgzPath, "1.2.4")
		dir := t.TempDir()
		file := filepath.Join(dir, "hello-releaser-1.2.4.tgz")
		if err := os.WriteFile(file, tgz, 0o644); err != nil {
			t.Fatal(err)
		}
		host := strings.TrimPrefix(reg.URL(), "http:")
		rc := filepath.Join(dir, ".npmrc")
		if err := os.WriteFile(rc, []byte(host+"/:_authToken="+token+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, npm, "publish", file, "--registry", reg.URL()+"/", "--access", "public",
			"--provenance=false", "--ignore-scripts")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "NPM_CONFIG_USERCONFIG="+rc, "NPM_CONFIG_CACHE="+filepath.Join(dir, "cache"),
			"NPM_CONFIG_UPDATE_NOTIFIER=false", "NPM_CONFIG_AUDIT=false", "NPM_CONFIG_FUND=false")
		out, err := cmd.CombinedOutput()
		AssertNoSecrets(t, "npm output", out, reg)
		if err != nil {
			t.Fatalf("npm publish: %v\n%s", err, out)
		}
		doc, err := reg.Packument("hello-releaser")
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := doc["versions"].(map[string]any)["1.2.4"]; !ok {
			t.Errorf("npm publish did not land 1.2.4: %v", doc["versions"])
		}
	})
}

// repackNpmVersion rewrites package/package.json's version in an npm tarball.
func repackNpmVersion(t *testing.T, path, version string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	gz, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	var out bytes.Buffer
	zw := gzip.NewWriter(&out)
	tw := tar.NewWriter(zw)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(tr)
		if h.Name == "package/package.json" {
			var m map[string]any
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
			m["version"] = version
			b, _ = json.MarshalIndent(m, "", "  ")
			h.Size = int64(len(b))
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		_, _ = tw.Write(b)
	}
	_ = tw.Close()
	_ = zw.Close()
	return out.Bytes()
}
