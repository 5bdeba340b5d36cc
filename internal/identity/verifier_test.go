package identity

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/releaserhq/releaser/internal/testenv"
)

func TestVerify(t *testing.T) {
	is := testenv.NewOIDCIssuer(t)
	ctx := context.Background()
	v, err := NewVerifier(ctx, is.URL(), "github", is.Client())
	if err != nil {
		t.Fatal(err)
	}
	good := is.Mint("pypi", nil)
	c, err := v.Verify(ctx, good, "pypi")
	if err != nil {
		t.Fatalf("good token refused: %v", err)
	}
	if c.Repository != "octo-org/octo-repo" || c.JTI == "" || c.RepositoryOwnerID != "65" || !c.Has("environment") {
		t.Errorf("claims = %+v", c)
	}

	tests := []struct {
		name string
		tok  string
		aud  string
		want string
	}{
		{"wrong audience", is.Mint("testpypi", nil), "pypi", `audience is "testpypi", the registry expects "pypi"`},
		{"tampered audience", is.MintTampered("pypi", testenv.WrongAudience), "pypi", "https://example.invalid"},
		{"two audiences", is.Mint("pypi", map[string]any{"aud": []string{"pypi", "npm:registry.npmjs.org"}}), "pypi", "2 audiences"},
		{"expired", is.MintTampered("pypi", testenv.Expired), "pypi", "the ID token expired at"},
		{"not yet valid", is.MintTampered("pypi", testenv.NotYetValid), "pypi", "not valid yet"},
		{"bad signature", is.MintTampered("pypi", testenv.BadSignature), "pypi", "signature does not verify"},
		{"unknown kid", is.MintTampered("pypi", testenv.UnknownKID), "pypi", "which issuer " + is.URL() + " does not publish"},
		{"alg none", is.MintTampered("pypi", testenv.AlgNone), "pypi", `alg "none"`},
		{"alg HS256", is.MintTampered("pypi", testenv.AlgHS256), "pypi", `alg "HS256"`},
		{"other issuer", is.Mint("pypi", map[string]any{"iss": "https://token.actions.githubusercontent.com"}), "pypi", `issued by "https://token.actions.githubusercontent.com"`},
		{"no jti", is.Mint("pypi", map[string]any{"jti": nil}), "pypi", "no jti"},
		{"not a JWT", "abc.def", "pypi", "not a JWT"},
		{"garbage segments", "eyJ!.x.y", "pypi", "not a JWT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := v.Verify(ctx, tt.tok, tt.aud)
			var ve *VerifyError
			if !errors.As(err, &ve) {
				t.Fatalf("err = %v, want *VerifyError", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %q, want it to say %q", err, tt.want)
			}
			if strings.Contains(err.Error(), tt.tok) || strings.Contains(err.Error(), "eyJ") {
				t.Errorf("error quotes the token: %q", err)
			}
		})
	}
}

func TestVerifyKeyRotation(t *testing.T) {
	is := testenv.NewOIDCIssuer(t, testenv.FreshKeys())
	ctx := context.Background()
	v, err := NewVerifier(ctx, is.URL(), "github", is.Client())
	if err != nil {
		t.Fatal(err)
	}
	old := is.Mint("crates.io", nil)
	if _, err := v.Verify(ctx, old, "crates.io"); err != nil {
		t.Fatal(err)
	}
	is.Rotate()
	// A kid the verifier has not cached yet: it must refetch the key set.
	if _, err := v.Verify(ctx, is.Mint("crates.io", nil), "crates.io"); err != nil {
		t.Errorf("token signed with the new key refused: %v", err)
	}
	if _, err := v.Verify(ctx, old, "crates.io"); err != nil {
		t.Errorf("token signed with the old key refused during rotation: %v", err)
	}
	is.RetireOld()
	if _, err := v.Verify(ctx, is.Mint("crates.io", nil), "crates.io"); err != nil {
		t.Errorf("new key after retirement: %v", err)
	}
}

func TestNewVerifierBadIssuer(t *testing.T) {
	is := testenv.NewOIDCIssuer(t)
	// Discovery says the issuer is is.URL(); asking for another name must fail.
	_, err := NewVerifier(context.Background(), is.URL()+"/other", "github", is.Client())
	if err == nil || !strings.Contains(err.Error(), "discover the signing keys") {
		t.Errorf("err = %v", err)
	}
}
