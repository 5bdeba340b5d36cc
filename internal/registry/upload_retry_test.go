package registry

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

// uploadCase runs one upload of the sample artifact of kind against a
// fake whose script and stored state the test sets.
type uploadCase struct {
	script   []string
	lookupBy []string
	stored   func(f *fakeUploads) string
}

type uploadRun struct {
	res                      Result
	err                      error
	uploads, lookups, landed int
	retries                  []RetryInfo
	f                        *fakeUploads
}

func runUpload(t *testing.T, kind string, c uploadCase, opts func(*UploadOptions)) uploadRun {
	t.Helper()
	a := sampleArtifact(t, kind)
	f := newFakeUploads(t, a, samplePkg)
	f.script, f.lookupBy = c.script, c.lookupBy
	if c.stored != nil {
		f.setStored(c.stored(f))
	}
	var log retryLog
	o := testUploadOptions(&log)
	if opts != nil {
		opts(&o)
	}
	reg := registryOf[kind]
	up := mustNewUploader(t, reg, f.srv.URL, samplePkg, o)
	res, err := up.Upload(context.Background(), testToken(reg), a, nil)
	run := uploadRun{res: res, err: err, retries: log.all(), f: f}
	run.uploads, run.lookups, run.landed = f.counts()
	assertNoUploadSecret(t, err, run.retries)
	return run
}

func TestUploadDuplicateIsResolvedByLookup(t *testing.T) {
	for _, kind := range uploadKinds {
		dups := []string{"dup"}
		if kind == ArtifactNpm {
			dups = append(dups, "dup409") // verdaccio's answer
		}
		for _, dup := range dups {
			t.Run(kind+"/"+dup+"/same file", func(t *testing.T) {
				run := runUpload(t, kind, uploadCase{script: []string{dup}, stored: (*fakeUploads).ours}, nil)
				if run.err != nil {
					t.Fatal(run.err)
				}
				if run.res.Outcome != AlreadyPublished || run.res.URL == "" {
					t.Errorf("result = %+v, want already published with a URL", run.res)
				}
				if run.uploads != 1 || run.lookups != 1 || len(run.retries) != 0 {
					t.Errorf("%d uploads, %d lookups, %d retries; want 1, 1, 0", run.uploads, run.lookups, len(run.retries))
				}
			})
			t.Run(kind+"/"+dup+"/different file", func(t *testing.T) {
				run := runUpload(t, kind, uploadCase{script: []string{dup}, stored: (*fakeUploads).otherDigest}, nil)
				ue := asUploadError(t, run.err)
				if !ue.Different || ue.Retryable || ue.Status == 0 || ue.Artifact != sampleFiles[kind] {
					t.Errorf("error = %+v, want Different with the refusal's status", ue)
				}
				if run.uploads != 1 {
					t.Errorf("%d uploads, want 1", run.uploads)
				}
			})
			t.Run(kind+"/"+dup+"/lookup sees nothing", func(t *testing.T) {
				run := runUpload(t, kind, uploadCase{script: []string{dup}}, nil)
				ue := asUploadError(t, run.err)
				if ue.Different || !ue.Retryable || !strings.Contains(ue.Fix, "caches") {
					t.Errorf("error = %+v", ue)
				}
				if run.uploads != 1 {
					t.Errorf("%d uploads, want 1", run.uploads)
				}
			})
		}
	}
}

func TestUploadRetries(t *testing.T) {
	tests := []struct {
		name    string
		c       uploadCase
		outcome Outcome
		// errWant, when set, is checked instead of the outcome.
		errWant                  func(t *testing.T, ue *UploadError)
		uploads, lookups, landed int
		retries                  int
	}{
		{
			name: "500 then success: looked up, then sent again",
			c:    uploadCase{script: []string{"500", "ok"}}, outcome: Published,
			uploads: 2, lookups: 1, landed: 1, retries: 1,
		},
		{
			name: "stored then 500: the lookup finds it, no second upload",
			c:    uploadCase{script: []string{"stored-500"}}, outcome: AlreadyPublished,
			uploads: 1, lookups: 1, landed: 1, retries: 1,
		},
		{
			name: "response lost after landing: exactly one upload",
			c:    uploadCase{script: []string{"lost"}}, outcome: AlreadyPublished,
			uploads: 1, lookups: 1, landed: 1, retries: 1,
		},
		{
			name: "connection reset mid-body, then success",
			c:    uploadCase{script: []string{"reset-mid-body", "ok"}}, outcome: Published,
			uploads: 2, lookups: 1, landed: 1, retries: 1,
		},
		{
			name: "a different file appears after a failure: stop without re-sending",
			c:    uploadCase{script: []string{"500"}, stored: (*fakeUploads).otherDigest},
			errWant: func(t *testing.T, ue *UploadError) {
				if !ue.Different || ue.Retryable {
					t.Errorf("error = %+v, want Different", ue)
				}
			},
			uploads: 1, lookups: 1, landed: 0, retries: 1,
		},
		{
			name: "5xx until retries run out",
			c:    uploadCase{script: []string{"503"}},
			errWant: func(t *testing.T, ue *UploadError) {
				if !ue.Retryable || ue.Different || ue.Status != 503 {
					t.Errorf("error = %+v, want retryable 503", ue)
				}
			},
			uploads: 4, lookups: 3, landed: 0, retries: 3,
		},
		{
			name: "a refusal is not retried",
			c:    uploadCase{script: []string{"422"}},
			errWant: func(t *testing.T, ue *UploadError) {
				if ue.Retryable || ue.Different || ue.Status != 422 || !strings.Contains(ue.Message, "scripted failure") {
					t.Errorf("error = %+v", ue)
				}
			},
			uploads: 1, lookups: 0, landed: 0, retries: 0,
		},
		{
			name: "the lookup fails too: never re-sent blindly",
			c:    uploadCase{script: []string{"500", "ok"}, lookupBy: []string{"500"}},
			errWant: func(t *testing.T, ue *UploadError) {
				if !ue.Retryable || !strings.Contains(ue.Message, "checking whether the upload landed failed") {
					t.Errorf("error = %+v", ue)
				}
			},
			uploads: 1, lookups: 4, landed: 0, retries: 4, // the upload's retry, then the lookup's three
		},
	}
	for _, kind := range uploadKinds {
		for _, tt := range tests {
			t.Run(kind+"/"+tt.name, func(t *testing.T) {
				run := runUpload(t, kind, tt.c, nil)
				if tt.errWant != nil {
					tt.errWant(t, asUploadError(t, run.err))
				} else if run.err != nil {
					t.Fatal(run.err)
				} else if run.res.Outcome != tt.outcome {
					t.Errorf("outcome = %v, want %v", run.res.Outcome, tt.outcome)
				}
				if run.uploads != tt.uploads || run.lookups != tt.lookups || run.landed != tt.landed {
					t.Errorf("%d uploads, %d lookups, %d landed; want %d, %d, %d", run.uploads, run.lookups, run.landed, tt.uploads, tt.lookups, tt.landed)
				}
				if len(run.retries) != tt.retries {
					t.Errorf("%d retries reported (%+v), want %d", len(run.retries), run.retries, tt.retries)
				}
				for i, r := range run.retries {
					if r.Registry != registryOf[kind] || r.Attempt < 2 || r.Reason == "" {
						t.Errorf("retry %d = %+v", i, r)
					}
				}
			})
		}
	}
}

