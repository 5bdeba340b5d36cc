package testenv

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

// cratesErr is crates.io's error body for one detail.
func cratesErr(detail string) string {
	return `{"errors":[{"detail":` + jsonString(detail) + `}]}`
}

var cratesTokenShape = regexp.MustCompile(`^cio_tp_CANARY[A-Za-z0-9]{26}$`)

func TestCratesExchange(t *testing.T) {
	const (
		decode = "Failed to decode JWT"
		config = "The Trusted Publishing config for repository `octo-org/octo-repo`"
	)
	cases := []struct {
		tokenCase
		want string // 400 detail; "" means success
	}{
		{tokenCase: tokenCase{name: "success"}},
		{tokenCase: tokenCase{name: "reusable workflow binds the caller", setup: func(is *OIDCIssuer, _ *Publisher) { is.UseReusableWorkflow(reusable) }}},
		{tokenCase: tokenCase{name: "environment is case-insensitive", setup: func(is *OIDCIssuer, _ *Publisher) { is.Set("environment", "Release") }}},
		{tokenCase: tokenCase{name: "config without environment takes none", setup: func(is *OIDCIssuer, p *Publisher) {
			p.Environment = ""
			is.Delete("environment")
		}}},
		{tokenCase: tokenCase{name: "repository is case-insensitive", setup: func(is *OIDCIssuer, _ *Publisher) { is.Set("repository", "Octo-Org/Octo-Repo") }}},
		{tokenCase: tokenCase{name: "expired 30s ago is within the 60s leeway", mint: withClaims(map[string]any{"exp": frozen.Unix() - 30})}},
		{tokenCase{name: "wrong audience", mint: tampered(WrongAudience)}, decode},
		{tokenCase{name: "crates.io audience", mint: func(is *OIDCIssuer, _ string) string { return is.Mint("crates.io", nil) }}, decode},
		{tokenCase{name: "expired", mint: tampered(Expired)}, decode},
		{tokenCase{name: "not yet valid", mint: tampered(NotYetValid)}, decode},
		{tokenCase{name: "bad signature", mint: tampered(BadSignature)}, decode},
		{tokenCase{name: "unknown kid", mint: tampered(UnknownKID)}, "Invalid JWT key ID"},
		{tokenCase{name: "missing kid", mint: func(is *OIDCIssuer, aud string) string {
			return craftNoKID(is, aud)
		}}, "Missing JWT key ID"},
		{tokenCase{name: "alg none", mint: tampered(AlgNone)}, decode},
		{tokenCase{name: "alg HS256", mint: tampered(AlgHS256)}, decode},
		{tokenCase{name: "missing run_id", setup: func(is *OIDCIssuer, _ *Publisher) { is.Delete("run_id") }}, decode},
		{tokenCase{name: "other issuer", mint: withClaims(map[string]any{"iss": "https://gitlab.com"})}, "Unsupported JWT issuer: https://gitlab.com"},
		{tokenCase{name: "reused jti", reuse: true}, "JWT has already been used"},
		{tokenCase{name: "pull_request_target", setup: func(is *OIDCIssuer, _ *Publisher) { is.Set("event_name", "pull_request_target") }},
			"Trusted Publishing does not support the `pull_request_target` event trigger due to security concerns. Please use a different trigger such as `push`, `release`, or `workflow_dispatch`."},
		{tokenCase{name: "workflow_run", setup: func(is *OIDCIssuer, _ *Publisher) { is.Set("event_name", "workflow_run") }},
			"Trusted Publishing does not support the `workflow_run` event trigger due to security concerns. Please use a different trigger such as `push`, `release`, or `workflow_dispatch`."},
		{tokenCase{name: "wrong repository", setup: func(is *OIDCIssuer, _ *Publisher) { is.Set("repository", "octo-org/other-repo") }},
			"No Trusted Publishing config found for repository `octo-org/other-repo`."},
		{tokenCase{name: "wrong owner id", setup: func(is *OIDCIssuer, _ *Publisher) { is.Set("repository_owner_id", "66") }},
			config + " does not match the repository owner ID (66) in the JWT. Expected owner IDs: 65. Please recreate the Trusted Publishing config to update the repository owner ID."},
		{tokenCase{name: "other caller workflow", setup: func(is *OIDCIssuer, _ *Publisher) {
			is.Set("workflow_ref", "octo-org/octo-repo/.github/workflows/ci.yml@refs/tags/v1.2.3")
		}}, config + " does not match the workflow filename `ci.yml` in the JWT. Expected workflow filenames: `release.yml`"},
		{tokenCase{name: "unparsable workflow_ref", setup: func(is *OIDCIssuer, _ *Publisher) { is.Set("workflow_ref", "release") }},
			"Unexpected `workflow_ref` value"},
		{tokenCase{name: "other environment", setup: func(is *OIDCIssuer, _ *Publisher) { is.Set("environment", "staging") }},
			config + " does not match the environment `staging` in the JWT. Expected environments: `release`"},
		{tokenCase{name: "missing environment", setup: func(is *OIDCIssuer, _ *Publisher) { is.Delete("environment") }},
			config + " requires an environment, but the JWT does not specify one. Expected environments: `release`"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			is := newIssuer(t)
			pub := DefaultPublisher("sample-crate")
			if tc.setup != nil {
				tc.setup(is, &pub)
			}
			reg := NewCrates(t, is)
			reg.AddPublisher(pub)
			jwt := mintFor(is, reg.Audience(), tc.tokenCase)
			u := reg.URL() + "/api/v1/trusted_publishing/tokens"
			if tc.reuse {
				if r := postJSON(t, u, map[string]string{"jwt": jwt}, nil); r.status != http.StatusOK {
					t.Fatalf("first exchange: %d %s", r.status, r.text())
				}
			}
			r := postJSON(t, u, map[string]string{"jwt": jwt}, nil)
			if tc.want != "" {
				r.wantJSON(t, http.StatusBadRequest, cratesErr(tc.want))
				return
			}
			if r.status != http.StatusOK {
				t.Fatalf("status %d: %s", r.status, r.text())
			}
			cred, _ := r.object(t)["token"].(string)
			if !cratesTokenShape.MatchString(cred) || !validCratesToken(cred) {
				t.Fatalf("token %.13s… does not have crates.io's shape and checksum", cred)
			}
			if crates, ok := reg.TokenCrates(cred); !ok || len(crates) != 1 || crates[0] != "sample-crate" {
				t.Errorf("TokenCrates = %v, %v; want [sample-crate]", crates, ok)
			}
		})
	}
}

