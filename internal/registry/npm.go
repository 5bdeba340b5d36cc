package registry

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// npmLifetime is assumed: npm documents its exchanged tokens only as
// "short-lived" (reference §4.1, UNCONFIRMED). Five minutes is the ID
// token's own lifetime and errs on the side of exchanging again early.
const npmLifetime = 5 * time.Minute

// npm exchanges at an npm registry (reference §4).
type npm struct {
	base *url.URL
	pkg  string
	c    *client
}

// npmName accepts what can be put into the URL unescaped: an optional
// "@scope/" and a name of URL-safe characters, as validate-npm-package-name
// requires (encodeURIComponent(name) === name).
var npmName = regexp.MustCompile(`^(@[A-Za-z0-9][A-Za-z0-9._~-]*/)?[A-Za-z0-9._~-]+$`)

func newNpm(base *url.URL, pkg string, c *client) (*npm, error) {
	if pkg == "" {
		return nil, fmt.Errorf("npm needs the package name: the exchange URL names the package")
	}
	if !npmName.MatchString(pkg) || strings.HasPrefix(pkg, ".") || strings.HasPrefix(pkg, "_") || len(pkg) > 214 {
		return nil, fmt.Errorf("npm package name %q is not a valid npm name", pkg)
	}
	return &npm{base: base, pkg: pkg, c: c}, nil
}

func (n *npm) Kind() string          { return KindNpm }
func (n *npm) Name() string          { return DisplayName(KindNpm) }
func (n *npm) WorkflowClaim() string { return ClaimWorkflowRef }

// Endpoint escapes the name exactly as npm-package-arg's escapedName does:
// the first "/" becomes a lower-case "%2f" and "@" stays literal.
func (n *npm) Endpoint() string {
	return endpointURL(n.base, "/-/npm/v1/oidc/token/exchange/package/"+npmEscapedName(n.pkg))
}

func npmEscapedName(pkg string) string { return strings.Replace(pkg, "/", "%2f", 1) }

// Audience is "npm:" + the registry's hostname without a port, as npm-cli
// computes it with new URL(registry).hostname.
func (n *npm) Audience(context.Context) (string, error) {
	return "npm:" + n.base.Hostname(), nil
}

// Exchange posts with the JWT as a Bearer token and no body.
func (n *npm) Exchange(ctx context.Context, idToken IDTokenFunc) (*Token, error) {
	start := time.Now()
	resp, err := n.c.do(ctx, call{
		method:  http.MethodPost,
		url:     n.Endpoint(),
		pkg:     n.pkg,
		header:  http.Header{"Content-Type": {"application/json"}, "Accept": {"application/json"}},
		idToken: idToken,
		attach:  bearer,
	})
	if err != nil {
		return nil, err
	}
	var body struct {
		Token string `json:"token"`
	}
	if err := decodeJSON(resp.body, &body); err != nil {
		return nil, n.c.badResponse(resp.status, err.Error())
	}
	if ok, why := validTokenValue(body.Token); !ok {
		return nil, n.c.badResponse(resp.status, why)
	}
	return newToken(KindNpm, body.Token, time.Time{}, start, npmLifetime), nil
}

// classifyNpm gives fixes for the refusals seen in the wild (reference
// §4.1); the registry is closed source, so the mapping is by status.
func classifyNpm(e *ExchangeError, pkg string) {
	pkgName := "your package"
	if pkg != "" {
		pkgName = "package " + pkg
	}
	switch e.Status {
	case http.StatusNotFound:
		e.Fix = "on npmjs.com, " + pkgName + " → Settings → Trusted Publisher: register this repository and the workflow file named in workflow_ref " +
			"(the calling workflow), and the environment (all fields are case-sensitive); the package must already exist"
	case http.StatusUnauthorized:
		e.Fix = "npm refused the ID token: it accepts only GitHub's standard issuer (not a GitHub Enterprise \"unique issuer\" URL) " +
			"and cloud-hosted runners (not self-hosted ones), with the audience npm:<registry host>"
	case http.StatusForbidden:
		// "OIDC permission denied for this action" has been seen; its status
		// is UNCONFIRMED (reference §4.1), 403 is the likely one.
		e.Fix = "npm denied trusted publishing for " + pkgName + "; check its Settings → Trusted Publisher configuration on npmjs.com"
	}
}
