package testenv

import (
	"net/http"
	"os"
	"testing"
)

// TestVerdaccioPool: a verdaccio lent twice is empty for the second borrower,
// who can publish the same version again.
func TestVerdaccioPool(t *testing.T) {
	pool := NewVerdaccioPool(t, 1)
	tgz, err := os.ReadFile(sampleArtifacts(t)[sampleNpm])
	if err != nil {
		t.Fatal(err)
	}
	var urls []string
	for _, name := range []string{"first", "second"} {
		t.Run(name, func(t *testing.T) {
			v := pool.Get(t, "hello-releaser")
			urls = append(urls, v.URL())
			is := newIssuer(t)
			reg := NewNpmRegistry(t, is, v)
			reg.AddPublisher(DefaultPublisher("hello-releaser"))
			if _, err := reg.Packument("hello-releaser"); err == nil {
				t.Fatalf("the lent verdaccio still holds hello-releaser")
			}
			pkg, _, body := npmPublishBody(t, tgz, reg.URL())
			r := do(t, http.MethodPut, reg.URL()+"/"+pkg, body, map[string]string{
				"Authorization": "Bearer " + mintNpmToken(t, is, reg, "hello-releaser"), "Content-Type": "application/json"})
			if r.status != http.StatusCreated {
				t.Fatalf("publish: %d %s", r.status, r.text())
			}
			if _, err := reg.Packument("hello-releaser"); err != nil {
				t.Fatal(err)
			}
		})
	}
	if len(urls) != 2 || urls[0] != urls[1] {
		t.Errorf("the pool of one lent %v", urls)
	}
}
