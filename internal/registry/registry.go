// Package registry exchanges a CI job's OIDC ID token for a short-lived
// upload credential at a package registry (Trusted Publishing): one file per
// registry behind the Exchanger interface. The wire details follow
// shared/reference/trusted-publishing.md (§3 PyPI, §4 npm, §5 crates.io,
// §6 RubyGems).
package registry

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/releaserhq/releaser/internal/loopback"
)

// Kinds, as in release.toml [[registry]].kind.
const (
	KindPyPI     = "pypi"
	KindTestPyPI = "testpypi"
	KindNpm      = "npm"
	KindCrates   = "crates"
	KindRubyGems = "rubygems"
)

// Workflow claims: which claim a registry binds the trusted publisher's
// workflow file to.
const (
	ClaimWorkflowRef    = "workflow_ref"
	ClaimJobWorkflowRef = "job_workflow_ref"
)

// IDTokenFunc returns a FRESH, already locally verified OIDC ID token for the
// exchange's audience. The exchanger calls it once per HTTP attempt: PyPI,
// crates.io and NuGet reject a JWT whose jti they have seen before.
type IDTokenFunc func(ctx context.Context) (string, error)

// Exchanger mints a short-lived upload credential at one registry. The
// interface will grow (uploads, already-published lookups) in later issues.
type Exchanger interface {
	Kind() string
	// Name is the registry's display name: "PyPI", "TestPyPI", "npm",
	// "crates.io", "RubyGems".
	Name() string
	// WorkflowClaim is the claim the registry binds the workflow file to:
	// PyPI/TestPyPI/RubyGems job_workflow_ref; npm/crates.io workflow_ref.
	WorkflowClaim() string
	// Endpoint is the exchange URL, for plans and the audit log.
	Endpoint() string
	// Audience is the aud the ID token must carry. Only PyPI asks the
	// server; the others compute it without a request.
	Audience(ctx context.Context) (string, error)
	Exchange(ctx context.Context, idToken IDTokenFunc) (*Token, error)
}

// Revoker is implemented by exchangers whose registry can revoke a token
// (crates.io only).
type Revoker interface {
	Revoke(ctx context.Context, t *Token) error
}

// Options configures the HTTP behaviour shared by every exchanger.
type Options struct {
	// HTTPClient is the base client (timeouts, test transports); nil means a
	// client with a 30 s timeout. Its Timeout applies per attempt.
	HTTPClient *http.Client
	// UserAgent is sent on every request (crates.io refuses requests
	// without one); "" means "releaser".
	UserAgent string
	// RetryMax is the number of extra attempts after the first; 0 means 3,
	// a negative value means no retries.
	RetryMax int
	// RetryWaitMin is the first backoff; 0 means 1 s.
	RetryWaitMin time.Duration
	// RetryWaitMax caps every wait, including a longer Retry-After; 0 means 30 s.
	RetryWaitMax time.Duration
	// OnRetry, when set, is called before each retry's wait.
	OnRetry func(RetryInfo)
}

// RetryInfo describes one upcoming retry, for progress output and the audit
// log. It never carries a secret.
type RetryInfo struct {
	Registry string        // kind
	Attempt  int           // the attempt about to be made: 2 for the first retry
	Status   int           // HTTP status of the failed attempt; 0 = transport error
	Wait     time.Duration // how long we wait before the attempt
	Reason   string        // short and safe to print
}

const (
	defaultUserAgent    = "releaser"
	defaultTimeout      = 30 * time.Second
	defaultRetryMax     = 3
	defaultRetryWaitMin = 1 * time.Second
	defaultRetryWaitMax = 30 * time.Second
)

// defaultBaseURLs are the public registries. PyPI's exchange routes are
// served by the upload host too; gh-action-pypi-publish and twine use it.
var defaultBaseURLs = map[string]string{
	KindPyPI:     "https://upload.pypi.org",
	KindTestPyPI: "https://test.pypi.org",
	KindNpm:      "https://registry.npmjs.org",
	KindCrates:   "https://crates.io",
	KindRubyGems: "https://rubygems.org",
}

// New returns the exchanger for kind at baseURL ("" means the public
// registry). pkg is the package name at the registry: npm needs it for the
// URL; the others use it to make fixes concrete.
func New(kind, baseURL, pkg string, opts Options) (Exchanger, error) {
	def, ok := defaultBaseURLs[kind]
	if !ok {
		return nil, fmt.Errorf("registry kind %q is not supported (want one of pypi, testpypi, npm, crates, rubygems)", kind)
	}
	if baseURL == "" {
		baseURL = def
	}
	base, err := parseBaseURL(baseURL)
	if err != nil {
		return nil, fmt.Errorf("%s registry URL: %w", displayNames[kind], err)
	}
	c := newClient(kind, opts)
	switch kind {
	case KindPyPI, KindTestPyPI:
		return newPyPI(kind, base, pkg, c), nil
	case KindNpm:
		return newNpm(base, pkg, c)
	case KindCrates:
		return newCrates(base, pkg, c), nil
	default:
		return newRubyGems(base, pkg, c), nil
	}
}

// displayNames are the registries' names as their users know them.
var displayNames = map[string]string{
	KindPyPI:     "PyPI",
	KindTestPyPI: "TestPyPI",
	KindNpm:      "npm",
	KindCrates:   "crates.io",
	KindRubyGems: "RubyGems",
}

// DisplayName is the registry's name as its users know it ("PyPI",
// "crates.io"), or "registry" for an unknown kind.
func DisplayName(kind string) string {
	if n, ok := displayNames[kind]; ok {
		return n
	}
	return "registry"
}

// parseBaseURL accepts an absolute https URL, or plain http only on a
// loopback host (local emulators): anything else would send the JWT and the
// minted token in clear text.
func parseBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("cannot parse %q: %w", raw, err)
	}
	if u.Host == "" || u.Opaque != "" {
		return nil, fmt.Errorf("%q is not an absolute URL", raw)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%q must not carry credentials, a query or a fragment", u.Redacted())
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !loopback.Host(u.Hostname()) {
			return nil, fmt.Errorf("%q uses plain http; only https is allowed (http only for localhost)", raw)
		}
	default:
		return nil, fmt.Errorf("%q: scheme must be https", raw)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// endpointURL joins the base URL and a path that is already escaped.
func endpointURL(base *url.URL, escapedPath string) string {
	return base.Scheme + "://" + base.Host + base.EscapedPath() + escapedPath
}
