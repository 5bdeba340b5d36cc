package identity

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"unicode"

	"github.com/releaserhq/releaser/internal/testenv"
)

// FuzzParseClaims: a payload parses exactly when it is a JSON object, every
// key it has is present (but the GitHub names GitLab's claims are mapped
// onto), and a GitHub claim sent as a string is copied as is.
func FuzzParseClaims(f *testing.F) {
	f.Add([]byte(`{"iss":"https://token.actions.githubusercontent.com","sub":"repo:octo-org/octo-repo:environment:release","jti":"j1","repository":"octo-org/octo-repo","repository_owner_id":"65","workflow_ref":"octo-org/octo-repo/.github/workflows/release.yml@refs/tags/v1.2.3","environment":"release","event_name":"push"}`), false)
	f.Add([]byte(`{"iss":"https://gitlab.com","project_path":"group/sub/project","namespace_id":12,"ci_config_ref_uri":"gitlab.com/group/sub/project//.gitlab-ci.yml@refs/tags/v1","pipeline_source":"push"}`), true)
	f.Add([]byte(`{"repository_id":1e400,"environment":null,"ref":["x"]}`), false)
	f.Add([]byte(`[]`), false)
	f.Fuzz(func(t *testing.T, payload []byte, gitlab bool) {
		provider := "github"
		if gitlab {
			provider = "gitlab"
		}
		c, err := ParseClaims(payload, provider)
		var raw map[string]json.RawMessage
		isObject := json.Unmarshal(payload, &raw) == nil
		if (err == nil) != isObject {
			t.Fatalf("ParseClaims error %v, but the payload is a JSON object: %v", err, isObject)
		}
		if err != nil {
			return
		}
		// On GitLab these GitHub names are set from GitLab's own claims.
		mapped := map[string]bool{"repository": true, "workflow_ref": true, "job_workflow_ref": true, "event_name": true, "ref": true}
		for k := range raw {
			if !c.Has(k) && !(gitlab && mapped[k]) {
				t.Fatalf("claim %q is in the payload but not present", k)
			}
		}
		if gitlab {
			return
		}
		for name, got := range map[string]string{"iss": c.Issuer, "repository": c.Repository, "workflow_ref": c.WorkflowRef, "environment": c.Environment, "jti": c.JTI} {
			var s string
			if v, ok := raw[name]; ok && json.Unmarshal(v, &s) == nil && s != got {
				t.Fatalf("claim %s = %q, parsed as %q", name, s, got)
			}
		}
	})
}

// FuzzParseWorkflowRef: an accepted reference is put back together from its
// parts, and names a .yml or .yaml file.
func FuzzParseWorkflowRef(f *testing.F) {
	f.Add("octo-org/octo-repo/.github/workflows/release.yml@refs/tags/v1.2.3")
	f.Add("octo-org/octo-repo/.github/workflows/sub/dir/x.yaml@0123456789abcdef")
	f.Add("gitlab.com/group/sub/project//ci/release.yml@refs/tags/v1")
	f.Add("a/.github/workflows/@x@y")
	f.Fuzz(func(t *testing.T, s string) {
		w, ok := ParseWorkflowRef(s)
		if !ok {
			return
		}
		if !strings.HasSuffix(w.File, ".yml") && !strings.HasSuffix(w.File, ".yaml") || w.Repository == "" {
			t.Fatalf("%q accepted as %+v", s, w)
		}
		if !strings.HasSuffix(w.Path, w.File) || strings.Contains(w.File, "/") {
			t.Fatalf("%q: file %q is not the last element of path %q", s, w.File, w.Path)
		}
		if !strings.HasSuffix(s, "@"+w.Ref) || strings.Contains(w.Ref, "@") {
			t.Fatalf("%q: ref %q is not what follows the last @", s, w.Ref)
		}
		if !strings.Contains(s, "//") && s != w.Repository+"/"+w.Path+"@"+w.Ref {
			t.Fatalf("%q does not reassemble from %+v", s, w)
		}
	})
}

