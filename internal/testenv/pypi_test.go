package testenv

import (
	"net/http"
	"testing"
)

func TestPyPIAudienceDiscovery(t *testing.T) {
	is := newIssuer(t)
	for _, tc := range []struct {
		name string
		reg  *PyPI
		want string
	}{
		{"pypi", NewPyPI(t, is), `{"audience":"pypi"}`},
		{"testpypi", NewTestPyPI(t, is), `{"audience":"testpypi"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			do(t, http.MethodGet, tc.reg.URL()+"/_/oidc/audience", nil, nil).wantJSON(t, http.StatusOK, tc.want)
		})
	}
}

// pypiInvalid is the 422 body for one error.
func pypiInvalid(code, description string) string {
	return `{"message":"Token request failed","errors":[{"code":` + jsonString(code) + `,"description":` + jsonString(description) + `}]}`
}

func TestPyPIMintToken(t *testing.T) {
	const notFound = "valid token, but no corresponding publisher (Publisher with matching claims was not found)"
	cases := []struct {
		tokenCase
		want string // 422 body; "" means success
	}{
		{tokenCase: tokenCase{name: "success"}},
		{tokenCase: tokenCase{name: "environment is case-insensitive", setup: func(is *OIDCIssuer, _ *Publisher) { is.Set("environment", "RELEASE") }}},
		{tokenCase: tokenCase{name: "publisher without environment takes any", setup: func(is *OIDCIssuer, p *Publisher) {
			p.Environment = ""
			is.Set("environment", "staging")
		}}},
		{tokenCase: tokenCase{name: "repository is case-insensitive", setup: func(is *OIDCIssuer, _ *Publisher) {
			is.Set("repository", "octo-org/Octo-Repo")
		}}},
		{tokenCase: tokenCase{name: "expired 10s ago is within the 30s leeway", mint: func(is *OIDCIssuer, aud string) string {
			return is.Mint(aud, map[string]any{"exp": frozen.Unix() - 10})
		}}},
		{tokenCase{name: "wrong audience", mint: tampered(WrongAudience)}, pypiInvalid("invalid-token", "malformed or invalid token")},
		{tokenCase{name: "testpypi audience", mint: func(is *OIDCIssuer, _ string) string { return is.Mint("testpypi", nil) }},
			pypiInvalid("invalid-token", "malformed or invalid token")},
		{tokenCase{name: "audience as a list", mint: withClaims(map[string]any{"aud": []string{"pypi"}})},
			pypiInvalid("invalid-token", "malformed or invalid token")},
		{tokenCase{name: "expired", mint: tampered(Expired)}, pypiInvalid("invalid-token", "malformed or invalid token")},
		{tokenCase{name: "not yet valid", mint: tampered(NotYetValid)}, pypiInvalid("invalid-token", "malformed or invalid token")},
		{tokenCase{name: "bad signature", mint: tampered(BadSignature)}, pypiInvalid("invalid-token", "malformed or invalid token")},
		{tokenCase{name: "unknown kid", mint: tampered(UnknownKID)}, pypiInvalid("invalid-token", "malformed or invalid token")},
		{tokenCase{name: "alg none", mint: tampered(AlgNone)}, pypiInvalid("invalid-token", "malformed or invalid token")},
		{tokenCase{name: "alg HS256", mint: tampered(AlgHS256)}, pypiInvalid("invalid-token", "malformed or invalid token")},
		{tokenCase{name: "reused jti", reuse: true}, pypiInvalid("invalid-reuse-token", "invalid token: already used")},
		{tokenCase{name: "other issuer", mint: withClaims(map[string]any{"iss": "https://token.actions.githubusercontent.com"})},
			pypiInvalid("invalid-payload", "unknown trusted publishing issuer")},
		{tokenCase{name: "not a JWT", mint: func(*OIDCIssuer, string) string { return "not-a-jwt" }},
			pypiInvalid("invalid-payload", "malformed JWT")},
		{tokenCase{name: "wrong repository", setup: func(is *OIDCIssuer, _ *Publisher) { is.Set("repository", "octo-org/other-repo") }},
			pypiInvalid("invalid-publisher", notFound)},
		{tokenCase{name: "wrong owner id", setup: func(is *OIDCIssuer, _ *Publisher) { is.Set("repository_owner_id", "66") }},
			pypiInvalid("invalid-publisher", notFound)},
		{tokenCase{name: "repository_owner is case-sensitive", setup: func(is *OIDCIssuer, _ *Publisher) { is.Set("repository_owner", "Octo-Org") }},
			pypiInvalid("invalid-publisher", "valid token, but no corresponding publisher (Check failed for required claim 'repository_owner')")},
		{tokenCase{name: "reusable workflow", setup: func(is *OIDCIssuer, _ *Publisher) { is.UseReusableWorkflow(reusable) }},
			pypiInvalid("invalid-publisher", notFound)},
		{tokenCase{name: "reusable workflow registered by file name", setup: func(is *OIDCIssuer, p *Publisher) {
			is.UseReusableWorkflow(reusable)
			p.Workflow = "publish.yml"
		}}, pypiInvalid("invalid-publisher", "valid token, but no corresponding publisher (The job_workflow_ref claim does not match, expecting one of "+
			"['octo-org/octo-repo/.github/workflows/publish.yml@"+DefaultSHA+"', 'octo-org/octo-repo/.github/workflows/publish.yml@refs/tags/v1.2.3'], "+
			"got '"+reusable+"')")},
		{tokenCase{name: "missing environment", setup: func(is *OIDCIssuer, _ *Publisher) { is.Delete("environment") }},
			pypiInvalid("invalid-publisher", notFound)},
		{tokenCase{name: "other environment", setup: func(is *OIDCIssuer, _ *Publisher) { is.Set("environment", "staging") }},
			pypiInvalid("invalid-publisher", notFound)},
		{tokenCase{name: "pull_request_target", setup: func(is *OIDCIssuer, _ *Publisher) { is.Set("event_name", "pull_request_target") }},
			pypiInvalid("invalid-publisher", "valid token, but no corresponding publisher (Publishing from a workflow invoked via 'pull_request_target' is not supported.)")},
		{tokenCase{name: "missing sha", setup: func(is *OIDCIssuer, _ *Publisher) { is.Delete("sha") }},
			pypiInvalid("invalid-publisher", "valid token, but no corresponding publisher (Missing claim 'sha')")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			is := newIssuer(t)
			pub := DefaultPublisher("sampleproject")
			if tc.setup != nil {
				tc.setup(is, &pub)
			}
			reg := NewPyPI(t, is)
			reg.AddPublisher(pub)
			jwt := mintFor(is, reg.Audience(), tc.tokenCase)
			url := reg.URL() + "/_/oidc/mint-token"
			if tc.reuse {
				if r := postJSON(t, url, map[string]string{"token": jwt}, nil); r.status != http.StatusOK {
					t.Fatalf("first exchange: %d %s", r.status, r.text())
				}
			}
			r := postJSON(t, url, map[string]string{"token": jwt}, nil)
			if tc.want != "" {
				r.wantJSON(t, http.StatusUnprocessableEntity, tc.want)
				if n := reg.Exchanges(); n != boolInt(tc.reuse) {
					t.Errorf("Exchanges() = %d after a refusal", n)
				}
				return
			}
			if r.status != http.StatusOK {
				t.Fatalf("status %d: %s", r.status, r.text())
			}
			m := r.object(t)
			cred, _ := m["token"].(string)
			wantCanary(t, cred, "pypi-")
			if m["success"] != true || m["expires"] != float64(frozen.Unix()+900) {
				t.Errorf("success %v, expires %v; want true, %d", m["success"], m["expires"], frozen.Unix()+900)
			}
			if got := reg.Issued(); len(got) != 1 || got[0] != cred || reg.Exchanges() != 1 {
				t.Errorf("Issued() has %d tokens, Exchanges() = %d; want the 1 served", len(got), reg.Exchanges())
			}
		})
	}
}

func TestPyPIPayloadShape(t *testing.T) {
	is := newIssuer(t)
	reg := NewPyPI(t, is)
	reg.AddPublisher(DefaultPublisher(""))
	jwt := is.Mint("pypi", nil)
	for _, tc := range []struct {
		name, body, wantCode string
	}{
		{"jwt instead of token", `{"jwt":"` + jwt + `"}`, "invalid-payload"},
		{"token not a string", `{"token":42}`, "invalid-payload"},
		{"not an object", `["` + jwt + `"]`, "invalid-payload"},
		{"not JSON", `token=` + jwt, "invalid-payload"},
		{"legacy route, exact shape", `{"token":"` + jwt + `"}`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := "/_/oidc/mint-token"
			if tc.wantCode == "" {
				path = "/_/oidc/github/mint-token"
			}
			r := do(t, http.MethodPost, reg.URL()+path, []byte(tc.body), map[string]string{"Content-Type": "application/json"})
			if tc.wantCode == "" {
				if r.status != http.StatusOK {
					t.Fatalf("status %d: %s", r.status, r.text())
				}
				return
			}
			if r.status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422: %s", r.status, r.text())
			}
			errs, _ := r.object(t)["errors"].([]any)
			if len(errs) != 1 || errs[0].(map[string]any)["code"] != tc.wantCode {
				t.Fatalf("errors %v, want one %q", errs, tc.wantCode)
			}
			AssertNoSecrets(t, "422 body", r.body, is)
		})
	}
}

// mintFor makes the token a registry case submits.
func mintFor(is *OIDCIssuer, aud string, tc tokenCase) string {
	if tc.mint != nil {
		return tc.mint(is, aud)
	}
	return is.Mint(aud, nil)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
