package testenv

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// Server is the part every emulator shares: an httptest server on 127.0.0.1 (plain
// http), a request counter and a fault queue in front of the emulator's handler. Later
// emulators (upload endpoints, the GitHub API) embed it too.
type Server struct {
	srv    *httptest.Server
	faults *Faults

	mu     sync.Mutex
	counts map[string]int // "METHOD escaped-path" -> requests received
}

// NewServer serves h behind a request counter and a fault queue until the test ends.
func NewServer(t testing.TB, h http.Handler) *Server {
	t.Helper()
	s := &Server{faults: NewFaults(), counts: map[string]int{}}
	inner := s.faults.Middleware(h)
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.counts[r.Method+" "+r.URL.EscapedPath()]++
		s.mu.Unlock()
		inner.ServeHTTP(w, r)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

// URL is the server's base URL, "http://127.0.0.1:<port>", without a trailing slash.
func (s *Server) URL() string { return s.srv.URL }

// Faults is the server's fault queue.
func (s *Server) Faults() *Faults { return s.faults }

// Requests counts requests received for method and path (the escaped path, without the
// query), including requests a fault answered.
func (s *Server) Requests(method, path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[method+" "+path]
}

// Client returns an http.Client for this server.
func (s *Server) Client() *http.Client { return s.srv.Client() }