// craftNoKID signs a valid token whose header names no key.
func craftNoKID(is *OIDCIssuer, aud string) string {
	is.mu.Lock()
	defer is.mu.Unlock()
	claims := is.tokenClaims(aud, is.Clock().Now(), nil, Untampered)
	tok, err := signJWT(jwtHeader{Typ: "JWT", Alg: "RS256"}, claims, is.keys[len(is.keys)-1].priv, nil)
	if err != nil {
		panic(err)
	}
	return tok
}

func TestCratesTokenCoversEveryMatchingCrate(t *testing.T) {
	is := newIssuer(t)
	reg := NewCrates(t, is)
	reg.AddPublisher(DefaultPublisher("crate-a"))
	reg.AddPublisher(DefaultPublisher("crate-b"))
	other := DefaultPublisher("crate-c")
	other.Workflow = "ci.yml"
	reg.AddPublisher(other)
	r := postJSON(t, reg.URL()+"/api/v1/trusted_publishing/tokens", map[string]string{"jwt": is.Mint(reg.Audience(), nil)}, nil)
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.text())
	}
	cred, _ := r.object(t)["token"].(string)
	crates, ok := reg.TokenCrates(cred)
	if !ok || strings.Join(crates, ",") != "crate-a,crate-b" {
		t.Fatalf("TokenCrates = %v, %v; want crate-a, crate-b", crates, ok)
	}
}

