package testenv

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/golang/snappy"
)

const (
	attestSHA256 = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	attestOther  = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
)

// attestStatement is an in-toto statement whose subjects have the given digest sets.
func attestStatement(digests ...map[string]string) string {
	var subs []string
	for i, d := range digests {
		b, _ := json.Marshal(d)
		subs = append(subs, fmt.Sprintf(`{"name":"f%d","digest":%s}`, i, b))
	}
	return `{"_type":"https://in-toto.io/Statement/v1","subject":[` + strings.Join(subs, ",") +
		`],"predicateType":"https://slsa.dev/provenance/v1","predicate":{}}`
}

// attestBundleJSON is a Sigstore bundle (shape only, not validly signed) over statement,
// told apart from others by sig.
func attestBundleJSON(statement, sig string) []byte {
	return fmt.Appendf(nil, `{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json",`+
		`"verificationMaterial":{"certificate":{"rawBytes":"MIIB"}},`+
		`"dsseEnvelope":{"payload":%q,"payloadType":"application/vnd.in-toto+json","signatures":[{"sig":%q}]}}`,
		base64.StdEncoding.EncodeToString([]byte(statement)), base64.StdEncoding.EncodeToString([]byte(sig)))
}

func (g *GitHub) testAttestURL() string { return g.testRepoAPI() + "/attestations" }

func postAttestation(t *testing.T, g *GitHub, body []byte) ghResp {
	t.Helper()
	return ghCall(t, g, http.MethodPost, g.testAttestURL(), "", body, map[string]string{"Content-Type": "application/json"})
}

type ghTestAttestations struct {
	Attestations []struct {
		Bundle       json.RawMessage `json:"bundle"`
		RepositoryID int64           `json:"repository_id"`
		BundleURL    string          `json:"bundle_url"`
	} `json:"attestations"`
}

func TestGitHubAttestationStoreAndList(t *testing.T) {
	g := newGitHubRepo(t)
	stmt := attestStatement(map[string]string{"sha256": strings.TrimPrefix(attestSHA256, "sha256:")},
		map[string]string{"sha512": strings.Repeat("E", 128), "sha256": strings.TrimPrefix(attestOther, "sha256:")})
	bundle := attestBundleJSON(stmt, "one")
	// Whitespace in the upload does not survive: bundles are kept compacted.
	var created struct {
		ID int64 `json:"id"`
	}
	postAttestation(t, g, fmt.Appendf(nil, "{ \"bundle\" :\n %s }", bundle)).want(t, http.StatusCreated).decode(t, &created)
	if created.ID == 0 {
		t.Fatal("no id")
	}
	if got := g.Attestations("Octo-Org", "octo-repo"); len(got) != 1 || !bytes.Equal(got[0], bundle) {
		t.Fatalf("Attestations = %q", got)
	}

	// Filed under every subject digest, in any case.
	for _, d := range []string{attestSHA256, attestOther, "sha512:" + strings.Repeat("e", 128), "SHA256:" + strings.ToUpper(attestOther[7:])} {
		var page ghTestAttestations
		ghCall(t, g, http.MethodGet, g.testAttestURL()+"/"+d, "", nil, nil).want(t, http.StatusOK).decode(t, &page)
		if len(page.Attestations) != 1 || !bytes.Equal(page.Attestations[0].Bundle, bundle) || page.Attestations[0].RepositoryID != ghRepoID {
			t.Fatalf("%s: %+v", d, page)
		}
		// bundle_url is blob storage: no token, snappy block format.
		blob := ghCall(t, g, http.MethodGet, page.Attestations[0].BundleURL, "-", nil, nil).want(t, http.StatusOK)
		if got, err := snappy.Decode(nil, blob.body); err != nil || !bytes.Equal(got, bundle) {
			t.Fatalf("bundle_url gave %q (%v)", got, err)
		}
	}

	ghCall(t, g, http.MethodGet, g.testAttestURL()+"/sha256:"+strings.Repeat("0", 64), "", nil, nil).
		wantBody(t, http.StatusNotFound, `{"message":"Not Found","documentation_url":"`+ghDocListAttest+`"}`)
	ghCall(t, g, http.MethodGet, g.APIURL()+"repos/octo-org/nope/attestations/"+attestSHA256, "", nil, nil).
		wantBody(t, http.StatusNotFound, `{"message":"Not Found","documentation_url":"`+ghDocListAttest+`"}`)
	ghCall(t, g, http.MethodPost, g.APIURL()+"repos/octo-org/nope/attestations", "", []byte(`{"bundle":`+string(bundle)+`}`), nil).
		wantBody(t, http.StatusNotFound, `{"message":"Not Found","documentation_url":"`+ghDocCreateAttest+`"}`)
	ghCall(t, g, http.MethodGet, g.testAttestURL(), "", nil, nil).want(t, http.StatusNotFound)
	ghCall(t, g, http.MethodGet, g.URL()+ghAttestBlobPath+"nope", "-", nil, nil).want(t, http.StatusNotFound)
}

