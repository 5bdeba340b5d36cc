package testenv

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// pypiEnv is a PyPI emulator with the sample project's publisher and a minted token.
type pypiEnv struct {
	is    *OIDCIssuer
	reg   *PyPI
	token string
	arts  map[string]string
}

func newPyPIEnv(t *testing.T) *pypiEnv {
	t.Helper()
	is := newIssuer(t)
	reg := NewPyPI(t, is)
	reg.AddPublisher(DefaultPublisher("hello-releaser"))
	return &pypiEnv{is: is, reg: reg, token: mintPyPIToken(t, is, reg), arts: sampleArtifacts(t)}
}

func (e *pypiEnv) form(t *testing.T, name string) *pypiForm {
	t.Helper()
	return formFor(t, e.arts[name], name)
}

// wantReason fails unless the answer has status and a reason phrase starting with want.
func (r rawResponse) wantReason(t *testing.T, status int, want string) {
	t.Helper()
	if r.status != status || !strings.HasPrefix(r.reason, want) {
		t.Fatalf("got %d %q\nwant %d %q…", r.status, r.reason, status, want)
	}
}

func TestPyPIUploadAccepts(t *testing.T) {
	e := newPyPIEnv(t)
	for _, name := range []string{sampleWheel, sampleSdist} {
		r := e.form(t, name).upload(t, e.reg.URL(), "/legacy/", basic(e.token))
		if r.status != http.StatusOK || r.reason != "OK" || len(r.body) != 0 {
			t.Fatalf("%s: %d %q %q", name, r.status, r.reason, r.body)
		}
	}
	files := e.reg.Files("Hello_Releaser")
	if len(files) != 2 || e.reg.Uploads() != 2 {
		t.Fatalf("Files = %d, Uploads = %d; want 2, 2", len(files), e.reg.Uploads())
	}
	wheel := files[0]
	want := formFor(t, e.arts[sampleWheel], sampleWheel)
	if wheel.Filename != sampleWheel || wheel.PackageType != "bdist_wheel" || wheel.PyVersion != "py3" ||
		wheel.SHA256 != want.get("sha256_digest") || wheel.BLAKE2b256 != want.get("blake2_256_digest") ||
		wheel.MD5 != want.get("md5_digest") || wheel.Size != int64(len(want.content)) {
		t.Errorf("stored wheel %+v does not match what was sent", wheel)
	}
	if got := wheel.Form["classifiers"]; len(got) != 2 || wheel.Form.Get("name") != "hello-releaser" {
		t.Errorf("stored form lost fields: %v", wheel.Form)
	}
	if kept, err := os.ReadFile(wheel.Path); err != nil || !bytes.Equal(kept, want.content) {
		t.Errorf("stored bytes differ from the upload (%v)", err)
	}
}

func TestPyPIUploadAuth(t *testing.T) {
	e := newPyPIEnv(t)
	testPyPI := NewTestPyPI(t, e.is)
	testPyPI.AddPublisher(DefaultPublisher("hello-releaser"))
	otherToken := mintPyPIToken(t, e.is, testPyPI)
	const invalidAuth = "Invalid or non-existent authentication information. See https://pypi.org/help/#invalid-auth for more information."
	for _, tc := range []struct {
		name, auth string
		status     int
		reason     string
	}{
		{"no credentials", "", 403, invalidAuth},
		{"token minted by TestPyPI", basic(otherToken), 403, invalidAuth},
		{"a crates.io token", "Bearer " + newCratesToken(), 403, invalidAuth},
		{"basic with another user", "Basic " + basic(e.token)[len("Basic "):] + "x", 403, invalidAuth},
		{"bearer scheme", "bearer " + e.token, 200, "OK"},
		{"token scheme", "Token " + e.token, 200, "OK"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.form(t, sampleWheel).upload(t, e.reg.URL(), "/legacy/", tc.auth)
			r.wantReason(t, tc.status, tc.reason)
		})
	}
}