func TestCratesRequestShape(t *testing.T) {
	is := newIssuer(t)
	reg := NewCrates(t, is)
	reg.AddPublisher(DefaultPublisher("sample-crate"))
	u := reg.URL() + "/api/v1/trusted_publishing/tokens"
	body := []byte(`{"jwt":"` + is.Mint(reg.Audience(), nil) + `"}`)
	for _, tc := range []struct {
		name   string
		header map[string]string
		status int
		prefix string
	}{
		{"no user agent", map[string]string{"Content-Type": "application/json", "User-Agent": ""}, http.StatusForbidden,
			"We require that all requests include a `User-Agent` header."},
		{"Go's default user agent", map[string]string{"Content-Type": "application/json", "User-Agent": "Go-http-client/1.1"}, http.StatusForbidden,
			"We require that all requests include a `User-Agent` header."},
		{"no content type", map[string]string{"Content-Type": "text/plain"}, http.StatusUnsupportedMediaType,
			"Expected request with `Content-Type: application/json`"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, http.MethodPost, u, body, tc.header)
			if r.status != tc.status || !strings.HasPrefix(string(r.body), tc.prefix) {
				t.Fatalf("got %d %q, want %d %q…", r.status, r.text(), tc.status, tc.prefix)
			}
			if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
				t.Errorf("Content-Type %q, want plain text", ct)
			}
		})
	}
	if n := reg.Exchanges(); n != 0 {
		t.Fatalf("Exchanges() = %d after refused requests", n)
	}
}

func TestCratesRevoke(t *testing.T) {
	is := newIssuer(t)
	reg := NewCrates(t, is)
	reg.AddPublisher(DefaultPublisher("sample-crate"))
	u := reg.URL() + "/api/v1/trusted_publishing/tokens"
	exchange := func() string {
		r := postJSON(t, u, map[string]string{"jwt": is.Mint(reg.Audience(), nil)}, nil)
		if r.status != http.StatusOK {
			t.Fatalf("exchange: %d %s", r.status, r.text())
		}
		cred, _ := r.object(t)["token"].(string)
		return cred
	}
	kept, revoked := exchange(), exchange()

	for _, tc := range []struct {
		name   string
		header map[string]string
		status int
		want   string
	}{
		{"no user agent", map[string]string{"Authorization": "Bearer " + revoked, "User-Agent": ""}, http.StatusForbidden, ""},
		{"no authorization", nil, http.StatusUnauthorized, cratesErr("Missing authorization header")},
		{"raw token without Bearer", map[string]string{"Authorization": revoked}, http.StatusUnauthorized,
			cratesErr("Invalid `Authorization` header: Failed to parse token")},
		{"bad checksum", map[string]string{"Authorization": "Bearer " + revoked[:len(revoked)-1] + flip(revoked[len(revoked)-1])},
			http.StatusUnauthorized, cratesErr("Invalid `Authorization` header: Failed to parse token")},
		{"unknown well-formed token", map[string]string{"Authorization": "Bearer " + newCratesToken()}, http.StatusNoContent, ""},
		{"revoke", map[string]string{"Authorization": "Bearer " + revoked}, http.StatusNoContent, ""},
		{"revoke again", map[string]string{"Authorization": "Bearer " + revoked}, http.StatusNoContent, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, http.MethodDelete, u, nil, tc.header)
			if tc.want != "" {
				r.wantJSON(t, tc.status, tc.want)
				return
			}
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.text())
			}
		})
	}
	if got := reg.Revoked(); len(got) != 1 || got[0] != revoked {
		t.Fatalf("Revoked() has %d tokens, want just the revoked one", len(got))
	}
	if got := reg.Active(); len(got) != 1 || got[0] != kept {
		t.Fatalf("Active() has %d tokens, want just the kept one", len(got))
	}
	is.Clock().Advance(cratesTokenLifetime + time.Second)
	if got := reg.Active(); len(got) != 0 {
		t.Fatalf("Active() has %d tokens 30 minutes later, want none", len(got))
	}
}

// flip returns another alphanumeric character than c.
func flip(c byte) string {
	if c == 'A' {
		return "B"
	}
	return "A"
}
