package registry

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// pypiLifetime is the documented lifetime of a minted PyPI token, used only
// when a response lacks "expires" (warehouse: expires_at = not_before + 900).
const pypiLifetime = 15 * time.Minute

// pypi exchanges at PyPI or TestPyPI (reference §3).
type pypi struct {
	kind string
	base *url.URL
	pkg  string
	c    *client
}

func newPyPI(kind string, base *url.URL, pkg string, c *client) *pypi {
	return &pypi{kind: kind, base: base, pkg: pkg, c: c}
}

func (p *pypi) Kind() string          { return p.kind }
func (p *pypi) Name() string          { return DisplayName(p.kind) }
func (p *pypi) WorkflowClaim() string { return ClaimJobWorkflowRef }
func (p *pypi) Endpoint() string      { return endpointURL(p.base, "/_/oidc/mint-token") }

// Audience asks the index: PyPI answers "pypi", TestPyPI "testpypi", and a
// private warehouse whatever it is configured with.
func (p *pypi) Audience(ctx context.Context) (string, error) {
	resp, err := p.c.do(ctx, call{
		method: http.MethodGet,
		url:    endpointURL(p.base, "/_/oidc/audience"),
		pkg:    p.pkg,
		header: http.Header{"Accept": {"application/json"}},
	})
	if err != nil {
		return "", err
	}
	var body struct {
		Audience string `json:"audience"`
	}
	if err := decodeJSON(resp.body, &body); err != nil {
		return "", p.c.badResponse(resp.status, "audience discovery: "+err.Error())
	}
	if ok, _ := validTokenValue(body.Audience); !ok {
		return "", p.c.badResponse(resp.status, "audience discovery: the response carries no usable audience")
	}
	return body.Audience, nil
}

// Exchange posts {"token":"<jwt>"} to /_/oidc/mint-token.
func (p *pypi) Exchange(ctx context.Context, idToken IDTokenFunc) (*Token, error) {
	start := time.Now()
	resp, err := p.c.do(ctx, call{
		method:  http.MethodPost,
		url:     p.Endpoint(),
		pkg:     p.pkg,
		header:  http.Header{"Content-Type": {"application/json"}, "Accept": {"application/json"}},
		idToken: idToken,
		attach:  jsonField("token"),
	})
	if err != nil {
		return nil, err
	}
	var body struct {
		Success *bool  `json:"success"`
		Token   string `json:"token"`
		Expires int64  `json:"expires"`
	}
	if err := decodeJSON(resp.body, &body); err != nil {
		return nil, p.c.badResponse(resp.status, err.Error())
	}
	if body.Success != nil && !*body.Success {
		return nil, p.c.badResponse(resp.status, `the response says "success": false`)
	}
	if ok, why := validTokenValue(body.Token); !ok {
		return nil, p.c.badResponse(resp.status, why)
	}
	var expires time.Time
	if body.Expires > 0 {
		expires = time.Unix(body.Expires, 0)
	}
	return newToken(p.kind, body.Token, expires, start, pypiLifetime), nil
}

// classifyPyPI maps warehouse's 422 codes and the audience endpoint's
// answers to fixes (reference §3.1, §3.2).
func classifyPyPI(e *ExchangeError, kind, pkg string) {
	name := DisplayName(kind)
	project := "your project"
	if pkg != "" {
		project = "project " + pkg
	}
	switch e.Code {
	case "invalid-publisher":
		e.Fix = fmt.Sprintf("on %s, %s → Publishing, add a trusted publisher for this repository, "+
			"workflow file (the one named in the ID token's job_workflow_ref claim) and environment", name, project)
		if reason := parenthesised(e.Message); reason != "" {
			e.Fix += "; " + name + " says: " + reason
		}
		if strings.Contains(e.Message, "pull_request_target") {
			e.Fix += "; release from a push, release or workflow_dispatch workflow"
		}
		if strings.Contains(e.Message, "job_workflow_ref") {
			e.Fix += "; the registered file must be the workflow that defines the publishing job (a reusable workflow in another repository cannot be the publisher)"
		}
	case "invalid-reuse-token":
		e.Retryable = true
		e.Fix = "each ID token can be used once; releaser retries with a fresh one — if it keeps happening, make sure nothing else exchanges the same token"
	case "not-enabled":
		e.Fix = "trusted publishing is switched off on " + name + " right now (by its administrators); try again later"
	case "invalid-token":
		e.Fix = fmt.Sprintf("%s rejected the ID token itself (signature, audience, expiry or issuer): request it with the audience %s announces "+
			"at /_/oidc/audience, check the runner's clock, and use GitHub's or GitLab's standard issuer", name, name)
	case "invalid-payload":
		e.Fix = name + " could not use the request (malformed token or an issuer it does not know); trusted publishing works from GitHub Actions, GitLab CI/CD and the other providers " + name + " lists"
	case "invalid-pending-publisher":
		e.Fix = fmt.Sprintf("a pending publisher matched but the project already exists; on %s, %s → Publishing, add a regular trusted publisher and remove the pending one", name, project)
	case "":
		switch e.Status {
		case http.StatusForbidden:
			e.Fix = "trusted publishing is not enabled on " + name + " (its administrators turned it off); try again later"
		case http.StatusNotFound:
			e.Fix = "the index at the registry URL does not offer trusted publishing (no /_/oidc routes); check the registry URL in release.toml"
		}
	default:
		e.Fix = "see " + name + "'s trusted publishing troubleshooting page for the error code " + e.Code
	}
}

// parenthesised returns the text inside the outermost parentheses that end
// the message ("valid token, but no corresponding publisher (<reason>)").
func parenthesised(s string) string {
	i := strings.Index(s, "(")
	j := strings.LastIndex(s, ")")
	if i < 0 || j <= i {
		return ""
	}
	return strings.TrimSpace(s[i+1 : j])
}
