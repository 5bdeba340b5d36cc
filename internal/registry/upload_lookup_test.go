package registry

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
)

func TestLookup(t *testing.T) {
	for _, kind := range uploadKinds {
		for _, tt := range []struct {
			name   string
			stored func(f *fakeUploads) string
			want   State
		}{
			{"absent", func(*fakeUploads) string { return "" }, Absent},
			{"same", (*fakeUploads).ours, Same},
			{"different", (*fakeUploads).otherDigest, Different},
		} {
			t.Run(kind+"/"+tt.name, func(t *testing.T) {
				a := sampleArtifact(t, kind)
				f := newFakeUploads(t, a, samplePkg)
				f.setStored(tt.stored(f))
				up := mustNewUploader(t, registryOf[kind], f.srv.URL, samplePkg, testUploadOptions(nil))
				r, err := up.Lookup(context.Background(), nil, a)
				if err != nil {
					t.Fatal(err)
				}
				if r.State != tt.want {
					t.Errorf("state = %v (%s), want %v", r.State, r.Detail, tt.want)
				}
				if r.URL == "" || r.Detail == "" {
					t.Errorf("remote = %+v: want a URL and a detail", r)
				}
				if _, _, landed := f.counts(); landed != 0 {
					t.Error("a lookup uploaded something")
				}
			})
		}
	}
}

func TestPyPILookupFindsAnotherSdist(t *testing.T) {
	a := sampleArtifact(t, ArtifactSdist)
	f := newFakeUploads(t, a, samplePkg)
	f.extraFiles = []pypiFileJSON{
		{Filename: "hello_releaser-1.2.3-py3-none-any.whl", PackageType: "bdist_wheel", Digests: map[string]string{"sha256": strings.Repeat("1", 64)}},
		{Filename: "hello-releaser-1.2.3.zip", PackageType: "sdist", Digests: map[string]string{"sha256": strings.Repeat("2", 64)}},
	}
	up := mustNewUploader(t, KindPyPI, f.srv.URL, samplePkg, testUploadOptions(nil))
	r, err := up.Lookup(context.Background(), nil, a)
	if err != nil {
		t.Fatal(err)
	}
	if r.State != Different || !strings.Contains(r.Detail, "hello-releaser-1.2.3.zip") || !strings.Contains(r.Detail, "only one sdist") {
		t.Errorf("remote = %+v", r)
	}
	// A wheel does not care about other files of the release.
	w := sampleArtifact(t, ArtifactWheel)
	f.art = w
	f.extraFiles = f.extraFiles[1:]
	r, err = up.Lookup(context.Background(), nil, w)
	if err != nil || r.State != Absent {
		t.Errorf("wheel lookup = %+v, %v; want absent", r, err)
	}
}

// The project in the JSON API URL is the normalised name: PyPI redirects
// other spellings and redirects are not followed.
func TestPyPILookupNormalisesTheProject(t *testing.T) {
	a := sampleArtifact(t, ArtifactWheel)
	f := newFakeUploads(t, a, samplePkg) // answers at /pypi/hello-releaser/1.2.3/json only
	f.setStored(f.ours())
	up := mustNewUploader(t, KindPyPI, f.srv.URL, "Hello_Releaser", testUploadOptions(nil))
	r, err := up.Lookup(context.Background(), nil, a)
	if err != nil || r.State != Same {
		t.Fatalf("lookup = %+v, %v", r, err)
	}
}

