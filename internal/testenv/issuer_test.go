package testenv

import (
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// fetchJWKS reads the issuer's key set over HTTP, as a verifier would, and decodes the
// RSA keys from their n and e.
func fetchJWKS(t *testing.T, is *OIDCIssuer) map[string]*rsa.PublicKey {
	t.Helper()
	r := do(t, http.MethodGet, is.URL()+"/.well-known/jwks", nil, nil)
	if r.status != http.StatusOK {
		t.Fatalf("JWKS: %d %s", r.status, r.text())
	}
	var set struct {
		Keys []struct {
			Kty, Alg, Use, Kid, N, E, X5t string
			X5c                           []string
		}
	}
	if err := json.Unmarshal(r.body, &set); err != nil {
		t.Fatalf("JWKS: %v", err)
	}
	keys := map[string]*rsa.PublicKey{}
	for _, k := range set.Keys {
		n, err1 := base64.RawURLEncoding.DecodeString(k.N)
		e, err2 := base64.RawURLEncoding.DecodeString(k.E)
		if err1 != nil || err2 != nil || k.Kty != "RSA" || k.Alg != "RS256" || k.Use != "sig" || len(k.X5c) != 1 {
			t.Fatalf("JWKS key %q is malformed", k.Kid)
		}
		keys[k.Kid] = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	}
	return keys
}

// verifyWithJWKS checks tok's RS256 signature against the key set a verifier fetched.
func verifyWithJWKS(t *testing.T, keys map[string]*rsa.PublicKey, tok string) (*parsedJWT, error) {
	t.Helper()
	p, err := parseJWT(tok)
	if err != nil {
		t.Fatalf("parse token: %v", err)
	}
	kid, _ := p.kid()
	pub, ok := keys[kid]
	if !ok {
		return p, errUnknownKID
	}
	return p, p.verifyRS256(pub)
}

func TestDiscoveryDocument(t *testing.T) {
	is := NewOIDCIssuer(t)
	m := do(t, http.MethodGet, is.URL()+"/.well-known/openid-configuration", nil, nil).object(t)
	if m["issuer"] != is.URL() || m["jwks_uri"] != is.URL()+"/.well-known/jwks" {
		t.Fatalf("issuer %v, jwks_uri %v; want %s and its /.well-known/jwks", m["issuer"], m["jwks_uri"], is.URL())
	}
}

var uuidShape = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestMintedTokenShape(t *testing.T) {
	is := newIssuer(t)
	tok := is.Mint("pypi", nil)
	p, err := verifyWithJWKS(t, fetchJWKS(t, is), tok)
	if err != nil {
		t.Fatalf("minted token does not verify against the JWKS: %v", err)
	}
	hb, _ := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[0])
	wantHeader := `{"typ":"JWT","alg":"RS256","x5t":"` + is.keys[0].x5t + `","kid":"` + is.CurrentKID() + `"}`
	if string(hb) != wantHeader {
		t.Errorf("header %s, want %s", hb, wantHeader)
	}
	iat, _ := p.integer("iat")
	nbf, _ := p.integer("nbf")
	exp, _ := p.integer("exp")
	if iat != frozen.Unix() || nbf != iat-600 || exp != iat+300 {
		t.Errorf("iat %d nbf %d exp %d; want now, iat-600, iat+300", iat, nbf, exp)
	}
	jti, _ := p.str("jti")
	if !uuidShape.MatchString(jti) {
		t.Errorf("jti %q is not a v4 UUID", jti)
	}
	for claim, want := range map[string]string{
		"iss": is.URL(), "aud": "pypi", "sub": "repo:octo-org/octo-repo:environment:release",
	} {
		if got, _ := p.str(claim); got != want {
			t.Errorf("%s = %q, want %q", claim, got, want)
		}
	}
	for claim, want := range DefaultClaims() {
		if got, ok := p.claims[claim].(string); !ok || got != want {
			t.Errorf("%s = %v, want %q (a string)", claim, p.claims[claim], want)
		}
	}
	other := is.Mint("pypi", nil)
	q, _ := parseJWT(other)
	if j, _ := q.str("jti"); j == jti {
		t.Errorf("two tokens share jti %s", jti)
	}
	if got := is.Minted(); len(got) != 2 || got[0] != tok || got[1] != other {
		t.Errorf("Minted() has %d tokens, want the 2 minted", len(got))
	}
}

