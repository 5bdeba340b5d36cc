package stages

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/releaserhq/releaser/internal/config"
	"github.com/releaserhq/releaser/internal/registry"
	"github.com/releaserhq/releaser/internal/testenv"
	"github.com/releaserhq/releaser/internal/ui"
)

func exchangeRelease(t *testing.T, is *testenv.OIDCIssuer, regURL string) (*Release, *bytes.Buffer) {
	t.Helper()
	cfg, err := config.Parse("t.toml", []byte(fmt.Sprintf(`[project]
name = "demo"
version = "1.0.0"
[build]
artifacts = ["*"]
[[build.command]]
argv = ["true"]
[identity]
issuer = %q
repository = "octo-org/octo-repo"
workflow = "release.yml"
environment = "release"
[[registry]]
kind = "pypi"
package = "demo"
url = %q
`, is.URL(), regURL)))
	if err != nil {
		t.Fatal(err)
	}
	var kv []string
	for k, v := range is.ActionsEnv() {
		kv = append(kv, k+"="+v)
	}
	var out bytes.Buffer
	u := ui.New(ui.Options{Mode: ui.ModePlain, Stdout: &out, Stderr: &out, Getenv: func(string) string { return "" }})
	return &Release{Config: cfg, UI: u, Env: NewEnv(kv)}, &out
}

// TestUploadTokenRefresh: a token with enough life left is reused; one
// about to expire is replaced by a fresh exchange before an upload.
func TestUploadTokenRefresh(t *testing.T) {
	is := testenv.NewOIDCIssuer(t)
	is.SetRef("refs/tags/v1.0.0")
	pypi := testenv.NewPyPI(t, is)
	pypi.AddPublisher(testenv.DefaultPublisher("demo"))
	r, out := exchangeRelease(t, is, pypi.URL())
	ctx := context.Background()
	if _, err := (Exchange{}).Run(ctx, r); err != nil {
		t.Fatalf("exchange: %v\n%s", err, out)
	}
	reg := r.Config.Registry[0]
	first := r.Tokens[TokenKey(reg)]
	if first == nil || pypi.Exchanges() != 1 {
		t.Fatalf("token %v, %d exchanges", first, pypi.Exchanges())
	}
	tok, err := r.UploadToken(ctx, reg)
	if err != nil || tok != first || pypi.Exchanges() != 1 {
		t.Errorf("fresh token not reused: %v, %d exchanges", err, pypi.Exchanges())
	}
	// 11 of its 15 minutes gone: under the 5-minute margin.
	r.Now = func() time.Time { return time.Now().Add(11 * time.Minute) }
	tok, err = r.UploadToken(ctx, reg)
	if err != nil {
		t.Fatal(err)
	}
	if tok == first || tok.Value == first.Value || pypi.Exchanges() != 2 {
		t.Errorf("expiring token not replaced: %d exchanges", pypi.Exchanges())
	}
	if strings.Contains(out.String(), tok.Value) || strings.Contains(out.String(), first.Value) {
		t.Errorf("a token reached the output")
	}
}

func TestClassify(t *testing.T) {
	ex, err := registry.New("crates", "", "demo", registry.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		err    error
		remote bool
	}{
		{&registry.ExchangeError{Registry: "crates.io", Status: 500, Message: "boom"}, true},
		{&registry.ExchangeError{Registry: "crates.io", Status: 429}, true},
		{&registry.ExchangeError{Registry: "crates.io", Status: 0, Message: "connection reset"}, true},
		{&registry.ExchangeError{Registry: "crates.io", Status: 400, Message: "No Trusted Publishing config found", Fix: "register it"}, false},
		{errors.New("local refusal"), false},
	}
	for _, tt := range tests {
		got := classify(ex, tt.err)
		var re *RemoteError
		if errors.As(got, &re) != tt.remote {
			t.Errorf("classify(%v) = %T %v, remote %v", tt.err, got, got, tt.remote)
		}
		var ee *registry.ExchangeError
		if errors.As(tt.err, &ee) && ee.Fix != "" && !strings.Contains(got.Error(), "fix: "+ee.Fix) {
			t.Errorf("classify(%v) lost the fix: %v", tt.err, got)
		}
	}
}
