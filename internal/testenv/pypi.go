package testenv

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// PyPI emulates the Trusted Publishing side of PyPI or TestPyPI (reference §3.1-3.3):
// audience discovery and the mint-token exchange, which binds job_workflow_ref.
type PyPI struct {
	*Server
	*trustState
	rules jwtRules
	// tokens are the API tokens minted here; store holds the uploaded files.
	tokens *pypiTokens
	store  *pypiStore
}

// pypiLeeway is PyJWT's leeway as warehouse configures it.
const pypiLeeway = 30 * time.Second

// pypiTokenLifetime is the life of a minted API token (warehouse: not_before + 900).
const pypiTokenLifetime = 900 * time.Second

// NewPyPI starts a PyPI emulator whose audience is "pypi", trusting is.
func NewPyPI(t testing.TB, is *OIDCIssuer) *PyPI {
	t.Helper()
	return newPyPI(t, is, "pypi")
}

// NewTestPyPI starts a TestPyPI emulator whose audience is "testpypi", trusting is.
func NewTestPyPI(t testing.TB, is *OIDCIssuer) *PyPI {
	t.Helper()
	return newPyPI(t, is, "testpypi")
}

func newPyPI(t testing.TB, is *OIDCIssuer, audience string) *PyPI {
	t.Helper()
	p := &PyPI{
		trustState: newTrustState(is, audience),
		tokens:     newPyPITokens(),
		store:      newPyPIStore(t.TempDir()),
		rules: jwtRules{
			issuer:   is.URL(),
			audience: audience,
			leeway:   pypiLeeway,
			required: []string{"iss", "iat", "exp", "aud"},
			checkIat: true,
		},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_/oidc/audience", p.serveAudience)
	mux.HandleFunc("POST /_/oidc/mint-token", p.serveMintToken)
	// The legacy route is still registered at warehouse (reference §3.2).
	mux.HandleFunc("POST /_/oidc/github/mint-token", p.serveMintToken)
	p.routeUploads(mux)
	p.Server = NewServer(t, mux)
	return p
}

func (p *PyPI) serveAudience(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"audience": p.audience})
}

// pypiError is one entry of a 422 body.
type pypiError struct {
	Code        string `json:"code"`
	Description string `json:"description"`
}

// pypiFail answers 422 with warehouse's error envelope.
func pypiFail(w http.ResponseWriter, code, description string) {
	writeJSON(w, http.StatusUnprocessableEntity, struct {
		Message string      `json:"message"`
		Errors  []pypiError `json:"errors"`
	}{"Token request failed", []pypiError{{code, description}}})
}

// pypiSuccess is the 200 body of a mint.
type pypiSuccess struct {
	Success bool   `json:"success"`
	Token   string `json:"token"`
	Expires int64  `json:"expires"`
}

func (p *PyPI) serveMintToken(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, "read body", http.StatusBadRequest)
		return
	}
	raw, problem := pypiTokenPayload(body)
	if problem != "" {
		pypiFail(w, "invalid-payload", problem)
		return
	}
	tok, err := p.receive(raw)
	if err != nil || !tok.present("iss") {
		pypiFail(w, "invalid-payload", "malformed JWT")
		return
	}
	if iss, _ := tok.str("iss"); iss != p.rules.issuer {
		pypiFail(w, "invalid-payload", "unknown trusted publishing issuer")
		return
	}
	now := p.is.Clock().Now()
	if err := p.rules.verify(tok, p.is, now); err != nil {
		pypiFail(w, "invalid-token", "malformed or invalid token")
		return
	}
	jti, _ := tok.str("jti")
	if jti != "" && p.jtiUsed(jti) {
		pypiFail(w, "invalid-reuse-token", "invalid token: already used")
		return
	}
	pub, reason := p.findPublisher(tok)
	if reason != "" {
		pypiFail(w, "invalid-publisher", "valid token, but no corresponding publisher ("+reason+")")
		return
	}
	cred := "pypi-" + CanaryMarker + randomAlnum(120)
	if !p.issue(jti, cred) {
		pypiFail(w, "invalid-reuse-token", "invalid token: already used")
		return
	}
	p.tokens.record(cred, pypiToken{projects: p.publisherProjects(pub), expires: now.Add(pypiTokenLifetime), publisher: &pub})
	writeJSON(w, http.StatusOK, pypiSuccess{Success: true, Token: cred, Expires: now.Add(pypiTokenLifetime).Unix()})
}

