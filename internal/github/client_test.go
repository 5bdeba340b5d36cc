package github

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

func TestEndpoints(t *testing.T) {
	for _, tc := range []struct {
		in, api, uploads string
		err              string // substring of the error; "" = no error
	}{
		{in: "https://api.github.com", api: "https://api.github.com/", uploads: "https://uploads.github.com/"},
		{in: "https://api.github.com/", api: "https://api.github.com/", uploads: "https://uploads.github.com/"},
		{in: "https://ghe.example.com/api/v3", api: "https://ghe.example.com/api/v3/", uploads: "https://ghe.example.com/api/uploads/"},
		{in: "https://ghe.example.com/api/v3/", api: "https://ghe.example.com/api/v3/", uploads: "https://ghe.example.com/api/uploads/"},
		{in: "https://ghe.example.com", api: "https://ghe.example.com/api/v3/", uploads: "https://ghe.example.com/api/uploads/"},
		{in: "https://api.octocorp.ghe.com", api: "https://api.octocorp.ghe.com/", uploads: "https://uploads.octocorp.ghe.com/"},
		{in: "http://127.0.0.1:8080/api/v3/", api: "http://127.0.0.1:8080/api/v3/", uploads: "http://127.0.0.1:8080/api/uploads/"},
		{in: "http://[::1]:8080/api/v3/", api: "http://[::1]:8080/api/v3/", uploads: "http://[::1]:8080/api/uploads/"},
		{in: "http://localhost/api/v3/", api: "http://localhost/api/v3/", uploads: "http://localhost/api/uploads/"},
		{in: "http://ghe.example.com/api/v3/", err: "over https"},
		{in: "https://ghe.example.com/some/path/", err: "cannot tell where uploads go"},
		{in: "https://user:hunter2@ghe.example.com/api/v3/", err: "must not carry credentials"},
		{in: "https://ghe.example.com/api/v3/?x=1", err: "must not carry"},
		{in: "ghe.example.com/api/v3", err: "not an absolute"},
		{in: "ftp://ghe.example.com/", err: "not an absolute"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			api, up, err := endpoints(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one containing %q", err, tc.err)
				}
				if strings.Contains(err.Error(), "hunter2") {
					t.Fatalf("error %q shows the URL's password", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("endpoints: %v", err)
			}
			if api.String() != tc.api || up.String() != tc.uploads {
				t.Fatalf("got %s and %s, want %s and %s", api, up, tc.api, tc.uploads)
			}
		})
	}
}

func TestNewRefusesBadTokens(t *testing.T) {
	for _, tc := range []struct{ name, token, want string }{
		{"empty", "", "no GitHub token"},
		{"newline", "ghs_CANARYsecret\nX-Evil: 1", "whitespace or control"},
		{"space", "ghs_CANARY secret", "whitespace or control"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New("https://api.github.com/", tc.token, nil, "")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			if tc.token != "" && strings.Contains(err.Error(), "CANARY") {
				t.Fatalf("error %q quotes the token", err)
			}
		})
	}
}

// TestRedirectsElsewhereKeepTheToken: the token is added to every request, so a
// redirect to another host must not be followed.
func TestRedirectsElsewhereKeepTheToken(t *testing.T) {
	var leaked atomic.Bool
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			leaked.Store(true)
		}
		w.Write([]byte("[]"))
	}))
	defer other.Close()
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+r.URL.Path, http.StatusFound)
	}))
	defer api.Close()
	c, err := New(api.URL+"/api/v3/", "ghs_CANARYredirect", nil, "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.DraftRelease(t.Context(), owner, repo, "v1", "v1", "", false)
	if err == nil {
		t.Fatal("a redirect to another host was followed")
	}
	if leaked.Load() {
		t.Fatal("the token was sent to the redirect's host")
	}
	if !strings.Contains(err.Error(), "HTTP 302") {
		t.Fatalf("error %q, want the 302 reported", err)
	}
}
