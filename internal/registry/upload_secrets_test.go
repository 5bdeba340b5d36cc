package registry

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"
)

func TestUploadNeverLeaksTheToken(t *testing.T) {
	for _, kind := range uploadKinds {
		reg := registryOf[kind]
		tok := testToken(reg)
		// PyPI's header carries the token base64-encoded: no canary
		// survives that, so the encoded form is checked too.
		basic := base64.StdEncoding.EncodeToString([]byte("__token__:" + tok.Value))
		for _, c := range []struct {
			name string
			c    uploadCase
		}{
			{"refusal quoting the header", uploadCase{script: []string{"echo"}}},
			{"5xx quoting the header, retried", uploadCase{script: []string{"echo503"}}},
			{"lookup quoting the header", uploadCase{script: []string{"500"}, lookupBy: []string{"echo"}}},
		} {
			t.Run(kind+"/"+c.name, func(t *testing.T) {
				run := runUpload(t, kind, c.c, nil) // runUpload checks the canary
				ue := asUploadError(t, run.err)
				assertNoUploadSecret(t, run.err, run.retries, basic)
				if c.name != "lookup quoting the header" && !strings.Contains(ue.Message+strings.Join(reasons(run.retries), " "), redacted) {
					t.Errorf("message %q and retry reasons %q: want the echoed credential shown as %s", ue.Message, reasons(run.retries), redacted)
				}
			})
		}
	}
}

func reasons(infos []RetryInfo) []string {
	var r []string
	for _, i := range infos {
		r = append(r, i.Reason)
	}
	return r
}

// npm sends the token on lookups; an echo there must be redacted too.
func TestNpmLookupNeverLeaksTheToken(t *testing.T) {
	a := sampleArtifact(t, ArtifactNpm)
	f := newFakeUploads(t, a, samplePkg)
	f.lookupBy = []string{"echo"}
	var log retryLog
	up := mustNewUploader(t, KindNpm, f.srv.URL, samplePkg, testUploadOptions(&log))
	_, err := up.Lookup(context.Background(), testToken(KindNpm), a)
	ue := asUploadError(t, err)
	if !strings.Contains(ue.Message, redacted) || len(log.all()) != 3 {
		t.Errorf("error %+v after %d retries", ue, len(log.all()))
	}
	assertNoUploadSecret(t, err, log.all())
}