func TestPyPIUploadTokenScope(t *testing.T) {
	is := newIssuer(t)
	reg := NewPyPI(t, is)
	reg.AddPublisher(DefaultPublisher("other-project"))
	other := DefaultPublisher("hello-releaser")
	other.Workflow = "other.yml"
	reg.AddPublisher(other)
	token := mintPyPIToken(t, is, reg)
	arts := sampleArtifacts(t)

	r := formFor(t, arts[sampleWheel], sampleWheel).upload(t, reg.URL(), "/legacy/", basic(token))
	r.wantReason(t, 403, "Invalid API Token: OIDC scoped token is not valid for project 'hello-releaser'")

	f := formFor(t, arts[sampleWheel], sampleWheel).set("name", "brand-new")
	r = f.upload(t, reg.URL(), "/legacy/", basic(token))
	r.wantReason(t, 400, "Non-user identities cannot create new projects.")

	is.Clock().Advance(pypiTokenLifetime)
	r = formFor(t, arts[sampleWheel], sampleWheel).set("name", "other-project").upload(t, reg.URL(), "/legacy/", basic(token))
	r.wantReason(t, 403, "Invalid API Token: token is expired")
	if reg.Uploads() != 0 {
		t.Errorf("Uploads() = %d after refusals", reg.Uploads())
	}
}

