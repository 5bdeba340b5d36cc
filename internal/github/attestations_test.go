package github

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/releaserhq/releaser/internal/testenv"
)

const (
	attestAPIPath = "/api/v3/repos/octo-org/octo-repo/attestations"
	digestA       = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	digestB       = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	digestNone    = "sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
)

// testBundle is a Sigstore bundle shaped like the attest action's (not validly signed:
// neither GitHub's API client nor the emulator verifies signatures) with one subject per
// digest ("sha256:<hex>") and a random signature, so every call makes a new bundle.
func testBundle(t *testing.T, digests ...string) []byte {
	t.Helper()
	type subject struct {
		Name   string            `json:"name"`
		Digest map[string]string `json:"digest"`
	}
	st := struct {
		Type          string    `json:"_type"`
		Subject       []subject `json:"subject"`
		PredicateType string    `json:"predicateType"`
		Predicate     struct{}  `json:"predicate"`
	}{Type: "https://in-toto.io/Statement/v1", PredicateType: "https://slsa.dev/provenance/v1"}
	for i, d := range digests {
		alg, h, _ := strings.Cut(d, ":")
		st.Subject = append(st.Subject, subject{Name: "demo-" + string(rune('a'+i)) + ".whl", Digest: map[string]string{alg: h}})
	}
	payload, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	sig := make([]byte, 64)
	rand.Read(sig)
	return bundleJSON(t, map[string]any{
		"mediaType":            "application/vnd.dev.sigstore.bundle.v0.3+json",
		"verificationMaterial": map[string]any{"certificate": map[string]string{"rawBytes": "MIIB"}},
		"dsseEnvelope": map[string]any{
			"payload": base64.StdEncoding.EncodeToString(payload), "payloadType": "application/vnd.in-toto+json",
			"signatures": []map[string]string{{"sig": base64.StdEncoding.EncodeToString(sig)}},
		},
	})
}

func bundleJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sameJSON reports whether a and b are equal JSON values.
func sameJSON(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		t.Fatalf("not JSON: %s / %s", a, b)
	}
	xb, _ := json.Marshal(x)
	yb, _ := json.Marshal(y)
	return bytes.Equal(xb, yb)
}

// wantBundles fails unless got holds exactly want's bundles, in order.
func wantBundles(t *testing.T, got [][]byte, want ...[]byte) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d bundles, want %d", len(got), len(want))
	}
	for i := range want {
		if !sameJSON(t, got[i], want[i]) {
			t.Fatalf("bundle %d is\n%s\nwant\n%s", i, got[i], want[i])
		}
	}
}

func TestUploadAndListAttestations(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	both, onlyA := testBundle(t, digestA, digestB), testBundle(t, digestA)
	id1, err := e.c.UploadAttestation(ctx, owner, repo, both)
	if err != nil {
		t.Fatalf("UploadAttestation: %v", err)
	}
	id2, err := e.c.UploadAttestation(ctx, owner, repo, onlyA)
	if err != nil {
		t.Fatalf("UploadAttestation: %v", err)
	}
	if id1 == 0 || id2 == 0 || id1 == id2 {
		t.Fatalf("ids %d, %d: want two different ids", id1, id2)
	}
	wantBundles(t, e.gh.Attestations(owner, repo), both, onlyA)

	for _, tc := range []struct {
		digest string
		want   [][]byte
	}{
		{digestA, [][]byte{both, onlyA}},
		{digestB, [][]byte{both}},
		{strings.ToUpper(digestB[:6]) + digestB[6:], [][]byte{both}}, // the algorithm's case does not matter
		{digestNone, nil},
	} {
		got, err := e.c.Attestations(ctx, owner, repo, tc.digest)
		if err != nil {
			t.Fatalf("Attestations(%s): %v", tc.digest, err)
		}
		wantBundles(t, got, tc.want...)
	}
}

func TestAttestationsOfAMissingRepository(t *testing.T) {
	e := newEnv(t)
	_, err := e.c.Attestations(t.Context(), owner, "no-such-repo", digestA)
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusNotFound || !strings.Contains(ae.Fix(), "octo-org/no-such-repo was not found") {
		t.Fatalf("error %v, want a 404 naming the repository", err)
	}
}