func TestClaimChanges(t *testing.T) {
	const wfPath = "octo-org/octo-repo/.github/workflows/release.yml"
	for _, tc := range []struct {
		name      string
		change    func(is *OIDCIssuer)
		overrides map[string]any
		want      map[string]any // claim -> value; nil value = absent
	}{
		{name: "Set", change: func(is *OIDCIssuer) { is.Set("event_name", "workflow_dispatch") },
			want: map[string]any{"event_name": "workflow_dispatch"}},
		{name: "Delete environment moves sub to the ref", change: func(is *OIDCIssuer) { is.Delete("environment") },
			want: map[string]any{"environment": nil, "sub": "repo:octo-org/octo-repo:ref:refs/tags/v1.2.3"}},
		{name: "SetRef to a branch", change: func(is *OIDCIssuer) { is.SetRef("refs/heads/main") },
			want: map[string]any{"ref": "refs/heads/main", "ref_type": "branch",
				"workflow_ref": wfPath + "@refs/heads/main", "job_workflow_ref": wfPath + "@refs/heads/main"}},
		{name: "SetRef without environment", change: func(is *OIDCIssuer) {
			is.Delete("environment")
			is.SetRef("refs/tags/v2.0.0")
		}, want: map[string]any{"ref_type": "tag", "sub": "repo:octo-org/octo-repo:ref:refs/tags/v2.0.0"}},
		{name: "UseReusableWorkflow", change: func(is *OIDCIssuer) { is.UseReusableWorkflow(reusable) },
			want: map[string]any{"job_workflow_ref": reusable, "workflow_ref": wfPath + "@refs/tags/v1.2.3"}},
		{name: "SetRef keeps the called workflow's ref", change: func(is *OIDCIssuer) {
			is.UseReusableWorkflow(reusable)
			is.SetRef("refs/tags/v2.0.0")
		}, want: map[string]any{"job_workflow_ref": reusable, "workflow_ref": wfPath + "@refs/tags/v2.0.0"}},
		{name: "Set sub fixes it", change: func(is *OIDCIssuer) {
			is.Set("sub", "repo:octo-org@65/octo-repo@74:environment:release")
			is.Delete("environment")
		}, want: map[string]any{"sub": "repo:octo-org@65/octo-repo@74:environment:release"}},
		{name: "Mint overrides, nil deletes", overrides: map[string]any{"environment": nil, "actor": "hubot"},
			want: map[string]any{"environment": nil, "actor": "hubot", "sub": "repo:octo-org/octo-repo:ref:refs/tags/v1.2.3"}},
		{name: "Set a standard claim", change: func(is *OIDCIssuer) { is.Set("iss", "https://token.actions.githubusercontent.com") },
			want: map[string]any{"iss": "https://token.actions.githubusercontent.com"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			is := newIssuer(t)
			if tc.change != nil {
				tc.change(is)
			}
			p, err := parseJWT(is.Mint("pypi", tc.overrides))
			if err != nil {
				t.Fatal(err)
			}
			for claim, want := range tc.want {
				got, present := p.claims[claim]
				if want == nil {
					if present {
						t.Errorf("%s = %v, want it absent", claim, got)
					}
					continue
				}
				if got != want {
					t.Errorf("%s = %v, want %v", claim, got, want)
				}
			}
		})
	}
}

func TestActionsEnv(t *testing.T) {
	is := newIssuer(t)
	is.SetRef("refs/heads/main")
	env := is.ActionsEnv()
	for name, want := range map[string]string{
		"GITHUB_ACTIONS":                 "true",
		"ACTIONS_ID_TOKEN_REQUEST_URL":   is.URL() + "/idtoken?api-version=2.0",
		"ACTIONS_ID_TOKEN_REQUEST_TOKEN": is.RequestToken(),
		"GITHUB_REPOSITORY":              "octo-org/octo-repo",
		"GITHUB_REPOSITORY_OWNER":        "octo-org",
		"GITHUB_REPOSITORY_ID":           "74",
		"GITHUB_REPOSITORY_OWNER_ID":     "65",
		"GITHUB_REF":                     "refs/heads/main",
		"GITHUB_REF_NAME":                "main",
		"GITHUB_REF_TYPE":                "branch",
		"GITHUB_SHA":                     DefaultSHA,
		"GITHUB_EVENT_NAME":              "push",
		"GITHUB_WORKFLOW_REF":            "octo-org/octo-repo/.github/workflows/release.yml@refs/heads/main",
		"GITHUB_RUN_ID":                  "10123456789",
		"GITHUB_RUN_ATTEMPT":             "1",
		"GITHUB_ACTOR":                   "octocat",
		"RUNNER_ENVIRONMENT":             "github-hosted",
	} {
		if env[name] != want {
			t.Errorf("%s = %q, want %q", name, env[name], want)
		}
	}
	if !strings.Contains(env["ACTIONS_ID_TOKEN_REQUEST_TOKEN"], CanaryMarker) {
		t.Error("the request token is not a canary")
	}
}

func TestKeyRotation(t *testing.T) {
	is := newIssuer(t)
	reg := NewPyPI(t, is)
	reg.AddPublisher(DefaultPublisher(""))
	exchange := func(tok string) int {
		return postJSON(t, reg.URL()+"/_/oidc/mint-token", map[string]string{"token": tok}, nil).status
	}
	oldKID := is.CurrentKID()
	before1, before2 := is.Mint("pypi", nil), is.Mint("pypi", nil)
	is.Rotate()
	if is.CurrentKID() == oldKID {
		t.Fatal("Rotate kept the kid")
	}
	after := is.Mint("pypi", nil)
	keys := fetchJWKS(t, is)
	if len(keys) != 2 || keys[oldKID] == nil || keys[is.CurrentKID()] == nil {
		t.Fatalf("JWKS during rotation has %d keys, want the old and the new", len(keys))
	}
	if got := exchange(before1); got != http.StatusOK {
		t.Fatalf("token signed before the rotation: %d, want 200", got)
	}
	is.RetireOld()
	if keys := fetchJWKS(t, is); len(keys) != 1 || keys[is.CurrentKID()] == nil {
		t.Fatalf("JWKS after RetireOld has %d keys, want only the new", len(keys))
	}
	if got := exchange(before2); got != http.StatusUnprocessableEntity {
		t.Fatalf("token signed by a retired key: %d, want 422", got)
	}
	if got := exchange(after); got != http.StatusOK {
		t.Fatalf("token signed by the new key: %d, want 200", got)
	}
}

func TestFreshKeysAreNotShared(t *testing.T) {
	pooled, fresh := NewOIDCIssuer(t), NewOIDCIssuer(t, FreshKeys())
	if pooled.CurrentKID() == fresh.CurrentKID() {
		t.Fatal("an issuer with FreshKeys shares the pooled key")
	}
	if other := NewOIDCIssuer(t); other.CurrentKID() != pooled.CurrentKID() {
		t.Fatal("pooled issuers do not share their first key")
	}
}