func TestUploadHonoursRetryAfter(t *testing.T) {
	run := runUpload(t, ArtifactCrate, uploadCase{script: []string{"429", "ok"}}, func(o *UploadOptions) {
		o.RetryWaitMax = 2 * time.Second // above the Retry-After: 1 the fake sends
	})
	if run.err != nil || run.res.Outcome != Published {
		t.Fatalf("result %+v, %v", run.res, run.err)
	}
	if len(run.retries) != 1 || run.retries[0].Status != http.StatusTooManyRequests || run.retries[0].Wait != time.Second {
		t.Errorf("retries = %+v, want one after 429 waiting the 1 s Retry-After", run.retries)
	}
	if run.uploads != 2 || run.lookups != 1 {
		t.Errorf("%d uploads, %d lookups; want 2, 1", run.uploads, run.lookups)
	}
}

func TestUploadGivesUpWhenTheBudgetIsSpent(t *testing.T) {
	run := runUpload(t, ArtifactGem, uploadCase{script: []string{"503"}}, func(o *UploadOptions) {
		o.RetryMax = 1000
		o.RetryWaitMin = 20 * time.Millisecond
		o.RetryWaitMax = 20 * time.Millisecond
		o.MaxElapsed = 100 * time.Millisecond
	})
	ue := asUploadError(t, run.err)
	if !ue.Retryable || !strings.Contains(ue.Message, "gave up after 100ms") || !strings.Contains(ue.Message, "last failure") {
		t.Errorf("error = %+v", ue)
	}
	if run.uploads >= 1000 {
		t.Errorf("%d uploads: the budget did not stop the retries", run.uploads)
	}
}

func TestUploadCancelled(t *testing.T) {
	a := sampleArtifact(t, ArtifactGem)
	f := newFakeUploads(t, a, samplePkg)
	f.script = []string{"503"}
	ctx, cancel := context.WithCancel(context.Background())
	o := testUploadOptions(nil)
	o.OnRetry = func(RetryInfo) { cancel() }
	up := mustNewUploader(t, KindRubyGems, f.srv.URL, samplePkg, o)
	_, err := up.Upload(ctx, testToken(KindRubyGems), a, nil)
	if err == nil || !strings.Contains(err.Error(), context.Canceled.Error()) {
		t.Fatalf("err = %v, want the cancellation", err)
	}
}

func TestUploadRedirectIsNotFollowed(t *testing.T) {
	target := newFakeRegistry(t, reply{status: 200})
	a := sampleArtifact(t, ArtifactGem)
	f := newFakeRegistry(t, reply{status: http.StatusTemporaryRedirect, header: map[string]string{"Location": target.srv.URL + "/api/v1/gems"}})
	up := mustNewUploader(t, KindRubyGems, f.srv.URL, samplePkg, testUploadOptions(nil))
	_, err := up.Upload(context.Background(), testToken(KindRubyGems), a, nil)
	ue := asUploadError(t, err)
	if ue.Status != http.StatusTemporaryRedirect || !strings.Contains(ue.Message, "redirected") || !strings.Contains(ue.Fix, "redirects") {
		t.Errorf("error = %+v", ue)
	}
	if n := len(target.requests()); n != 0 {
		t.Errorf("the redirect target got %d requests", n)
	}
}

func TestRubyGemsAlreadyPushedIsAlreadyPublished(t *testing.T) {
	a := sampleArtifact(t, ArtifactGem)
	f := newFakeRegistry(t, reply{status: 200, body: "Gem was already pushed: hello-releaser (1.2.3)"})
	up := mustNewUploader(t, KindRubyGems, f.srv.URL, samplePkg, testUploadOptions(nil))
	res, err := up.Upload(context.Background(), testToken(KindRubyGems), a, nil)
	if err != nil || res.Outcome != AlreadyPublished {
		t.Fatalf("result %+v, %v", res, err)
	}
}