func TestAttestationsPagesThroughCursors(t *testing.T) {
	e := newEnv(t)
	var want [][]byte
	for range 2*perPage + 3 {
		b := testBundle(t, digestA)
		e.gh.AddAttestation(owner, repo, b)
		want = append(want, b)
	}
	got, err := e.c.Attestations(t.Context(), owner, repo, digestA)
	if err != nil {
		t.Fatalf("Attestations: %v", err)
	}
	wantBundles(t, got, want...)
	if n := e.gh.Requests("GET", attestAPIPath+"/"+digestA); n != 3 {
		t.Fatalf("%d list requests, want 3 pages", n)
	}
}

// TestAttestationsFromBundleURL: when the listing carries no inline bundle, each is
// fetched from its bundle_url (snappy-compressed, no token), with retries.
func TestAttestationsFromBundleURL(t *testing.T) {
	e := newEnv(t)
	b1, b2 := testBundle(t, digestA), testBundle(t, digestA, digestB)
	e.gh.AddAttestation(owner, repo, b1)
	e.gh.AddAttestation(owner, repo, b2)
	e.gh.OmitInlineBundles(true)
	got, err := e.c.Attestations(t.Context(), owner, repo, digestA)
	if err != nil {
		t.Fatalf("Attestations: %v", err)
	}
	wantBundles(t, got, b1, b2)
}

func TestAttestationBundleURLFailures(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault testenv.Fault
		want  string // "" = success after a retry
	}{
		{"503 then fine", testenv.Status(http.StatusServiceUnavailable, ""), ""},
		{"not snappy", testenv.Status(http.StatusOK, "\xff\xff\xff\xff\xff\xff"), "not snappy-compressed"},
		{"refused", testenv.Status(http.StatusForbidden, "AuthenticationFailed"), "answered 403"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			b := testBundle(t, digestA)
			e.gh.AddAttestation(owner, repo, b)
			e.gh.OmitInlineBundles(true)
			// The blob's path is random: read it from the listing.
			var page struct {
				Attestations []struct {
					BundleURL string `json:"bundle_url"`
				} `json:"attestations"`
			}
			req, _ := e.c.api.NewRequest("GET", "repos/octo-org/octo-repo/attestations/"+digestA, nil)
			if _, err := e.c.api.Do(t.Context(), req, &page); err != nil || len(page.Attestations) != 1 {
				t.Fatalf("listing: %v %+v", err, page)
			}
			blob := strings.TrimPrefix(page.Attestations[0].BundleURL, e.gh.URL())
			e.gh.Faults().Add("GET "+blob, tc.fault)

			got, err := e.c.Attestations(t.Context(), owner, repo, digestA)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Attestations: %v", err)
				}
				wantBundles(t, got, b)
				if n := e.gh.Requests("GET", blob); n != 2 {
					t.Fatalf("%d blob requests, want 2", n)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			if strings.Contains(err.Error(), blob) {
				t.Fatalf("error %q quotes the pre-signed bundle_url", err)
			}
		})
	}
}

// TestUploadRefusesBadBundlesLocally: a bundle GitHub could not file under a subject
// digest is refused before anything is sent.
func TestUploadRefusesBadBundlesLocally(t *testing.T) {
	good := map[string]any{}
	if err := json.Unmarshal(testBundle(t, digestA), &good); err != nil {
		t.Fatal(err)
	}
	with := func(key string, v any) []byte {
		m := map[string]any{}
		for k, x := range good {
			m[k] = x
		}
		if v == nil {
			delete(m, key)
		} else {
			m[key] = v
		}
		return bundleJSON(t, m)
	}
	env := func(payload, payloadType string, sigs ...string) map[string]any {
		var s []map[string]string
		for _, x := range sigs {
			s = append(s, map[string]string{"sig": x})
		}
		return map[string]any{"payload": payload, "payloadType": payloadType, "signatures": s}
	}
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	const stmt = `{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"x","digest":{"sha256":"` + "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" + `"}}]}`
	for _, tc := range []struct {
		name   string
		bundle []byte
		want   string
	}{
		{"not JSON", []byte(`{"mediaType":`), "not a JSON object"},
		{"an array", []byte(`[]`), "not a JSON object"},
		{"no media type", with("mediaType", nil), "not a Sigstore bundle media type"},
		{"other media type", with("mediaType", "application/json"), "not a Sigstore bundle media type"},
		{"message signature", with("dsseEnvelope", nil), "no dsseEnvelope"},
		{"other payload type", with("dsseEnvelope", env(b64(stmt), "text/plain", b64("sig"))), "payloadType"},
		{"two signatures", with("dsseEnvelope", env(b64(stmt), "application/vnd.in-toto+json", b64("a"), b64("b"))), "2 signatures"},
		{"payload not base64", with("dsseEnvelope", env("%%%", "application/vnd.in-toto+json", b64("sig"))), "not base64"},
		{"signature empty", with("dsseEnvelope", env(b64(stmt), "application/vnd.in-toto+json", "")), "signature is empty"},
		{"not a statement", with("dsseEnvelope", env(b64(`{"_type":"x"}`), "application/vnd.in-toto+json", b64("sig"))), "not an in-toto statement"},
		{"no subject digest", with("dsseEnvelope", env(b64(`{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"x","digest":{"gitCommit":"abc"}}]}`),
			"application/vnd.in-toto+json", b64("sig"))), "no sha256 or sha512 subject digest"},
		{"short digest", with("dsseEnvelope", env(b64(`{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"x","digest":{"sha256":"abc"}}]}`),
			"application/vnd.in-toto+json", b64("sig"))), "no sha256 or sha512 subject digest"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			_, err := e.c.UploadAttestation(t.Context(), owner, repo, tc.bundle)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			if n := e.gh.Requests("POST", attestAPIPath); n != 0 {
				t.Fatalf("%d uploads sent", n)
			}
		})
	}
}

