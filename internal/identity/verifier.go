package identity

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
)

// Verifier checks ID tokens against their issuer's published keys before
// they are sent to a registry, so a bad token fails here with a reason
// instead of at the registry with "invalid token" or a bare 404.
type Verifier struct {
	issuer   string
	provider string
	jwksURL  string
	client   *http.Client
	oidc     *oidc.Provider
	now      func() time.Time
}

// NewVerifier discovers issuer's signing keys (/.well-known/openid-configuration,
// then its jwks_uri). provider is "github" or "gitlab", which decides how the
// claims are named. client carries timeouts and, in tests, the emulator's
// transport; nil means http.DefaultClient.
func NewVerifier(ctx context.Context, issuer, provider string, client *http.Client) (*Verifier, error) {
	if client == nil {
		client = http.DefaultClient
	}
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, client), issuer)
	if err != nil {
		return nil, fmt.Errorf("discover the signing keys of issuer %s: %w", issuer, err)
	}
	var doc struct {
		JWKSURI string `json:"jwks_uri"`
	}
	_ = p.Claims(&doc)
	return &Verifier{issuer: issuer, provider: provider, jwksURL: doc.JWKSURI, client: client, oidc: p, now: time.Now}, nil
}

// VerifyError says why a token was refused. Reason is safe to print: it never
// contains the token.
type VerifyError struct {
	Reason string
	Fix    string
}

func (e *VerifyError) Error() string { return e.Reason }

// Verify checks raw's signature (RS256 only, a key the issuer publishes),
// issuer, expiry and that aud is its one and only audience, and returns its
// claims.
func (v *Verifier) Verify(ctx context.Context, raw, aud string) (*Claims, error) {
	hdr, payload, err := splitJWT(raw)
	if err != nil {
		return nil, &VerifyError{Reason: "the ID token is not a JWT: " + err.Error()}
	}
	if hdr.Alg != "RS256" {
		return nil, &VerifyError{Reason: fmt.Sprintf("the ID token is signed with alg %q; only RS256 is accepted (GitHub and GitLab sign with RS256)", hdr.Alg),
			Fix: "something between the job and its token endpoint is forging tokens: do not release from this runner"}
	}
	vf := v.oidc.Verifier(&oidc.Config{ClientID: aud, SupportedSigningAlgs: []string{"RS256"}, Now: v.now})
	tok, err := vf.Verify(oidc.ClientContext(ctx, v.client), raw)
	if err != nil {
		return nil, v.explain(ctx, err, hdr, payload, aud)
	}
	if len(tok.Audience) != 1 {
		return nil, &VerifyError{Reason: fmt.Sprintf("the ID token has %d audiences; registries accept exactly one", len(tok.Audience))}
	}
	var body json.RawMessage
	if err := tok.Claims(&body); err != nil {
		return nil, &VerifyError{Reason: "the ID token's claims do not decode: " + err.Error()}
	}
	c, err := ParseClaims(body, v.provider)
	if err != nil {
		return nil, &VerifyError{Reason: err.Error()}
	}
	if c.JTI == "" {
		return nil, &VerifyError{Reason: "the ID token has no jti claim; registries need it to refuse replays"}
	}
	return c, nil
}

// explain turns go-oidc's terse errors into reasons that say what happened;
// the payload is only read after a failure, to describe it.
func (v *Verifier) explain(ctx context.Context, err error, hdr jwtHeader, payload []byte, aud string) error {
	var expired *oidc.TokenExpiredError
	if errors.As(err, &expired) {
		return &VerifyError{
			Reason: fmt.Sprintf("the ID token expired at %s (it is %s now; GitHub's tokens live 5 minutes)",
				expired.Expiry.UTC().Format(time.RFC3339), v.now().UTC().Format(time.RFC3339)),
			Fix: "releaser fetches a fresh token for every exchange; if this repeats, check the runner's clock",
		}
	}
	var claims struct {
		Iss string          `json:"iss"`
		Aud json.RawMessage `json:"aud"`
	}
	_ = json.Unmarshal(payload, &claims)
	msg := err.Error()
	switch {
	case strings.Contains(msg, "signature"):
		if v.jwksURL != "" && !v.publishes(ctx, hdr.Kid) {
			return &VerifyError{Reason: fmt.Sprintf("the ID token is signed with key id %q, which issuer %s does not publish (%s)", hdr.Kid, v.issuer, v.jwksURL),
				Fix: "the token was not issued by this issuer: check [identity].issuer"}
		}
		return &VerifyError{Reason: fmt.Sprintf("the ID token's signature does not verify against the keys issuer %s publishes", v.issuer),
			Fix: "the token was altered or forged: do not release from this runner"}
	case strings.Contains(msg, "different provider"):
		return &VerifyError{Reason: fmt.Sprintf("the ID token was issued by %q, not %q", safe(claims.Iss), v.issuer),
			Fix: "set [identity].issuer to the issuer your CI uses"}
	case strings.Contains(msg, "expected audience"):
		return &VerifyError{Reason: fmt.Sprintf("the ID token's audience is %s, the registry expects %q", safe(string(claims.Aud)), aud)}
	case strings.Contains(msg, "nbf"):
		return &VerifyError{Reason: "the ID token is not valid yet (nbf is in the future)", Fix: "check the runner's clock"}
	}
	return &VerifyError{Reason: "the ID token did not verify: " + scrub(msg)}
}

// publishes reports whether the issuer's key set currently lists kid.
func (v *Verifier) publishes(ctx context.Context, kid string) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, v.jwksURL, nil)
	if err != nil {
		return true
	}
	resp, err := v.client.Do(req)
	if err != nil {
		return true // cannot tell; fall back to the generic reason
	}
	defer resp.Body.Close()
	var set struct {
		Keys []struct {
			Kid string `json:"kid"`
		} `json:"keys"`
	}
	if json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&set) != nil {
		return true
	}
	for _, k := range set.Keys {
		if k.Kid == kid {
			return true
		}
	}
	return false
}

type jwtHeader struct {
	Alg string `json:"alg"`
	Kid string `json:"kid"`
}

// splitJWT decodes a compact JWS's header and payload without verifying it,
// for the alg pre-check and for explaining failures.
func splitJWT(raw string) (jwtHeader, []byte, error) {
	var h jwtHeader
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return h, nil, fmt.Errorf("%d dot-separated parts, want 3", len(parts))
	}
	hb, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return h, nil, errors.New("header is not base64url")
	}
	if err := json.Unmarshal(hb, &h); err != nil {
		return h, nil, errors.New("header is not JSON")
	}
	pb, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return h, nil, errors.New("payload is not base64url")
	}
	return h, pb, nil
}

// safe bounds an untrusted claim value quoted in an error.
func safe(s string) string {
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// scrub keeps anything that looks like a JWT segment out of an error text.
func scrub(msg string) string {
	var out []string
	for _, f := range strings.Fields(msg) {
		if strings.HasPrefix(f, "eyJ") || strings.Count(f, ".") >= 2 && len(f) > 40 {
			f = "[token]"
		}
		out = append(out, f)
	}
	return safe(strings.Join(out, " "))
}
