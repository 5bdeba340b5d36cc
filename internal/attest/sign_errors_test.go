package attest

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/releaserhq/releaser/internal/testenv"
)

// TestSignRefusesOptions: bad options are refused before any token is
// fetched or any service is asked.
func TestSignRefusesOptions(t *testing.T) {
	e := newSigEnv(t, 0)
	st := e.statement(t, e.build(t), wheel)
	tests := []struct {
		name      string
		statement []byte
		edit      func(o *SignOptions)
		want      string
	}{
		{"no Fulcio", st, func(o *SignOptions) { o.FulcioURL = "" }, "needs a Fulcio URL"},
		{"no token source", st, func(o *SignOptions) { o.IDToken = nil }, "needs a way to get an ID token"},
		{"unknown transparency", st, func(o *SignOptions) { o.Transparency = "both" }, `transparency "both" is neither "rekor" nor "tsa"`},
		{"rekor without URL", st, func(o *SignOptions) { o.RekorURL = "" }, `transparency "rekor" needs a Rekor URL`},
		{"tsa without URL", st, func(o *SignOptions) { o.Transparency, o.TSAURL = TransparencyTSA, "" }, `transparency "tsa" needs a timestamp authority URL`},
		{"Rekor URL not http", st, func(o *SignOptions) { o.RekorURL = "rekor.example" }, `the Rekor URL "rekor.example" is not an http(s) URL`},
		{"trusted root missing", st, func(o *SignOptions) { o.TrustedRoot = t.TempDir() + "/none.json" }, "reading the trusted root"},
		{"not JSON", []byte("{"), func(*SignOptions) {}, "refusing to sign: the statement is not JSON"},
		{"not in-toto", []byte(`{"_type":"x","subject":[{"name":"a","digest":{"sha256":"00"}}]}`), func(*SignOptions) {}, `the statement's _type is "x"`},
		{"no subject", []byte(`{"_type":"https://in-toto.io/Statement/v1","subject":[]}`), func(*SignOptions) {}, "the statement has no subject"},
		{"no usable digest", []byte(`{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a","digest":{"md5":"00"}}]}`), func(*SignOptions) {}, "subject a has neither a sha256 nor a sha512 digest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := e.signOptions(TransparencyRekor)
			tokens := 0
			o.IDToken = func(context.Context) (string, error) { tokens++; return e.is.Mint("sigstore", nil), nil }
			tt.edit(&o)
			_, err := Sign(context.Background(), tt.statement, o)
			wantErr(t, err, tt.want)
			if tokens != 0 || len(e.ss.Certificates()) != 0 {
				t.Errorf("%d tokens fetched, %d certificates issued before refusing", tokens, len(e.ss.Certificates()))
			}
		})
	}
}

// TestSignServiceErrors: a refusing or failing service is named, with its
// status, as a ServiceError whose Remote tells failure from refusal; the
// token never appears, even when a service echoes it.
func TestSignServiceErrors(t *testing.T) {
	e := newSigEnv(t, 0)
	st := e.statement(t, e.build(t), wheel)
	tests := []struct {
		name       string
		mode       string
		path       string
		fault      func(token string) testenv.Fault
		service    string
		status     int
		remote     bool
		wantInText string
	}{
		{"Fulcio refuses", TransparencyRekor, "POST /api/v2/signingCert",
			func(tok string) testenv.Fault { return testenv.Status(http.StatusUnauthorized, "bad token "+tok) },
			"Fulcio", 401, false, "bad token [REDACTED]"},
		{"Rekor refuses", TransparencyRekor, "POST /api/v1/log/entries",
			func(string) testenv.Fault {
				return testenv.Status(http.StatusBadRequest, `{"code":400,"message":"entry rejected"}`)
			},
			"Rekor", 400, false, "answered 400 Bad Request"},
		{"TSA refuses", TransparencyTSA, "POST /api/v1/timestamp",
			func(string) testenv.Fault { return testenv.Status(http.StatusForbidden, "blocked") },
			"the timestamp authority", 403, false, "timestamp authority returned 403: blocked"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := e.is.Mint("sigstore", nil)
			e.ss.Faults().Add(tt.path, tt.fault(tok))
			o := e.signOptions(tt.mode)
			o.IDToken = func(context.Context) (string, error) { return tok, nil }
			_, err := Sign(context.Background(), st, o)
			wantErr(t, err, tt.wantInText)
			e.noSecrets(t, err.Error())
			var se *ServiceError
			if !errors.As(err, &se) {
				t.Fatalf("%v is not a ServiceError", err)
			}
			if se.Service != tt.service || se.Status != tt.status || se.Remote() != tt.remote || !strings.HasPrefix(se.URL, e.ss.URL()) {
				t.Errorf("ServiceError %+v (remote %v), want %s %d remote %v", se, se.Remote(), tt.service, tt.status, tt.remote)
			}
		})
	}
}

// TestSignRetries: a Fulcio 503 is retried (after sigstore-go's one-second
// backoff), and a Rekor answer lost after the entry landed is retried and
// resolved through Rekor's 409, so the log holds one entry, not two.
func TestSignRetries(t *testing.T) {
	e := newSigEnv(t, 0)
	e.ss.Faults().Add("POST /api/v2/signingCert", testenv.Status(http.StatusServiceUnavailable, "down"))
	e.ss.Faults().Add("POST /api/v1/log/entries", testenv.LostResponse())
	b := e.sign(t, TransparencyRekor, wheel)
	if n := e.ss.Requests(http.MethodPost, "/api/v2/signingCert"); n != 2 {
		t.Errorf("%d Fulcio requests, want 2", n)
	}
	if e.ss.Entries() != 1 {
		t.Errorf("%d Rekor entries, want 1", e.ss.Entries())
	}
	if _, err := Verify(context.Background(), b, e.verifyOptions(wheel)); err != nil {
		t.Fatal(err)
	}
}

// TestSignTokenError: the token source's error is passed on; no service is
// asked.
func TestSignTokenError(t *testing.T) {
	e := newSigEnv(t, 0)
	o := e.signOptions(TransparencyRekor)
	o.IDToken = func(context.Context) (string, error) { return "", errors.New("id-token: write missing") }
	_, err := Sign(context.Background(), e.statement(t, e.build(t), wheel), o)
	wantErr(t, err, "getting the sigstore ID token: id-token: write missing")
	o.IDToken = func(context.Context) (string, error) { return "", nil }
	_, err = Sign(context.Background(), e.statement(t, e.build(t), wheel), o)
	wantErr(t, err, "getting the sigstore ID token: it is empty")
	if len(e.ss.Certificates()) != 0 {
		t.Error("Fulcio was asked")
	}
}

// TestSignOtherStatements: a statement that is not GitHub's SLSA
// provenance (here a sha512 purl subject, as npm's, with a publish
// predicate) signs, and Sign's self-check verifies it against its sha512
// digest without a cross-check there is nothing to cross-check with.
func TestSignOtherStatements(t *testing.T) {
	e := newSigEnv(t, 0)
	st := []byte(`{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"pkg:npm/octo@1.2.3","digest":{"sha512":"` + strings.Repeat("ab", 64) + `"}}],"predicateType":"https://docs.pypi.org/attestations/publish/v1","predicate":{}}`)
	if _, err := Sign(context.Background(), st, SignOptions{Local: true}); err != nil {
		t.Errorf("local: %v", err)
	}
	if _, err := Sign(context.Background(), st, e.signOptions(TransparencyRekor)); err != nil {
		t.Errorf("keyless: %v", err)
	}
}
