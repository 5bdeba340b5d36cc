package testenv

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// npmRegistry is the verdaccio behind an npm emulator made by NewNpmRegistry.
type npmRegistry struct {
	v     *Verdaccio
	proxy *httputil.ReverseProxy

	mu      sync.Mutex
	uploads int
}

// NewNpmRegistry starts the npm emulator in front of a real verdaccio: the OIDC
// exchange route is the emulator's (same JWT rules, same error bodies as NewNpm), but
// a successful exchange creates a fresh verdaccio user and hands out the token
// verdaccio gives it; every other request is reverse-proxied to verdaccio, behind the
// emulator's fault layer. So one base URL serves exchange, publish and reads, and
// Issued() lists verdaccio tokens.
func NewNpmRegistry(t testing.TB, is *OIDCIssuer, v *Verdaccio) *Npm {
	t.Helper()
	target, err := url.Parse(v.URL())
	if err != nil {
		t.Fatalf("testenv: verdaccio URL: %v", err)
	}
	reg := &npmRegistry{v: v}
	reg.proxy = httputil.NewSingleHostReverseProxy(target)
	// The Host header stays the front's, so the tarball URLs verdaccio writes into
	// packuments point at the front (and its faults) too.
	reg.proxy.ModifyResponse = reg.countPublish
	return newNpm(t, is, reg)
}

// countPublish counts package publishes verdaccio accepted: PUT /<name> answered 2xx
// (not user, token or unpublish-revision requests).
func (reg *npmRegistry) countPublish(resp *http.Response) error {
	req := resp.Request
	if req.Method == http.MethodPut && !strings.HasPrefix(req.URL.Path, "/-/") &&
		!strings.Contains(req.URL.Path, "/-rev/") && resp.StatusCode/100 == 2 {
		reg.mu.Lock()
		reg.uploads++
		reg.mu.Unlock()
	}
	return nil
}

// newUserToken logs a new user in to verdaccio (the npm adduser request) and returns
// the token verdaccio issues for it.
func (reg *npmRegistry) newUserToken(ctx context.Context) (string, error) {
	name := "releaser-" + strings.ToLower(randomAlnum(12))
	body, _ := json.Marshal(map[string]any{
		"_id": "org.couchdb.user:" + name, "name": name, "password": CanaryMarker + randomAlnum(24),
		"type": "user", "roles": []string{},
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, reg.v.URL()+"/-/user/org.couchdb.user:"+name, bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("create verdaccio user: %w", err)
	}
	defer resp.Body.Close()
	var out struct {
		Token string `json:"token"`
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusCreated || json.Unmarshal(b, &out) != nil || out.Token == "" {
		return "", fmt.Errorf("create verdaccio user: status %d", resp.StatusCode)
	}
	return out.Token, nil
}

// Uploads counts package publishes (PUT /<name>) that verdaccio accepted; always 0 for
// an emulator made by NewNpm.
func (n *Npm) Uploads() int {
	if n.registry == nil {
		return 0
	}
	n.registry.mu.Lock()
	defer n.registry.mu.Unlock()
	return n.registry.uploads
}

// Packument fetches a package document straight from verdaccio (no faults, no
// credentials), for tests to check what was published.
func (n *Npm) Packument(name string) (map[string]any, error) {
	if n.registry == nil {
		return nil, fmt.Errorf("packument %s: this npm emulator has no registry behind it (use NewNpmRegistry)", name)
	}
	resp, err := http.Get(n.registry.v.URL() + "/" + url.PathEscape(name))
	if err != nil {
		return nil, fmt.Errorf("packument %s: %w", name, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("packument %s: %w", name, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("packument %s: status %d: %s", name, resp.StatusCode, bytes.TrimSpace(b))
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("packument %s: %w", name, err)
	}
	return doc, nil
}

// Verdaccio is the registry behind the emulator (nil for NewNpm).
func (n *Npm) Verdaccio() *Verdaccio {
	if n.registry == nil {
		return nil
	}
	return n.registry.v
}
