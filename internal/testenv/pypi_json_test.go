package testenv

import (
	"io"
	"net/http"
	"testing"
)

func TestPyPIReleaseJSON(t *testing.T) {
	e := newPyPIEnv(t)
	base := e.reg.URL()
	do(t, http.MethodGet, base+"/pypi/hello-releaser/1.2.3/json", nil, nil).wantJSON(t, 404, `{"message":"Not Found"}`)

	wheel := e.form(t, sampleWheel)
	wheel.upload(t, base, "/legacy/", basic(e.token)).wantReason(t, 200, "OK")
	// A later upload does not change the release's metadata.
	e.form(t, sampleSdist).set("summary", "changed").upload(t, base, "/legacy/", basic(e.token)).wantReason(t, 200, "OK")

	do(t, http.MethodGet, base+"/pypi/hello-releaser/9.9.9/json", nil, nil).wantJSON(t, 404, `{"message":"Not Found"}`)

	r := do(t, http.MethodGet, base+"/pypi/hello-releaser/1.2.3/json", nil, nil)
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.text())
	}
	m := r.object(t)
	info := m["info"].(map[string]any)
	if info["name"] != "hello-releaser" || info["version"] != "1.2.3" || info["summary"] != "A tiny greeting library." ||
		info["requires_python"] != ">=3.9" || info["project_urls"].(map[string]any)["Homepage"] != "https://github.com/releaserhq/releaser" {
		t.Errorf("info = %v", info)
	}
	urls := m["urls"].([]any)
	if len(urls) != 2 {
		t.Fatalf("urls has %d entries, want 2", len(urls))
	}
	first := urls[0].(map[string]any)
	digests := first["digests"].(map[string]any)
	if first["filename"] != sampleWheel || first["packagetype"] != "bdist_wheel" || first["size"] != float64(len(wheel.content)) ||
		digests["sha256"] != wheel.get("sha256_digest") || digests["blake2b_256"] != wheel.get("blake2_256_digest") ||
		digests["md5"] != wheel.get("md5_digest") || first["upload_time_iso_8601"] != "2026-08-22T10:00:00.000000Z" {
		t.Errorf("urls[0] = %v", first)
	}

	// The file is served where "url" says.
	resp, err := http.Get(first["url"].(string))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(got) != string(wheel.content) {
		t.Errorf("GET url: %d, %d bytes", resp.StatusCode, len(got))
	}

	// Another spelling of the name redirects to the project's own.
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err = client.Get(base + "/pypi/Hello_Releaser/1.2.3/json")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != "/pypi/hello-releaser/1.2.3/json" {
		t.Errorf("non-canonical name: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	// "1.2.3.0" is the same release.
	if r := do(t, http.MethodGet, base+"/pypi/hello-releaser/1.2.3.0/json", nil, nil); r.status != http.StatusOK {
		t.Errorf("1.2.3.0: status %d", r.status)
	}
}

func TestPyPIVersionNormalisation(t *testing.T) {
	for _, tc := range []struct{ in, str, canonical string }{
		{"1.2.3", "1.2.3", "1.2.3"},
		{"1.0.0", "1.0.0", "1"},
		{"v1.0-Alpha.1", "1.0a1", "1a1"},
		{"2!1.0.post2.dev3", "2!1.0.post2.dev3", "2!1.post2.dev3"},
		{"1.0-1", "1.0.post1", "1.post1"},
		{"1.0RC", "1.0rc0", "1rc0"},
		{"1.0+Ubuntu-1", "1.0+ubuntu.1", "1+ubuntu.1"},
	} {
		v, ok := parsePyVersion(tc.in)
		if !ok || v.String() != tc.str || v.canonical() != tc.canonical {
			t.Errorf("%q: ok %v, str %q, canonical %q; want %q, %q", tc.in, ok, v.String(), v.canonical(), tc.str, tc.canonical)
		}
	}
	for _, bad := range []string{"", "1.x", "one", "1..2"} {
		if _, ok := parsePyVersion(bad); ok {
			t.Errorf("%q parsed as a version", bad)
		}
	}
}