func TestPyPIUploadValidation(t *testing.T) {
	e := newPyPIEnv(t)
	wheel := func(t *testing.T) *pypiForm { return e.form(t, sampleWheel) }
	sdist := func(t *testing.T) *pypiForm { return e.form(t, sampleSdist) }
	help := "See " + coreMetadataHelp + " for more information."
	for _, tc := range []struct {
		name   string
		form   func(t *testing.T) *pypiForm
		status int
		reason string
	}{
		{"no :action", func(t *testing.T) *pypiForm { return wheel(t).set(":action", "") }, 404, "Not Found"},
		{"doc_upload", func(t *testing.T) *pypiForm { return wheel(t).set(":action", "doc_upload") }, 410, "Uploading documentation is no longer supported"},
		{"protocol version 2", func(t *testing.T) *pypiForm { return wheel(t).set("protocol_version", "2") }, 400, "Unknown protocol version."},
		{"missing name", func(t *testing.T) *pypiForm { return wheel(t).set("name", "") }, 400,
			"'' is an invalid value for Name. Error: This field is required. " + help},
		{"bad name", func(t *testing.T) *pypiForm { return wheel(t).set("name", "-bad") }, 400, "'-bad' is an invalid value for Name."},
		{"unknown filetype", func(t *testing.T) *pypiForm { return wheel(t).set("filetype", "bdist_egg") }, 400,
			"Invalid value for filetype. Error: Use a known file type."},
		{"wheel without pyversion", func(t *testing.T) *pypiForm { return wheel(t).set("pyversion", "") }, 400,
			"Invalid value for pyversion. Error: Python version is required for binary distribution uploads."},
		{"sdist with a python tag", func(t *testing.T) *pypiForm { return sdist(t).set("pyversion", "py3") }, 400,
			"Invalid value for pyversion. Error: Use 'source' as Python version for an sdist."},
		{"no digest", func(t *testing.T) *pypiForm {
			return wheel(t).set("md5_digest", "").set("sha256_digest", "").set("blake2_256_digest", "")
		}, 400, "Error: Include at least one message digest."},
		{"malformed sha256", func(t *testing.T) *pypiForm { return wheel(t).set("sha256_digest", "abc") }, 400,
			"Invalid value for sha256_digest. Error: Use a valid, hex-encoded, SHA256 message digest."},
		{"unknown metadata version", func(t *testing.T) *pypiForm { return wheel(t).set("metadata_version", "9.9") }, 400,
			"'9.9' is not a valid metadata version. " + help},
		{"local version", func(t *testing.T) *pypiForm { return wheel(t).set("version", "1.2.3+local") }, 400,
			"The use of local versions in <Version('1.2.3+local')> is not allowed."},
		{"no file", func(t *testing.T) *pypiForm { f := wheel(t); f.noFile = true; return f }, 400, "Upload payload does not have a file."},
		{"slash in file name", func(t *testing.T) *pypiForm { f := wheel(t); f.filename = "dir/" + sampleWheel; return f }, 400,
			`Cannot upload a file with '/' or '\' in the name.`},
		{"wheel sent as sdist", func(t *testing.T) *pypiForm { return wheel(t).set("filetype", "sdist").set("pyversion", "source") }, 400,
			"Invalid file extension: Extension .whl is invalid for filetype sdist."},
		{"image content type", func(t *testing.T) *pypiForm { f := wheel(t); f.ctype = "image/png"; return f }, 400, "Invalid distribution file."},
		{"no content type", func(t *testing.T) *pypiForm { f := wheel(t); f.ctype = ""; return f }, 400, "Invalid distribution file."},
		{"digest mismatch", func(t *testing.T) *pypiForm {
			f := wheel(t)
			f.content = append(append([]byte(nil), f.content...), 0)
			return f
		}, 400, "The digest supplied does not match a digest calculated from the uploaded file."},
		{"not a zip", func(t *testing.T) *pypiForm {
			f := wheel(t)
			f.content = []byte("not a wheel")
			f.setDigests()
			return f
		}, 400,
			"Invalid distribution file. File is not a zipfile"},
		{"sdist not PEP 625", func(t *testing.T) *pypiForm { f := sdist(t); f.filename = "hello-releaser-1.2.3.tar.gz"; return f }, 400,
			"Filename 'hello-releaser-1.2.3.tar.gz' is invalid, should be 'hello_releaser-1.2.3.tar.gz'."},
		{"sdist of another project", func(t *testing.T) *pypiForm { f := sdist(t); f.filename = "other-1.2.3.tar.gz"; return f }, 400,
			"Start filename for 'hello-releaser' with 'hello_releaser'."},
		{"wheel version differs", func(t *testing.T) *pypiForm { return wheel(t).set("version", "1.2.4") }, 400,
			"Version in filename should be '1.2.4' not '1.2.3'."},
		{"wheel named unlike its dist-info", func(t *testing.T) *pypiForm {
			f := wheel(t)
			f.filename = "Hello_Releaser-1.2.3-py3-none-any.whl"
			return f
		}, 400, "Invalid distribution file. WHEEL not found at Hello_Releaser-1.2.3.dist-info/WHEEL"},
		{"unsupported platform", func(t *testing.T) *pypiForm {
			f := wheel(t)
			f.filename = "hello_releaser-1.2.3-cp312-cp312-linux_x86_64.whl"
			return f
		}, 400, "Binary wheel 'hello_releaser-1.2.3-cp312-cp312-linux_x86_64.whl' has an unsupported platform tag 'linux_x86_64'."},
		{"license file missing from the wheel", func(t *testing.T) *pypiForm { return wheel(t).set("license_file", "COPYING") }, 400,
			"License-File COPYING does not exist in distribution file " + sampleWheel + " at hello_releaser-1.2.3.dist-info/licenses/COPYING"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.form(t).upload(t, e.reg.URL(), "/legacy/", basic(e.token)).wantReason(t, tc.status, tc.reason)
			if n := e.reg.Uploads(); n != 0 {
				t.Fatalf("Uploads() = %d after a refusal", n)
			}
			if left, _ := filepath.Glob(filepath.Join(e.reg.store.dir, "upload-*")); len(left) > 0 {
				t.Errorf("spooled files left behind: %v", left)
			}
		})
	}
}

func TestPyPIUploadFieldAsFile(t *testing.T) {
	e := newPyPIEnv(t)
	f := e.form(t, sampleWheel)
	ctype, body := f.body(t)
	// Send "summary" a second time, as a file part.
	boundary := ctype[strings.Index(ctype, "boundary=")+len("boundary="):]
	extra := "--" + boundary + "\r\nContent-Disposition: form-data; name=\"summary\"; filename=\"summary.txt\"\r\n\r\nhi\r\n"
	body = append([]byte(extra), body...)
	pypiPost(t, e.reg.URL()+"/legacy/", ctype, body, basic(e.token)).wantReason(t, 400, "summary: Should not be a tuple.")
}

