package testenv

import (
	"net/http"
	"strings"
)

// RequestURL is the value of ACTIONS_ID_TOKEN_REQUEST_URL. Like the real one it already
// carries a query string, so clients append "&audience=<urlencoded>".
func (is *OIDCIssuer) RequestURL() string {
	return is.URL() + "/idtoken?api-version=2.0"
}

// RequestToken is the value of ACTIONS_ID_TOKEN_REQUEST_TOKEN, the bearer credential the
// ID-token endpoint requires. It is a canary (see Secrets).
func (is *OIDCIssuer) RequestToken() string {
	is.mu.Lock()
	defer is.mu.Unlock()
	return is.reqToken
}

// ServeTampered makes the ID-token endpoint serve tokens damaged the way t says from now
// on; Untampered restores normal service.
func (is *OIDCIssuer) ServeTampered(t Tamper) {
	is.t.Helper()
	if t == BadSignature || t == UnknownKID {
		is.strangerKey()
	}
	is.mu.Lock()
	defer is.mu.Unlock()
	is.tamper = t
}

// IDTokenRequests counts the ID-token requests the endpoint served a token for, whatever
// the audience. Refused requests (no or wrong credential) are not counted.
func (is *OIDCIssuer) IDTokenRequests() int {
	is.mu.Lock()
	defer is.mu.Unlock()
	n := 0
	for _, c := range is.idReqs {
		n += c
	}
	return n
}

// IDTokenRequestsFor counts the served ID-token requests for one audience (the default
// audience when the request named none).
func (is *OIDCIssuer) IDTokenRequestsFor(aud string) int {
	is.mu.Lock()
	defer is.mu.Unlock()
	return is.idReqs[aud]
}

// idTokenResponse is the endpoint's body. Clients read only "value" (reference §1.1);
// "count" is what the real endpoint is commonly seen to send besides (UNCONFIRMED), kept
// so clients are exercised against a field they must ignore.
type idTokenResponse struct {
	Count int    `json:"count"`
	Value string `json:"value"`
}

// serveIDToken is the runner's ID-token endpoint: GET with "Authorization: Bearer
// <request token>" (scheme in any case, as the toolkit sends "Bearer" and other clients
// "bearer") and an optional audience query parameter.
func (is *OIDCIssuer) serveIDToken(w http.ResponseWriter, r *http.Request) {
	if !is.authorized(r.Header.Get("Authorization")) {
		// The real endpoint's 401 body is UNCONFIRMED; clients only report the status.
		writeJSON(w, http.StatusUnauthorized, map[string]string{"message": "Bad credentials"})
		return
	}
	aud := r.URL.Query().Get("audience")
	if aud == "" {
		// GitHub's default audience is the URL of the repository owner (reference §1.1).
		is.mu.Lock()
		owner, _ := is.claims.custom["repository_owner"].(string)
		is.mu.Unlock()
		aud = "https://github.com/" + owner
	}
	is.mu.Lock()
	t := is.tamper
	is.mu.Unlock()
	tok, err := is.mint(aud, nil, t)
	if err != nil {
		http.Error(w, "testenv: mint ID token: "+err.Error(), http.StatusInternalServerError)
		return
	}
	is.mu.Lock()
	is.served = tok
	is.idReqs[aud]++
	n := 0
	for _, c := range is.idReqs {
		n += c
	}
	is.mu.Unlock()
	writeJSON(w, http.StatusOK, idTokenResponse{Count: n, Value: tok})
}

// authorized checks an Authorization header against the request token.
func (is *OIDCIssuer) authorized(header string) bool {
	scheme, cred, ok := strings.Cut(header, " ")
	return ok && strings.EqualFold(scheme, "Bearer") && cred == is.RequestToken()
}

// ActionsEnv returns the environment a GitHub Actions job with `permissions: id-token:
// write` sees, consistent with the issuer's current claims. A variable whose claim was
// deleted is left out.
func (is *OIDCIssuer) ActionsEnv() map[string]string {
	env := map[string]string{
		"GITHUB_ACTIONS":                 "true",
		"ACTIONS_ID_TOKEN_REQUEST_URL":   is.RequestURL(),
		"ACTIONS_ID_TOKEN_REQUEST_TOKEN": is.RequestToken(),
	}
	claims := is.Claims()
	fromClaim := map[string]string{
		"GITHUB_REPOSITORY":          "repository",
		"GITHUB_REPOSITORY_OWNER":    "repository_owner",
		"GITHUB_REPOSITORY_ID":       "repository_id",
		"GITHUB_REPOSITORY_OWNER_ID": "repository_owner_id",
		"GITHUB_REF":                 "ref",
		"GITHUB_REF_TYPE":            "ref_type",
		"GITHUB_SHA":                 "sha",
		"GITHUB_EVENT_NAME":          "event_name",
		"GITHUB_WORKFLOW_REF":        "workflow_ref",
		"GITHUB_RUN_ID":              "run_id",
		"GITHUB_RUN_ATTEMPT":         "run_attempt",
		"GITHUB_ACTOR":               "actor",
		"RUNNER_ENVIRONMENT":         "runner_environment",
	}
	for name, claim := range fromClaim {
		if v, ok := claims[claim].(string); ok {
			env[name] = v
		}
	}
	if ref, ok := claims["ref"].(string); ok {
		env["GITHUB_REF_NAME"] = refName(ref)
	}
	return env
}