// pypiTokenPayload decodes the body as warehouse's pydantic TokenPayload (one StrictStr
// field "token"; unknown fields are ignored, as pydantic's default does). problem is the
// invalid-payload description; the texts follow pydantic's layout but leave out its
// input_value echo, which would repeat a secret back.
func pypiTokenPayload(body []byte) (token, problem string) {
	const head = "1 validation error for TokenPayload\n"
	var v any
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&v); err != nil || dec.More() {
		return "", head + "  Invalid JSON [type=json_invalid, input_type=str]"
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return "", head + "  Input should be an object [type=model_type]"
	}
	t, present := obj["token"]
	if !present {
		return "", head + "token\n  Field required [type=missing, input_type=dict]"
	}
	s, ok := t.(string)
	if !ok {
		return "", head + "token\n  Input should be a valid string [type=string_type]"
	}
	return s, ""
}

// pypiRequiredClaims are the GitHub publisher's required claims, in the order their
// absence is reported.
var pypiRequiredClaims = []string{"sub", "repository", "repository_owner", "repository_owner_id", "job_workflow_ref", "ref", "sha"}

// findPublisher looks the token's identity up like warehouse's GitHub publisher and
// returns it, or why none matches ("" when one does). The workflow file comes from
// job_workflow_ref, so a reusable workflow names the called file, which must live in the
// publisher's own repository.
func (p *PyPI) findPublisher(tok *parsedJWT) (Publisher, string) {
	for _, c := range pypiRequiredClaims {
		if !tok.present(c) {
			return Publisher{}, fmt.Sprintf("Missing claim %s", pyRepr(c))
		}
	}
	repo, _ := tok.str("repository")
	ownerID, _ := tok.str("repository_owner_id")
	jwf, _ := tok.str("job_workflow_ref")
	env, _ := tok.str("environment")
	file, _ := workflowFile(jwf)
	owner, name, _ := splitRepository(repo)

	match := func(pub Publisher, wantEnv bool) bool {
		if !strings.EqualFold(pub.Owner, owner) || !strings.EqualFold(pub.Repo, name) ||
			!ownerIDMatches(pub, ownerID) || pub.Workflow != file {
			return false
		}
		if wantEnv {
			return pub.Environment != "" && strings.EqualFold(pub.Environment, env)
		}
		return pub.Environment == ""
	}
	pubs := p.registrations()
	var found *Publisher
	// Environment-specific publishers first, then environment-less ones (warehouse's
	// lookup strategies).
	for _, wantEnv := range []bool{true, false} {
		if wantEnv && env == "" {
			continue
		}
		for i := range pubs {
			if match(pubs[i], wantEnv) {
				found = &pubs[i]
				break
			}
		}
		if found != nil {
			break
		}
	}
	if found == nil {
		return Publisher{}, "Publisher with matching claims was not found"
	}
	return *found, pypiVerifyClaims(*found, tok)
}

// pypiVerifyClaims checks the claims of a token against the publisher it was looked up
// by (warehouse's verify_claims for GitHub).
func pypiVerifyClaims(pub Publisher, tok *parsedJWT) string {
	failed := func(c string) string { return "Check failed for required claim " + pyRepr(c) }
	repo, _ := tok.str("repository")
	if repo == "" || !strings.EqualFold(repo, pub.repository()) {
		return failed("repository")
	}
	if owner, _ := tok.str("repository_owner"); owner != pub.Owner {
		return failed("repository_owner")
	}
	if id, _ := tok.str("repository_owner_id"); !ownerIDMatches(pub, id) {
		return failed("repository_owner_id")
	}
	jwf, _ := tok.str("job_workflow_ref")
	if jwf == "" {
		return "The job_workflow_ref claim is empty"
	}
	ref, _ := tok.str("ref")
	sha, _ := tok.str("sha")
	if ref == "" && sha == "" {
		return "The ref and sha claims are empty"
	}
	var expected []string
	for _, at := range []string{ref, sha} {
		if at != "" {
			expected = append(expected, pub.workflowPath()+"@"+at)
		}
	}
	sort.Strings(expected)
	if !slices.Contains(expected, jwf) {
		quoted := make([]string, len(expected))
		for i, e := range expected {
			quoted[i] = pyRepr(e)
		}
		return fmt.Sprintf("The job_workflow_ref claim does not match, expecting one of [%s], got %s",
			strings.Join(quoted, ", "), pyRepr(jwf))
	}
	if ev, _ := tok.str("event_name"); ev == "pull_request_target" {
		return "Publishing from a workflow invoked via 'pull_request_target' is not supported."
	}
	if pub.Environment != "" {
		if env, _ := tok.str("environment"); env == "" || !strings.EqualFold(env, pub.Environment) {
			return "Check failed for optional claim 'environment'"
		}
	}
	return ""
}

// pyRepr quotes s the way Python's repr does for plain strings.
func pyRepr(s string) string {
	if strings.Contains(s, "'") && !strings.Contains(s, `"`) {
		return `"` + strings.ReplaceAll(s, `\`, `\\`) + `"`
	}
	return "'" + strings.NewReplacer(`\`, `\\`, "'", `\'`).Replace(s) + "'"
}