func TestGitHubAttestationRefusals(t *testing.T) {
	stmt := attestStatement(map[string]string{"sha256": attestSHA256[7:]})
	good := string(attestBundleJSON(stmt, "sig"))
	custom := func(msg string) string {
		return `{"message":"Validation Failed","errors":[{"resource":"Attestation","code":"custom","field":"bundle","message":"` + msg +
			`"}],"documentation_url":"` + ghDocCreateAttest + `"}`
	}
	dsse := func(payload, payloadType, sigs string) string {
		return strings.Replace(good, good[strings.Index(good, `"dsseEnvelope"`):],
			`"dsseEnvelope":{"payload":"`+payload+`","payloadType":"`+payloadType+`","signatures":`+sigs+`}}`, 1)
	}
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	for _, tc := range []struct {
		name, body string
		status     int
		want       string
	}{
		{"not JSON", `{"bundle":`, 400, `{"message":"Problems parsing JSON","documentation_url":"` + ghDocCreateAttest + `"}`},
		{"an array", `[]`, 400, `{"message":"Problems parsing JSON","documentation_url":"` + ghDocCreateAttest + `"}`},
		{"no bundle", `{}`, 422, `{"message":"Validation Failed","errors":[{"resource":"Attestation","code":"missing_field","field":"bundle"}],"documentation_url":"` + ghDocCreateAttest + `"}`},
		{"null bundle", `{"bundle":null}`, 422, `{"message":"Validation Failed","errors":[{"resource":"Attestation","code":"missing_field","field":"bundle"}],"documentation_url":"` + ghDocCreateAttest + `"}`},
		{"bundle a string", `{"bundle":"x"}`, 422, custom("bundle must be an object")},
		{"bare bundle", good, 422, `{"message":"Validation Failed","errors":[{"resource":"Attestation","code":"missing_field","field":"bundle"}],"documentation_url":"` + ghDocCreateAttest + `"}`},
		{"media type", `{"bundle":` + strings.Replace(good, "bundle.v0.3+json", "bundle.v9+json", 1) + `}`, 422, custom("bundle.mediaType must be a Sigstore bundle media type")},
		{"no verification material", `{"bundle":` + strings.Replace(good, `"verificationMaterial"`, `"x"`, 1) + `}`, 422, custom("bundle.verificationMaterial must be an object")},
		{"no envelope", `{"bundle":` + strings.Replace(good, `"dsseEnvelope"`, `"messageSignature"`, 1) + `}`, 422,
			custom("bundle.dsseEnvelope must be a DSSE envelope with one signature over an in-toto statement")},
		{"payload type", `{"bundle":` + dsse(b64(stmt), "application/json", `[{"sig":"eA=="}]`) + `}`, 422,
			custom("bundle.dsseEnvelope must be a DSSE envelope with one signature over an in-toto statement")},
		{"no signature", `{"bundle":` + dsse(b64(stmt), "application/vnd.in-toto+json", `[]`) + `}`, 422,
			custom("bundle.dsseEnvelope must be a DSSE envelope with one signature over an in-toto statement")},
		{"payload not base64", `{"bundle":` + dsse("%%", "application/vnd.in-toto+json", `[{"sig":"eA=="}]`) + `}`, 422, custom("bundle.dsseEnvelope.payload must be base64")},
		{"not in-toto", `{"bundle":` + dsse(b64(`{"_type":"other"}`), "application/vnd.in-toto+json", `[{"sig":"eA=="}]`) + `}`, 422,
			custom("bundle.dsseEnvelope.payload must be an in-toto statement")},
		{"no digests", `{"bundle":` + dsse(b64(attestStatement()), "application/vnd.in-toto+json", `[{"sig":"eA=="}]`) + `}`, 422,
			custom("the statement must have a subject with a digest")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := newGitHubRepo(t)
			postAttestation(t, g, []byte(tc.body)).wantBody(t, tc.status, tc.want)
			if n := len(g.Attestations("octo-org", "octo-repo")); n != 0 {
				t.Fatalf("%d attestations stored", n)
			}
		})
	}
	t.Run("AddAttestation panics", func(t *testing.T) {
		g := newGitHubRepo(t)
		defer func() {
			if recover() == nil {
				t.Fatal("no panic")
			}
		}()
		g.AddAttestation("octo-org", "octo-repo", []byte(`{}`))
	})
}

