package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"

	gogithub "github.com/google/go-github/v60/github"
	"github.com/releaserhq/releaser/internal/loopback"
)

// Client talks to one GitHub (github.com, GHE.com or a GitHub Enterprise Server) with one
// token. Its methods may be called concurrently; SetRetry may not.
type Client struct {
	// api serves ordinary API calls with the caller's http.Client as given (its Timeout
	// bounds each call). bulk serves uploads and dl downloads: no overall timeout (a 2 GiB
	// asset takes a while), a stall guard instead. Downloads have a client of their own
	// because go-github's DownloadReleaseAsset swaps its http.Client's CheckRedirect
	// while it runs, which would race with uploads on the same client.
	api, bulk, dl *gogithub.Client
	// plain fetches the storage URL a download redirects to: pre-signed, so it carries
	// no credentials.
	plain *http.Client
	// stall is how long a transfer may make no progress before the attempt is abandoned.
	stall time.Duration

	token string // only to redact it, should a server ever echo it
	retry RetryPolicy
	sleep func(context.Context, time.Duration) error
}

const (
	defaultUserAgent = "releaser"
	defaultTimeout   = 60 * time.Second
)

// New builds a client for apiURL: "https://api.github.com/", a GitHub Enterprise Server
// "https://HOST/api/v3/" (a bare "https://HOST/" gets /api/v3/ added), or a GHE.com
// "https://api.SUBDOMAIN.ghe.com/". The trailing slash may be omitted. Uploads go to
// uploads.github.com, https://HOST/api/uploads/ or uploads.SUBDOMAIN.ghe.com. token is
// sent as "Authorization: Bearer". httpClient may be nil (a client with a 60 s timeout
// per API call); its Timeout also bounds how long an upload or download may stall.
// https is required except on loopback addresses (tests).
func New(apiURL, token string, httpClient *http.Client, userAgent string) (*Client, error) {
	api, uploads, err := endpoints(apiURL)
	if err != nil {
		return nil, err
	}
	if err := checkToken(token); err != nil {
		return nil, err
	}
	if userAgent == "" {
		userAgent = defaultUserAgent
	}
	base := httpClient
	if base == nil {
		base = &http.Client{Timeout: defaultTimeout}
	}
	c := &Client{token: token, stall: base.Timeout, sleep: sleepCtx}
	if c.stall <= 0 {
		c.stall = defaultTimeout
	}
	c.SetRetry(RetryPolicy{})

	apiHTTP := *base
	apiHTTP.CheckRedirect = sameOrigin
	bulkHTTP := apiHTTP
	bulkHTTP.Timeout = 0
	for _, p := range []struct {
		dst **gogithub.Client
		hc  *http.Client
	}{{&c.api, &apiHTTP}, {&c.bulk, &bulkHTTP}, {&c.dl, &bulkHTTP}} {
		gh := gogithub.NewClient(p.hc).WithAuthToken(token)
		gh.BaseURL, gh.UploadURL, gh.UserAgent = api, uploads, userAgent
		*p.dst = gh
	}
	plain := *base
	plain.Timeout = 0
	plain.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return checkScheme(req.URL)
	}
	c.plain = &plain
	return c, nil
}

// sameOrigin follows a redirect only within the origin of the first request: the
// token is added to every request by the transport, so following a redirect elsewhere
// would hand it to that host.
func sameOrigin(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	first := via[0].URL
	if req.URL.Scheme != first.Scheme || !strings.EqualFold(req.URL.Host, first.Host) {
		return http.ErrUseLastResponse
	}
	return nil
}

// endpoints derives the API and uploads base URLs (both with a trailing slash).
func endpoints(apiURL string) (api, uploads *url.URL, err error) {
	u, err := url.Parse(strings.TrimSpace(apiURL))
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, nil, fmt.Errorf("GitHub API URL %q is not an absolute http(s) URL", redactURL(apiURL))
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, nil, fmt.Errorf("GitHub API URL %s must not carry credentials, a query or a fragment", u.Redacted())
	}
	if err := checkScheme(u); err != nil {
		return nil, nil, err
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	u.RawPath = ""
	host := strings.ToLower(u.Hostname())
	up := *u
	switch {
	case host == "api.github.com":
		up.Host, up.Path = "uploads.github.com", "/"
	case strings.HasSuffix(u.Path, "/api/v3/"):
		up.Path = strings.TrimSuffix(u.Path, "v3/") + "uploads/"
	case strings.HasPrefix(host, "api.") && strings.HasSuffix(host, ".ghe.com") && u.Path == "/":
		// GHE.com data residency: api.SUBDOMAIN.ghe.com uploads to uploads.SUBDOMAIN.ghe.com
		// (UNCONFIRMED; it mirrors github.com's pair).
		up.Host = "uploads." + strings.TrimPrefix(u.Host, "api.")
	case u.Path == "/":
		// A bare GitHub Enterprise Server host.
		u.Path = "/api/v3/"
		up.Path = "/api/uploads/"
	default:
		return nil, nil, fmt.Errorf("GitHub API URL %s: cannot tell where uploads go; use https://api.github.com/ or https://HOST/api/v3/", u.Redacted())
	}
	return u, &up, nil
}

// checkScheme allows https, and http only to a loopback address.
func checkScheme(u *url.URL) error {
	if u.Scheme == "https" {
		return nil
	}
	if u.Scheme == "http" && loopback.Host(u.Hostname()) {
		return nil
	}
	return fmt.Errorf("refusing %s://%s: GitHub must be reached over https (plain http only on loopback)", u.Scheme, u.Host)
}

func checkToken(token string) error {
	if token == "" {
		return errors.New("no GitHub token: the release needs one with contents: write")
	}
	if strings.IndexFunc(token, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		// Never quote the value: it is a secret.
		return errors.New("the GitHub token contains whitespace or control characters")
	}
	return nil
}

// redactURL keeps an unparsable URL out of errors when it might carry credentials.
func redactURL(s string) string {
	if u, err := url.Parse(s); err == nil {
		return u.Redacted()
	}
	if strings.Contains(s, "@") {
		return "(unparsable URL)"
	}
	return s
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