func TestAttestationsRefusesBadDigestsLocally(t *testing.T) {
	e := newEnv(t)
	for _, d := range []string{"", "aaaa", "md5:d41d8cd98f00b204e9800998ecf8427e", "sha256:abc", "sha256:" + strings.Repeat("g", 64), "sha512:" + strings.Repeat("a", 64)} {
		if _, err := e.c.Attestations(t.Context(), owner, repo, d); err == nil || !strings.Contains(err.Error(), "subject digest") {
			t.Errorf("Attestations(%q): error %v, want a refused digest", d, err)
		}
	}
	if _, err := e.c.Attestations(t.Context(), owner, "../x", digestA); err == nil {
		t.Error("a repository name with a path in it was accepted")
	}
}

// TestUploadValidationFailure: GitHub's 422 reaches the caller with its field error.
func TestUploadValidationFailure(t *testing.T) {
	e := newEnv(t)
	m := map[string]any{}
	if err := json.Unmarshal(testBundle(t, digestA), &m); err != nil {
		t.Fatal(err)
	}
	delete(m, "verificationMaterial") // not checked locally; the emulator refuses it
	_, err := e.c.UploadAttestation(t.Context(), owner, repo, bundleJSON(t, m))
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusUnprocessableEntity || ae.Retryable || ae.Attempts != 1 ||
		len(ae.Errors) != 1 || !strings.Contains(ae.Errors[0], "verificationMaterial") {
		t.Fatalf("error %v, want a 422 naming verificationMaterial", err)
	}
	if len(e.gh.Attestations(owner, repo)) != 0 {
		t.Fatal("the bundle was stored")
	}
}

func TestUploadForbiddenNamesThePermission(t *testing.T) {
	for _, tc := range []struct {
		name string
		deny func(e *env)
	}{
		{"header", func(e *env) { e.gh.DenyPermission("POST "+attestAPIPath, "attestations=write") }},
		{"no header", func(e *env) {
			e.gh.Faults().Add("POST "+attestAPIPath, testenv.Status(http.StatusForbidden,
				`{"message":"Resource not accessible by integration","documentation_url":"https://docs.github.com/rest/repos/attestations#create-an-attestation"}`))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			tc.deny(e)
			_, err := e.c.UploadAttestation(t.Context(), owner, repo, testBundle(t, digestA))
			var ae *APIError
			if !errors.As(err, &ae) || ae.Status != http.StatusForbidden || ae.Retryable {
				t.Fatalf("error %v, want a 403 APIError", err)
			}
			if !strings.Contains(ae.Fix(), "attestations: write") || !strings.Contains(err.Error(), "permissions:") {
				t.Fatalf("error %q does not name attestations: write", err)
			}
			testenv.AssertNoSecrets(t, "error", []byte(err.Error()), e.gh)
			if len(e.gh.Attestations(owner, repo)) != 0 {
				t.Fatal("the bundle was stored")
			}
		})
	}
}

