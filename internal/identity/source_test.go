package identity

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

const reqToken = "ghreq_CANARY_request_token"

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestGitHubSource(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		if r.URL.Path != "/idtoken" || r.URL.Query().Get("api-version") != "2.0" {
			t.Errorf("request %s lost the runner's query", r.URL)
		}
		if got := r.Header.Get("Authorization"); got != "Bearer "+reqToken {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		switch aud := r.URL.Query().Get("audience"); aud {
		case "flaky":
			if n == 1 {
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
			w.Write([]byte(`{"count":1,"value":"jwt-for-flaky"}`))
		case "denied":
			http.Error(w, "token "+reqToken+" refused\x1b[31m", http.StatusForbidden)
		case "empty":
			w.Write([]byte(`{"count":1}`))
		default:
			w.Write([]byte(`{"count":1,"value":"jwt-for-` + aud + `"}`))
		}
	}))
	defer srv.Close()
	env := map[string]string{EnvRequestURL: srv.URL + "/idtoken?api-version=2.0", EnvRequestToken: reqToken}
	src, err := NewGitHubSource(envOf(env), srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if tok, err := src.Token(ctx, "npm:registry.npmjs.org"); err != nil || tok != "jwt-for-npm:registry.npmjs.org" {
		t.Errorf("Token = %q, %v", tok, err)
	}
	calls.Store(0)
	if tok, err := src.Token(ctx, "flaky"); err != nil || tok != "jwt-for-flaky" {
		t.Errorf("503 then 200: Token = %q, %v", tok, err)
	}
	_, err = src.Token(ctx, "denied")
	if err == nil || !strings.Contains(err.Error(), "HTTP 403") {
		t.Errorf("403: err = %v", err)
	} else if strings.Contains(err.Error(), "\x1b") {
		t.Errorf("control characters from the body reached the error: %q", err)
	}
	if _, err := src.Token(ctx, "empty"); err == nil || !strings.Contains(err.Error(), `no token in "value"`) {
		t.Errorf("no value: err = %v", err)
	}
}

func TestGitHubSourceMissing(t *testing.T) {
	tests := []struct {
		env     map[string]string
		missing string
	}{
		{map[string]string{}, "ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set"},
		{map[string]string{EnvRequestURL: "https://x/y"}, "ACTIONS_ID_TOKEN_REQUEST_TOKEN is not set"},
	}
	for _, tt := range tests {
		_, err := NewGitHubSource(envOf(tt.env), nil)
		var nt *NoTokenError
		if !errors.As(err, &nt) {
			t.Fatalf("err = %v, want *NoTokenError", err)
		}
		for _, want := range []string{tt.missing, "permissions: id-token: write", "forks"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%q does not say %q", err, want)
			}
		}
	}
}

func TestGitHubSourceRefusesPlainHTTP(t *testing.T) {
	for _, u := range []string{"http://example.com/idtoken?x=1", "ftp://example.com/"} {
		_, err := NewGitHubSource(envOf(map[string]string{EnvRequestURL: u, EnvRequestToken: reqToken}), nil)
		if err == nil || strings.Contains(err.Error(), reqToken) {
			t.Errorf("%s: err = %v", u, err)
		}
	}
	for _, u := range []string{"http://127.0.0.1:1/x", "http://localhost:1/x", "http://[::1]:1/x", "https://example.com/x"} {
		if _, err := NewGitHubSource(envOf(map[string]string{EnvRequestURL: u, EnvRequestToken: reqToken}), nil); err != nil {
			t.Errorf("%s refused: %v", u, err)
		}
	}
}

func TestEnvSource(t *testing.T) {
	src := NewEnvSource(envOf(map[string]string{"PYPI_ID_TOKEN": " jwt\n"}), "PYPI_ID_TOKEN")
	if tok, err := src.Token(context.Background(), "pypi"); err != nil || tok != "jwt" {
		t.Errorf("Token = %q, %v", tok, err)
	}
	_, err := NewEnvSource(envOf(nil), "NPM_ID_TOKEN").Token(context.Background(), "npm:registry.npmjs.org")
	var nt *NoTokenError
	if !errors.As(err, &nt) || !strings.Contains(err.Error(), "id_tokens:") {
		t.Errorf("err = %v", err)
	}
}

func TestConventionalGitLabVar(t *testing.T) {
	tests := []struct{ kind, aud, want string }{
		{"pypi", "pypi", "PYPI_ID_TOKEN"},
		{"testpypi", "testpypi", "TESTPYPI_ID_TOKEN"},
		{"npm", "npm:registry.npmjs.org", "NPM_ID_TOKEN"},
		{"crates", "crates.io", "CRATES_IO_ID_TOKEN"},
		{"rubygems", "rubygems.org", "RUBYGEMS_ORG_ID_TOKEN"},
	}
	for _, tt := range tests {
		if got := ConventionalGitLabVar(tt.kind, tt.aud); got != tt.want {
			t.Errorf("ConventionalGitLabVar(%s, %s) = %s, want %s", tt.kind, tt.aud, got, tt.want)
		}
	}
}
