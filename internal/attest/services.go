package attest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/go-openapi/runtime"
	httptransport "github.com/go-openapi/runtime/client"
	"github.com/go-openapi/strfmt"
	"github.com/hashicorp/go-retryablehttp"
	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	rekorclient "github.com/sigstore/rekor/pkg/generated/client"
	rekorutil "github.com/sigstore/rekor/pkg/util"
	"github.com/sigstore/sigstore-go/pkg/sign"
)

// services builds sigstore-go's real Fulcio, Rekor and TSA clients over the
// caller's HTTP transport and remembers which of them failed, since
// sign.Bundle's errors do not say.
type services struct {
	base     http.RoundTripper
	timeout  time.Duration // 0 = sigstore-go's 30 s per request
	certDone bool
	tsaRec   *statusRecorder
}

func newServices(o SignOptions) *services {
	s := &services{base: http.DefaultTransport}
	if o.HTTPClient != nil {
		if o.HTTPClient.Transport != nil {
			s.base = o.HTTPClient.Transport
		}
		s.timeout = o.HTTPClient.Timeout
	}
	return s
}

func (s *services) fulcio(baseURL string) sign.CertificateProvider {
	rec := &statusRecorder{base: s.base}
	return &fulcioProvider{s: s, url: baseURL, rec: rec, inner: sign.NewFulcio(&sign.FulcioOptions{
		BaseURL: baseURL, Timeout: s.timeout, Retries: serviceRetries, Transport: rec,
	})}
}

type fulcioProvider struct {
	s     *services
	url   string
	rec   *statusRecorder
	inner *sign.Fulcio
}

func (f *fulcioProvider) GetCertificate(ctx context.Context, kp sign.Keypair, o *sign.CertificateProviderOptions) ([]byte, error) {
	cert, err := f.inner.GetCertificate(ctx, kp, o)
	if err != nil {
		// Fulcio is the one service that sees the token; its error body
		// goes into err.
		return nil, &ServiceError{Service: "Fulcio", URL: f.url, Status: f.rec.status(), Err: redacted(err, o.IDToken)}
	}
	f.s.certDone = true
	return cert, nil
}

func (s *services) tsa(tsaURL string) *sign.TimestampAuthority {
	s.tsaRec = &statusRecorder{base: s.base}
	return sign.NewTimestampAuthority(&sign.TimestampAuthorityOptions{
		URL: tsaURL, Timeout: s.timeout, Retries: serviceRetries, Transport: s.tsaRec,
	})
}

// rekor is sigstore-go's Rekor v1 client with a generated rekor client
// built like rekor's own GetRekorClient, except that it goes through the
// caller's transport (GetRekorClient always makes its own).
func (s *services) rekor(baseURL string) (sign.Transparency, error) {
	u, err := parseServiceURL("Rekor", baseURL)
	if err != nil {
		return nil, err
	}
	rec := &statusRecorder{base: s.base}
	rc := retryablehttp.NewClient()
	rc.HTTPClient = &http.Client{Transport: rec}
	rc.RetryMax = serviceRetries
	rc.Logger = nil
	// Hand the last answer to the generated client, which turns it into a
	// typed error carrying Rekor's message.
	rc.ErrorHandler = retryablehttp.PassthroughErrorHandler
	path := u.Path
	if path == "" {
		path = rekorclient.DefaultBasePath
	}
	rt := httptransport.NewWithClient(u.Host, path, []string{u.Scheme}, rc.StandardClient())
	rt.Consumers["application/json"] = runtime.JSONConsumer()
	rt.Consumers["application/x-pem-file"] = runtime.TextConsumer()
	rt.Producers["application/json"] = runtime.JSONProducer()
	registerCheckpointFormat.Do(func() {
		strfmt.Default.Add("signedCheckpoint", &rekorutil.SignedNote{}, rekorutil.SignedCheckpointValidator)
	})
	entries := rekorclient.New(rt, strfmt.Default).Entries
	return &rekorProvider{url: baseURL, rec: rec, inner: sign.NewRekor(&sign.RekorOptions{
		BaseURL: baseURL, Timeout: s.timeout, Retries: serviceRetries, Client: entries, Version: 1,
	})}, nil
}

func parseServiceURL(service, raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("the %s URL %q is not an http(s) URL", service, raw)
	}
	return u, nil
}

// registerCheckpointFormat adds the format rekor's responses declare for
// checkpoints to the global registry, once, as GetRekorClient does.
var registerCheckpointFormat sync.Once

type rekorProvider struct {
	url   string
	rec   *statusRecorder
	inner *sign.Rekor
}

func (r *rekorProvider) GetTransparencyLogEntry(ctx context.Context, keyOrCertPEM []byte, b *protobundle.Bundle) error {
	if err := r.inner.GetTransparencyLogEntry(ctx, keyOrCertPEM, b); err != nil {
		return &ServiceError{Service: "Rekor", URL: r.url, Status: r.rec.status(), Err: err}
	}
	return nil
}

// attribute names the service behind a sign.Bundle error. Fulcio's and
// Rekor's errors arrive as ServiceErrors; the TSA's client cannot be
// wrapped (BundleOptions takes the concrete type), but it is the only step
// left after the certificate when there is no Rekor.
func (s *services) attribute(err error, mode, tsaURL string) error {
	var se *ServiceError
	if errors.As(err, &se) {
		return err
	}
	if mode == TransparencyTSA && s.certDone {
		return &ServiceError{Service: "the timestamp authority", URL: tsaURL, Status: s.tsaRec.status(), Err: err}
	}
	return fmt.Errorf("signing: %w", err)
}