func TestPyPIUploadDuplicates(t *testing.T) {
	e := newPyPIEnv(t)
	up := func(f *pypiForm) rawResponse { return f.upload(t, e.reg.URL(), "/legacy/", basic(e.token)) }
	up(e.form(t, sampleWheel)).wantReason(t, 200, "OK")
	up(e.form(t, sampleSdist)).wantReason(t, 200, "OK")

	up(e.form(t, sampleWheel)).wantReason(t, 200, "OK")
	if e.reg.Uploads() != 2 || len(e.reg.Files("hello-releaser")) != 2 {
		t.Fatalf("identical re-upload stored a file: Uploads %d", e.reg.Uploads())
	}

	changed := e.form(t, sampleWheel)
	changed.content = append(append([]byte(nil), changed.content...), '\n')
	changed.setDigests()
	r := up(changed)
	r.wantReason(t, 400, "File already exists ('"+sampleWheel+"', with blake2_256 hash '"+changed.get("blake2_256_digest")+
		"'). See https://pypi.org/help/#file-name-reuse for more information.")

	second := e.form(t, sampleSdist)
	second.filename = "hello_releaser-1.2.3.zip"
	second.content = []byte("another sdist")
	second.setDigests()
	up(second).wantReason(t, 400, "Only one sdist may be uploaded per release.")

	// Files may not be added to a release older than 14 days.
	e.is.Clock().Advance(15 * 24 * time.Hour)
	e.token = mintPyPIToken(t, e.is, e.reg)
	late := e.form(t, sampleWheel)
	late.filename = "hello_releaser-1.2.3-py2.py3-none-any.whl"
	late.content = append(append([]byte(nil), late.content...), ' ')
	late.setDigests()
	up(late).wantReason(t, 400, "Uploading new files to releases older than 14 days is not allowed.")
	if e.reg.Uploads() != 2 {
		t.Errorf("Uploads() = %d, want 2", e.reg.Uploads())
	}
}

func TestPyPIUploadLimit(t *testing.T) {
	e := newPyPIEnv(t)
	e.reg.SetUploadLimit(1 << 10)
	r := e.form(t, sampleWheel).upload(t, e.reg.URL(), "/legacy/", basic(e.token))
	r.wantReason(t, 400, "File too large. Limit for project 'hello-releaser' is 0 MB.")
}

func TestPyPIMissingTrailingSlash(t *testing.T) {
	e := newPyPIEnv(t)
	r := e.form(t, sampleWheel).upload(t, e.reg.URL(), "/legacy", basic(e.token))
	r.wantReason(t, http.StatusPermanentRedirect,
		"An upload was attempted to /legacy but the expected upload URL is /legacy/ (with a trailing slash)")
	if loc := r.header.Get("Location"); loc != "/legacy/" {
		t.Errorf("Location %q, want /legacy/", loc)
	}
	if e.reg.Uploads() != 0 {
		t.Error("the redirect stored a file")
	}
}

func TestPyPIUploadLostResponse(t *testing.T) {
	e := newPyPIEnv(t)
	e.reg.Faults().Add("POST /legacy/", LostResponse())
	ctype, body := e.form(t, sampleWheel).body(t)
	req, _ := http.NewRequest(http.MethodPost, e.reg.URL()+"/legacy/", bytes.NewReader(body))
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Authorization", basic(e.token))
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("lost response reached the client: %s", resp.Status)
	}
	if e.reg.Uploads() != 1 {
		t.Fatalf("Uploads() = %d, want the lost upload stored", e.reg.Uploads())
	}
	// The retry finds the file in place: 200, nothing stored twice.
	e.form(t, sampleWheel).upload(t, e.reg.URL(), "/legacy/", basic(e.token)).wantReason(t, 200, "OK")
	if e.reg.Uploads() != 1 {
		t.Errorf("Uploads() = %d after the retry", e.reg.Uploads())
	}
}

// get is the last value of a form field.
func (f *pypiForm) get(key string) string {
	v := ""
	for _, kv := range f.fields {
		if kv[0] == key {
			v = kv[1]
		}
	}
	return v
}
