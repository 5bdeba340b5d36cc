package github

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/releaserhq/releaser/internal/testenv"
)

// wrongToken is a canary the emulator does not accept.
const wrongToken = "ghs_CANARYwrongwrongwrongwrongwrong1234"

type fixedSecrets []string

func (f fixedSecrets) Secrets() []string { return f }

func TestBadTokenIsAnAPIErrorWithoutTheToken(t *testing.T) {
	e := newEnv(t)
	c := e.client(wrongToken)
	_, err := c.DraftRelease(t.Context(), owner, repo, "v1.2.3", "", "", false)
	var ae *APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v, want *APIError", err)
	}
	if ae.Status != http.StatusUnauthorized || ae.Message != "Bad credentials" || ae.DocumentationURL != "https://docs.github.com/rest" ||
		ae.Retryable || ae.Attempts != 1 || !strings.Contains(ae.Fix(), "GITHUB_TOKEN") {
		t.Fatalf("APIError %+v", ae)
	}
	testenv.AssertNoSecrets(t, "error", []byte(err.Error()), e.gh, fixedSecrets{wrongToken})
	if len(e.gh.Releases(owner, repo)) != 0 {
		t.Fatal("a release was created")
	}
}

// TestEchoedTokenIsRedacted: should a server or proxy put the token in its error
// message, the error does not carry it on.
func TestEchoedTokenIsRedacted(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnprocessableEntity)
		auth := r.Header.Get("Authorization")
		w.Write([]byte(`{"message":"refused ` + auth + `","errors":[{"resource":"Release","code":"custom","field":"x","message":"` + auth + `"}],"documentation_url":"https://docs.github.com/rest?` + auth + `"}`))
	}))
	defer srv.Close()
	const token = "ghs_CANARYechoechoechoechoechoecho1234"
	c, err := New(srv.URL+"/api/v3/", token, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.DraftRelease(t.Context(), owner, repo, "v1", "", "", false)
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != 422 {
		t.Fatalf("error %v, want a 422 APIError", err)
	}
	testenv.AssertNoSecrets(t, "error", []byte(err.Error()+ae.Message+ae.DocumentationURL+strings.Join(ae.Errors, "")), fixedSecrets{token})
	if !strings.Contains(ae.Message, "[REDACTED]") {
		t.Fatalf("message %q", ae.Message)
	}
}

func TestAPIErrorText(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  *APIError
		want string
	}{
		{"validation", &APIError{Op: "attach a.whl to release v1", Status: 422, Message: "Validation Failed", Errors: []string{"ReleaseAsset.name already_exists"},
			DocumentationURL: "https://docs.github.com/rest/releases/assets#upload-a-release-asset"},
			"GitHub: attach a.whl to release v1: HTTP 422: Validation Failed (ReleaseAsset.name already_exists); see https://docs.github.com/rest/releases/assets#upload-a-release-asset"},
		{"transport after retries", &APIError{Op: "list the releases of o/r", Message: "connection reset", Retryable: true, Attempts: 5},
			"GitHub: list the releases of o/r: request failed: connection reset [after 5 attempts]; GitHub or the network is having trouble; run releaser again to finish (nothing is uploaded twice)"},
		{"forbidden", &APIError{Op: "create the draft release v1 in o/r", Status: 403, Message: "Resource not accessible by integration"},
			"GitHub: create the draft release v1 in o/r: HTTP 403: Resource not accessible by integration; the token may not do this: give the release job `permissions: contents: write`"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.err.Error(); got != tc.want {
				t.Fatalf("\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestContentType(t *testing.T) {
	for name, want := range map[string]string{
		"demo-1.0-py3-none-any.whl": "application/zip",
		"demo-1.0.tar.gz":           "application/gzip",
		"demo-1.0.tgz":              "application/gzip",
		"demo-1.0.crate":            "application/gzip",
		"demo-1.0.gem":              "application/octet-stream",
		"SHA256SUMS":                "text/plain",
		"demo.intoto.jsonl":         "application/json",
		"demo":                      "application/octet-stream",
	} {
		if got := contentType(name); got != want {
			t.Errorf("contentType(%q) = %q, want %q", name, got, want)
		}
	}
}

// TestStallGuardCancels: a transfer that makes no progress is abandoned with a reason.
func TestStallGuardCancels(t *testing.T) {
	ctx, cancel := context.WithCancelCause(t.Context())
	defer cancel(nil)
	g := newStallGuard(time.Millisecond, cancel)
	defer g.stop()
	<-ctx.Done() // waits for the guard; the test fails by timing out if it never fires
	if cause := context.Cause(ctx); !errors.Is(cause, errStalled) || !strings.Contains(cause.Error(), "no progress for 1ms") {
		t.Fatalf("cause %v", cause)
	}
}

// TestMeteredReaderStopsAtClose: after Close no read reaches the file or the callback.
func TestMeteredReaderStopsAtClose(t *testing.T) {
	calls := 0
	m := &meteredReader{r: strings.NewReader("abcdef"), progress: func(int64) { calls++ }, size: 6}
	buf := make([]byte, 3)
	if n, err := m.Read(buf); n != 3 || err != nil || calls != 1 {
		t.Fatalf("read %d %v, %d calls", n, err, calls)
	}
	m.Close()
	if n, err := m.Read(buf); n != 0 || !errors.Is(err, errBodyClosed) || calls != 1 {
		t.Fatalf("after Close: read %d %v, %d calls", n, err, calls)
	}
}