func TestGitHubAttestationPermissions(t *testing.T) {
	g := newGitHubRepo(t)
	g.DenyPermission("POST /api/v3/repos/octo-org/octo-repo/attestations", "attestations=write")
	r := postAttestation(t, g, []byte(`{"bundle":`+string(attestBundleJSON(attestStatement(map[string]string{"sha256": attestSHA256[7:]}), "s"))+`}`))
	r.wantBody(t, http.StatusForbidden, `{"message":"Resource not accessible by integration","documentation_url":"https://docs.github.com/rest"}`)
	if h := r.header.Get("X-Accepted-GitHub-Permissions"); h != "attestations=write" {
		t.Fatalf("X-Accepted-GitHub-Permissions %q", h)
	}
	ghCall(t, g, http.MethodGet, g.testAttestURL()+"/"+attestSHA256, "Bearer nope", nil, nil).want(t, http.StatusUnauthorized)
	if n := len(g.Attestations("octo-org", "octo-repo")); n != 0 {
		t.Fatalf("%d attestations stored", n)
	}
}

func TestGitHubAttestationPages(t *testing.T) {
	g := newGitHubRepo(t)
	var want []string
	for i := range 5 {
		b := attestBundleJSON(attestStatement(map[string]string{"sha256": attestSHA256[7:]}), fmt.Sprint("sig", i))
		g.AddAttestation("octo-org", "octo-repo", b)
		want = append(want, string(b))
	}
	// Another digest's bundle is not listed.
	g.AddAttestation("octo-org", "octo-repo", attestBundleJSON(attestStatement(map[string]string{"sha256": attestOther[7:]}), "x"))

	next := regexp.MustCompile(`^<([^>]+)>; rel="next"$`)
	var got []string
	u := g.testAttestURL() + "/" + attestSHA256 + "?per_page=2"
	for pages := 0; u != ""; pages++ {
		if pages == 3 {
			t.Fatal("more than 3 pages")
		}
		r := ghCall(t, g, http.MethodGet, u, "", nil, nil).want(t, http.StatusOK)
		var page ghTestAttestations
		r.decode(t, &page)
		for _, a := range page.Attestations {
			got = append(got, string(a.Bundle))
		}
		u = ""
		if m := next.FindStringSubmatch(r.header.Get("Link")); m != nil {
			u = m[1]
		} else if l := r.header.Get("Link"); l != "" {
			t.Fatalf("Link %q", l)
		}
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("pages gave\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	g.OmitInlineBundles(true)
	var page ghTestAttestations
	ghCall(t, g, http.MethodGet, g.testAttestURL()+"/"+attestSHA256, "", nil, nil).want(t, http.StatusOK).decode(t, &page)
	if len(page.Attestations) != 5 || string(page.Attestations[0].Bundle) != "null" || page.Attestations[0].BundleURL == "" {
		t.Fatalf("without inline bundles: %+v", page.Attestations)
	}

	for _, q := range []string{"?after=bm90LWEtY3Vyc29y", "?after=!!!", "?before=" + encodeAttestCursor(3)} {
		ghCall(t, g, http.MethodGet, g.testAttestURL()+"/"+attestSHA256+q, "", nil, nil).want(t, http.StatusBadRequest)
	}
}