// TestUploadRetries: failures are retried; before re-sending, the client looks for the
// bundle so a request that landed (answer lost) is not stored twice.
func TestUploadRetries(t *testing.T) {
	for _, tc := range []struct {
		name   string
		faults []testenv.Fault
		wantID bool // false: the lost answer's id cannot be known
		posts  int
	}{
		{"502", []testenv.Fault{testenv.Status(http.StatusBadGateway, "")}, true, 2},
		{"500 twice", []testenv.Fault{testenv.Status(500, `{"message":"Server Error"}`), testenv.Status(500, `{"message":"Server Error"}`)}, true, 3},
		{"reset", []testenv.Fault{testenv.Reset()}, true, 2},
		{"429", []testenv.Fault{testenv.TooManyRequests("3")}, true, 2},
		{"lost response", []testenv.Fault{testenv.LostResponse()}, false, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			for _, f := range tc.faults {
				e.gh.Faults().Add("POST "+attestAPIPath, f)
			}
			b := testBundle(t, digestA)
			id, err := e.c.UploadAttestation(t.Context(), owner, repo, b)
			if err != nil {
				t.Fatalf("UploadAttestation: %v", err)
			}
			if (id != 0) != tc.wantID {
				t.Fatalf("id %d", id)
			}
			wantBundles(t, e.gh.Attestations(owner, repo), b)
			if n := e.gh.Requests("POST", attestAPIPath); n != tc.posts {
				t.Fatalf("%d uploads, want %d", n, tc.posts)
			}
			if n := e.gh.Requests("GET", attestAPIPath+"/"+digestA); n != len(tc.faults) {
				t.Fatalf("%d look-ups, want one before each retry (%d)", n, len(tc.faults))
			}
			if len(e.retries) != len(tc.faults) {
				t.Fatalf("retries %+v", e.retries)
			}
		})
	}
}

func TestUploadGivesUpAfterRetries(t *testing.T) {
	e := newEnv(t)
	for range 5 {
		e.gh.Faults().Add("POST "+attestAPIPath, testenv.Status(http.StatusServiceUnavailable, ""))
	}
	_, err := e.c.UploadAttestation(t.Context(), owner, repo, testBundle(t, digestA))
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusServiceUnavailable || !ae.Retryable || ae.Attempts != 5 {
		t.Fatalf("error %v, want a retryable 503 after 5 attempts", err)
	}
	if len(e.gh.Attestations(owner, repo)) != 0 {
		t.Fatal("the bundle was stored")
	}
}

func TestAttestationsListRetries(t *testing.T) {
	e := newEnv(t)
	b := testBundle(t, digestA)
	e.gh.AddAttestation(owner, repo, b)
	e.gh.Faults().Add("GET "+attestAPIPath+"/"+digestA, testenv.Status(http.StatusBadGateway, ""))
	e.gh.DenyPermission("GET "+attestAPIPath+"/"+digestB, "attestations=read")
	got, err := e.c.Attestations(t.Context(), owner, repo, digestA)
	if err != nil {
		t.Fatalf("Attestations: %v", err)
	}
	wantBundles(t, got, b)
	_, err = e.c.Attestations(t.Context(), owner, repo, digestB)
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusForbidden || !strings.Contains(ae.Fix(), "attestations: read") {
		t.Fatalf("error %v, want a 403 naming attestations: read", err)
	}
}

func TestHasAttestation(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	stored, other := testBundle(t, digestA, digestB), testBundle(t, digestA)
	for _, b := range [][]byte{stored, other} {
		if has, err := e.c.HasAttestation(ctx, owner, repo, b); err != nil || has {
			t.Fatalf("before storing: HasAttestation = %v, %v", has, err)
		}
	}
	if _, err := e.c.UploadAttestation(ctx, owner, repo, stored); err != nil {
		t.Fatal(err)
	}
	if has, err := e.c.HasAttestation(ctx, owner, repo, stored); err != nil || !has {
		t.Errorf("the stored bundle: HasAttestation = %v, %v", has, err)
	}
	// Another bundle for the same digest is not the stored one.
	if has, err := e.c.HasAttestation(ctx, owner, repo, other); err != nil || has {
		t.Errorf("another bundle for the same subject: HasAttestation = %v, %v", has, err)
	}
	if _, err := e.c.HasAttestation(ctx, owner, repo, []byte(`{"not":"a bundle"}`)); err == nil {
		t.Error("a non-bundle was looked up")
	}
}
