package testenv

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func TestFaultsInFrontOfRegistries(t *testing.T) {
	const path = "/_/oidc/mint-token"
	for _, tc := range []struct {
		name  string
		key   string // fault queue key
		fault Fault
		// status is the answer expected; 0 means the connection must fail.
		status    int
		header    [2]string // a response header that must be set
		exchanged int       // Exchanges() after the request
	}{
		{name: "status", key: path, fault: Status(503, `{"message":"down"}`), status: 503, header: [2]string{"Content-Type", "application/json"}},
		{name: "too many requests", key: "POST " + path, fault: TooManyRequests("7"), status: 429, header: [2]string{"Retry-After", "7"}},
		{name: "reset", key: path, fault: Reset()},
		{name: "lost response", key: path, fault: LostResponse(), exchanged: 1},
		{name: "other method's fault does not fire", key: "GET " + path, fault: Status(500, "no"), status: 200, exchanged: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			is := newIssuer(t)
			reg := NewPyPI(t, is)
			reg.AddPublisher(DefaultPublisher(""))
			reg.Faults().Add(tc.key, tc.fault)
			jwt := is.Mint(reg.Audience(), nil)
			body := []byte(`{"token":"` + jwt + `"}`)
			resp, err := http.Post(reg.URL()+path, "application/json", bytes.NewReader(body))
			if tc.status == 0 {
				if err == nil {
					resp.Body.Close()
					t.Fatalf("request succeeded with %d, want a broken connection", resp.StatusCode)
				}
			} else {
				if err != nil {
					t.Fatalf("request: %v", err)
				}
				resp.Body.Close()
				if resp.StatusCode != tc.status {
					t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
				}
				if h := tc.header; h[0] != "" && !strings.HasPrefix(resp.Header.Get(h[0]), h[1]) {
					t.Errorf("%s = %q, want %q", h[0], resp.Header.Get(h[0]), h[1])
				}
			}
			if n := reg.Exchanges(); n != tc.exchanged {
				t.Errorf("Exchanges() = %d, want %d", n, tc.exchanged)
			}
			if n := reg.Requests(http.MethodPost, path); n != 1 {
				t.Errorf("Requests(POST) = %d, want 1", n)
			}
			if tc.exchanged == 1 && tc.status == 0 {
				// The landed exchange consumed the jti: a retry with the same JWT is refused.
				postJSON(t, reg.URL()+path, map[string]string{"token": jwt}, nil).
					wantJSON(t, http.StatusUnprocessableEntity, pypiInvalid("invalid-reuse-token", "invalid token: already used"))
			}
		})
	}
}

func TestFaultsQueueOrder(t *testing.T) {
	is := newIssuer(t)
	is.Faults().Add("/.well-known/jwks", Status(502, "bad gateway"))
	is.Faults().Add("/.well-known/jwks", Status(504, "timeout"))
	var got []int
	for range 3 {
		got = append(got, do(t, http.MethodGet, is.URL()+"/.well-known/jwks", nil, nil).status)
	}
	if fmt.Sprint(got) != "[502 504 200]" || is.Faults().Pending() != 0 || len(is.Faults().Fired()) != 2 {
		t.Fatalf("statuses %v, pending %d, fired %v; want [502 504 200], 0, two", got, is.Faults().Pending(), is.Faults().Fired())
	}
}

// recorder is a testing.TB that records failures instead of failing.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func TestAssertNoSecrets(t *testing.T) {
	is := newIssuer(t)
	reg := NewCrates(t, is)
	reg.AddPublisher(DefaultPublisher("sample-crate"))
	r := postJSON(t, reg.URL()+"/api/v1/trusted_publishing/tokens", map[string]string{"jwt": is.Mint(reg.Audience(), nil)}, nil)
	cred, _ := r.object(t)["token"].(string)
	for _, tc := range []struct {
		name  string
		data  string
		leaks int
	}{
		{"clean", "published sample-crate 1.2.3", 0},
		{"registry token", "Authorization: Bearer " + cred, 1},
		{"request token", "ACTIONS_ID_TOKEN_REQUEST_TOKEN=" + is.RequestToken(), 1},
		{"minted JWT", "jwt=" + is.Minted()[0], 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{TB: t}
			AssertNoSecrets(rec, "log", []byte(tc.data), is, reg)
			if len(rec.errors) != tc.leaks {
				t.Fatalf("%d leaks reported (%v), want %d", len(rec.errors), rec.errors, tc.leaks)
			}
			for _, e := range rec.errors {
				for _, s := range append(is.Secrets(), reg.Secrets()...) {
					if strings.Contains(e, s) {
						t.Fatal("the leak report repeats the secret")
					}
				}
			}
		})
	}
}

func TestRedactShortensSecrets(t *testing.T) {
	is := newIssuer(t)
	jwt := is.Mint("pypi", nil)
	got := redact([]byte(`{"token":"` + newCratesToken() + `","jwt":"` + jwt + `"}`))
	if got != `{"token":"cio_tp_…","jwt":"JWT…"}` {
		t.Fatalf("redact = %s", got)
	}
}
