package testenv

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestReasonPhrase(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"File already exists ('a.whl').", "File already exists ('a.whl')."},
		{"Filename 'ü.tar.gz' is invalid", "Filename '\xfc.tar.gz' is invalid"},
		{"snake 🐍 and\nnewline", "snake ? and?newline"},
	} {
		if got := reasonPhrase(tc.in); got != tc.want {
			t.Errorf("reasonPhrase(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// Where the connection cannot be taken over (the LostResponse fault records the answer
// instead), the status code and the message in the body still get through.
func TestWriteReasonWithoutHijack(t *testing.T) {
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/legacy/", strings.NewReader("body"))
	writeReason(rec, req, http.StatusBadRequest, "Unknown protocol version.", http.Header{"X-Extra": {"1"}})
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "Unknown protocol version.") ||
		rec.Header().Get("X-Extra") != "1" {
		t.Errorf("got %d %q %v", rec.Code, rec.Body.String(), rec.Header())
	}
}