func TestLookupCredentials(t *testing.T) {
	for _, kind := range uploadKinds {
		t.Run(kind, func(t *testing.T) {
			a := sampleArtifact(t, kind)
			reg := registryOf[kind]
			var mu sync.Mutex
			var auth []string
			f := newFakeUploads(t, a, samplePkg)
			inner := f.srv.Config.Handler
			f.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				auth = append(auth, r.Header.Get("Authorization"))
				mu.Unlock()
				inner.ServeHTTP(w, r)
			})
			up := mustNewUploader(t, reg, f.srv.URL, samplePkg, testUploadOptions(nil))
			tok := testToken(reg)
			if _, err := up.Lookup(context.Background(), tok, a); err != nil {
				t.Fatal(err)
			}
			if _, err := up.Lookup(context.Background(), nil, a); err != nil {
				t.Fatal(err)
			}
			want := []string{"", ""}
			if reg == KindNpm {
				want[0] = "Bearer " + tok.Value // restricted packages are invisible without it
			}
			mu.Lock()
			defer mu.Unlock()
			if len(auth) != 2 || auth[0] != want[0] || auth[1] != want[1] {
				t.Errorf("Authorization on lookups = %q, want %q", auth, want)
			}
		})
	}
}

func TestNpmLookupFallsBackToShasum(t *testing.T) {
	a := sampleArtifact(t, ArtifactNpm)
	for _, tt := range []struct {
		name, dist string
		want       State
	}{
		{"same shasum", `{"shasum":"%s"}`, Same},
		{"other shasum", `{"shasum":"0000000000000000000000000000000000000000"}`, Different},
		{"no digest at all", `{}`, Different},
		{"sha512 among several hashes", `{"integrity":"sha1-xyz %s?opt"}`, Same},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dist := tt.dist
			if strings.Contains(dist, "%s") {
				v := sha1Hex(t, a.Path)
				if strings.Contains(tt.name, "sha512") {
					v, _ = integrity(a.SHA512)
				}
				dist = strings.Replace(dist, "%s", v, 1)
			}
			f := newFakeRegistry(t, reply{status: 200, body: `{"versions":{"1.2.3":{"dist":` + dist + `}}}`})
			up := mustNewUploader(t, KindNpm, f.srv.URL, samplePkg, testUploadOptions(nil))
			r, err := up.Lookup(context.Background(), nil, a)
			if err != nil {
				t.Fatal(err)
			}
			if r.State != tt.want {
				t.Errorf("state = %v (%s), want %v", r.State, r.Detail, tt.want)
			}
		})
	}
}

func TestLookupFailures(t *testing.T) {
	a := sampleArtifact(t, ArtifactCrate)
	for _, tt := range []struct {
		name      string
		replies   []reply
		retryable bool
		status    int
		message   string
	}{
		{"5xx until retries run out", []reply{{status: 503, body: `{"errors":[{"detail":"down"}]}`}}, true, 503, "down"},
		{"a refusal", []reply{{status: 403, body: `{"errors":[{"detail":"no"}]}`}}, false, 403, "no"},
		{"not JSON", []reply{{status: 200, body: `<html>hello</html>`}}, false, 200, "not the expected JSON"},
		{"5xx then answer", []reply{{status: 502}, {status: 200, body: `{"version":{"checksum":"00"}}`}}, false, 0, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeRegistry(t, tt.replies...)
			var log retryLog
			up := mustNewUploader(t, KindCrates, f.srv.URL, samplePkg, testUploadOptions(&log))
			r, err := up.Lookup(context.Background(), nil, a)
			if tt.message == "" {
				if err != nil || r.State != Different {
					t.Fatalf("lookup = %+v, %v", r, err)
				}
				if infos := log.all(); len(infos) != 1 || !strings.HasPrefix(infos[0].Reason, "lookup: ") {
					t.Errorf("retries = %+v, want one reported as a lookup", infos)
				}
				return
			}
			ue := asUploadError(t, err)
			if ue.Retryable != tt.retryable || ue.Status != tt.status || !strings.Contains(ue.Message, tt.message) || ue.Different {
				t.Errorf("error = %+v", ue)
			}
		})
	}
}

func sha1Hex(t *testing.T, path string) string {
	t.Helper()
	h := newSHA1()
	if err := hashFile(Artifact{Path: path, Size: fileSize(t, path)}, h); err != nil {
		t.Fatal(err)
	}
	return hexSum(h)
}
