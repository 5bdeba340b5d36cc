package identity

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/hashicorp/go-retryablehttp"
	"github.com/releaserhq/releaser/internal/loopback"
)

// Source hands out ID tokens for an audience.
type Source interface {
	// Token returns an ID token for aud. On GitHub every call mints a new
	// token (a new jti); on GitLab the job has one token per variable.
	Token(ctx context.Context, aud string) (string, error)
}

// NoTokenError means the job cannot get an ID token at all. It is a
// precondition failure: the fix is in the workflow file, not a retry.
type NoTokenError struct {
	Provider string
	Missing  []string // the environment variables that are not set
}

func (e *NoTokenError) Error() string {
	if e.Provider == "gitlab" {
		return fmt.Sprintf("no ID token: %s is not set — declare it under id_tokens: in the job of .gitlab-ci.yml, with the registry's audience",
			strings.Join(e.Missing, ", "))
	}
	return fmt.Sprintf("no ID token: %s not set — add `permissions: id-token: write` to the publishing job (pull requests from forks never get an ID token, whatever the permissions)",
		strings.Join(e.Missing, " and ")+map[bool]string{true: " is", false: " are"}[len(e.Missing) == 1])
}

// GitHub Actions' ID-token request variables, set only for jobs with
// `permissions: id-token: write`.
const (
	EnvRequestURL   = "ACTIONS_ID_TOKEN_REQUEST_URL"
	EnvRequestToken = "ACTIONS_ID_TOKEN_REQUEST_TOKEN"
)

type githubSource struct {
	reqURL   *url.URL
	reqToken string
	client   *retryablehttp.Client
}

// NewGitHubSource reads the runner's ID-token request variables through
// getenv. It fails with *NoTokenError when they are missing.
func NewGitHubSource(getenv func(string) string, client *http.Client) (Source, error) {
	var missing []string
	for _, k := range []string{EnvRequestURL, EnvRequestToken} {
		if getenv(k) == "" {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return nil, &NoTokenError{Provider: "github", Missing: missing}
	}
	u, err := url.Parse(getenv(EnvRequestURL))
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("%s is not a URL", EnvRequestURL)
	}
	// The request token authorises minting ID tokens for this job: it must
	// not cross the network in clear. Plain http is for loopback emulators.
	if u.Scheme != "https" && !(u.Scheme == "http" && loopback.Host(u.Hostname())) {
		return nil, fmt.Errorf("%s must be an https URL, got scheme %q", EnvRequestURL, u.Scheme)
	}
	rc := retryablehttp.NewClient()
	rc.Logger = nil
	if client != nil {
		rc.HTTPClient = client
	}
	// The toolkit retries 502/503/504 with backoff; a few attempts with short
	// waits are plenty inside a 5-minute token lifetime.
	rc.RetryMax = 3
	rc.RetryWaitMin, rc.RetryWaitMax = 200*time.Millisecond, 3*time.Second
	return &githubSource{reqURL: u, reqToken: getenv(EnvRequestToken), client: rc}, nil
}

func (s *githubSource) Token(ctx context.Context, aud string) (string, error) {
	u := *s.reqURL
	q := u.Query()
	q.Set("audience", aud)
	u.RawQuery = q.Encode()
	req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return "", fmt.Errorf("request an ID token: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+s.reqToken)
	req.Header.Set("Accept", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		// The URL's path carries per-job identifiers, not the request token,
		// but keep the error to the host to be sure.
		return "", fmt.Errorf("request an ID token from %s: %s", s.reqURL.Host, transportReason(err))
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK {
		// A proxy or a broken endpoint may echo the request; the request token
		// must not reach the error (fuzz-found).
		text := strings.ReplaceAll(string(body), s.reqToken, "[REDACTED]")
		return "", fmt.Errorf("request an ID token: GitHub answered HTTP %d: %s", resp.StatusCode, printable(text, 300))
	}
	var out struct {
		Value string `json:"value"`
	}
	if err := json.Unmarshal(body, &out); err != nil || out.Value == "" {
		return "", fmt.Errorf("request an ID token: the response has no token in \"value\"")
	}
	return out.Value, nil
}

// transportReason keeps a transport error's cause without the full URL.
func transportReason(err error) string {
	var ue *url.Error
	for e := err; e != nil; {
		if u, ok := e.(*url.Error); ok {
			ue = u
			break
		}
		u, ok := e.(interface{ Unwrap() error })
		if !ok {
			break
		}
		e = u.Unwrap()
	}
	if ue != nil {
		return ue.Err.Error()
	}
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		return msg[i+2:]
	}
	return msg
}

// printable bounds an untrusted response body for an error message.
func printable(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if len(s) > n {
		s = s[:n] + "…"
	}
	if s == "" {
		return "(empty body)"
	}
	return s
}

type envSource struct {
	getenv func(string) string
	name   string
}

// NewEnvSource reads the token from an environment variable, as GitLab CI
// exposes the tokens a job declares under id_tokens:.
func NewEnvSource(getenv func(string) string, name string) Source {
	return &envSource{getenv: getenv, name: name}
}

func (s *envSource) Token(context.Context, string) (string, error) {
	v := strings.TrimSpace(s.getenv(s.name))
	if v == "" {
		return "", &NoTokenError{Provider: "gitlab", Missing: []string{s.name}}
	}
	return v, nil
}

// ConventionalGitLabVar is the variable a GitLab job conventionally declares
// for a registry's token: npm reads NPM_ID_TOKEN, crates.io's docs use
// CRATES_IO_ID_TOKEN, and otherwise the audience upper-cased with every
// non-alphanumeric as "_" plus "_ID_TOKEN" (PYPI_ID_TOKEN), as the id
// library looks it up.
func ConventionalGitLabVar(kind, aud string) string {
	switch kind {
	case "npm":
		return "NPM_ID_TOKEN"
	case "crates":
		return "CRATES_IO_ID_TOKEN"
	}
	b := []byte(strings.ToUpper(aud))
	for i, c := range b {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			b[i] = '_'
		}
	}
	return string(b) + "_ID_TOKEN"
}