// FuzzVerify: against a real issuer's keys, only tokens the issuer minted
// verify, and no refusal quotes the token.
func FuzzVerify(f *testing.F) {
	is := testenv.NewOIDCIssuer(f)
	ctx := context.Background()
	v, err := NewVerifier(ctx, is.URL(), "github", is.Client())
	if err != nil {
		f.Fatal(err)
	}
	minted := map[string]bool{} // jti of every good token
	for _, tok := range []string{is.Mint("pypi", nil), is.Mint("pypi", map[string]any{"environment": "other"})} {
		f.Add(tok)
		_, payload, err := splitJWT(tok)
		if err != nil {
			f.Fatal(err)
		}
		c, err := ParseClaims(payload, "github")
		if err != nil {
			f.Fatal(err)
		}
		minted[c.JTI] = true
	}
	for _, tamper := range []testenv.Tamper{testenv.BadSignature, testenv.UnknownKID, testenv.AlgNone, testenv.AlgHS256, testenv.Expired, testenv.WrongAudience} {
		f.Add(is.MintTampered("pypi", tamper))
	}
	f.Add("eyJhbGciOiJSUzI1NiJ9.e30.")
	f.Fuzz(func(t *testing.T, raw string) {
		c, err := v.Verify(ctx, raw, "pypi")
		if err == nil {
			if !minted[c.JTI] {
				t.Fatalf("a token the issuer never minted verified: %+v", c)
			}
			return
		}
		msg := err.Error()
		if msg == "" {
			t.Fatal("empty refusal")
		}
		if len(raw) >= 40 && strings.Contains(msg, raw) {
			t.Fatalf("the refusal quotes the token: %q", msg)
		}
	})
}

// answer is a token endpoint that answers every request with one reply.
type answer struct {
	status int
	body   []byte
}

func (a answer) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{
		StatusCode: a.status,
		Header:     http.Header{"Content-Type": {"application/json"}},
		Body:       io.NopCloser(strings.NewReader(string(a.body))),
		Request:    r,
	}, nil
}

// FuzzGitHubSourceAnswer: what the runner's token endpoint answers. A token
// comes back exactly when the answer is a 200 with a non-empty "value"; a
// refusal is one bounded, printable line that never holds the request token.
func FuzzGitHubSourceAnswer(f *testing.F) {
	const reqToken = "REQUEST-TOKEN-CANARY-1234567890"
	tok := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"RS256"}`)) + ".e30.c2ln"
	f.Add(0, []byte(`{"count":1,"value":"`+tok+`"}`))
	f.Add(0, []byte(`{"value":""}`))
	f.Add(1, []byte(`{"message":"Unable to get ACTIONS_ID_TOKEN_REQUEST_URL env variable"}`))
	f.Add(2, []byte("<html>\x1b[31mdenied "+reqToken+"</html>"))
	f.Add(3, []byte(strings.Repeat("x", 70000)))
	statuses := []int{200, 400, 403, 404} // not 429 or 5xx: those are retried with real waits
	f.Fuzz(func(t *testing.T, which int, body []byte) {
		a := answer{status: statuses[uint(which)%uint(len(statuses))], body: body}
		env := map[string]string{EnvRequestURL: "https://token.example/idtoken?api-version=2.0", EnvRequestToken: reqToken}
		src, err := NewGitHubSource(func(k string) string { return env[k] }, &http.Client{Transport: a})
		if err != nil {
			t.Fatal(err)
		}
		got, err := src.Token(context.Background(), "pypi")
		var out struct {
			Value string `json:"value"`
		}
		wantOK := a.status == 200 && json.Unmarshal(body, &out) == nil && out.Value != ""
		if (err == nil) != wantOK {
			t.Fatalf("status %d, body %q: token %q, error %v", a.status, body, got, err)
		}
		if err == nil {
			if got != out.Value {
				t.Fatalf("token %q, the answer's value %q", got, out.Value)
			}
			return
		}
		msg := err.Error()
		if len(msg) > 500 || strings.Contains(msg, reqToken) {
			t.Fatalf("refusal %q (%d bytes): too long or holds the request token", msg, len(msg))
		}
		if i := strings.IndexFunc(msg, unicode.IsControl); i >= 0 {
			t.Fatalf("control character in %q", msg)
		}
	})
}
