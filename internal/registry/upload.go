package registry

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Artifact kinds, as internal/artifact names them (artifact.Kind); the
// registry package does not import the manifest's package.
const (
	ArtifactWheel = "wheel"
	ArtifactSdist = "sdist"
	ArtifactNpm   = "npm"
	ArtifactCrate = "crate"
	ArtifactGem   = "gem"
)

// Artifact is what an uploader needs to know about one file (built from
// the manifest).
type Artifact struct {
	Name string // file name, as published
	Path string // absolute path on disk
	Size int64
	Kind string // artifact.Kind
	// Digests in lower-case hex, from the manifest (already re-verified).
	SHA256, SHA512, BLAKE2b256 string
	// Attestations go with the upload. PyPI: PEP 740 attestation objects
	// (at most 2), sent as a JSON array in the "attestations" form field.
	// npm: exactly one Sigstore bundle (JSON), sent as the attachment
	// "<name>-<version>.sigstore". Other registries ignore them; none →
	// the field or attachment is left out.
	Attestations [][]byte
}

// State is what the registry has for an artifact's version.
type State int

const (
	Absent    State = iota // nothing, or not this file
	Same                   // this very file (same digest)
	Different              // a different file under this name/version: never overwrite
)

func (s State) String() string {
	switch s {
	case Absent:
		return "absent"
	case Same:
		return "same"
	case Different:
		return "different"
	}
	return fmt.Sprintf("State(%d)", int(s))
}

// Remote is the answer of an idempotency lookup.
type Remote struct {
	State  State
	Detail string // e.g. "PyPI has demo-1.0.0.tar.gz with sha256 ab12…"
	URL    string // where users see the release
}

// Outcome is how an upload ended well.
type Outcome int

const (
	Published        Outcome = iota // this run sent the file
	AlreadyPublished                // the registry already had this very file
)

func (o Outcome) String() string {
	switch o {
	case Published:
		return "published"
	case AlreadyPublished:
		return "already published"
	}
	return fmt.Sprintf("Outcome(%d)", int(o))
}

// Result is a successful upload.
type Result struct {
	Outcome Outcome
	URL     string // where users see it
}

// Uploader publishes artifacts to one registry.
type Uploader interface {
	// Name is the registry's display name ("PyPI", "npm", …).
	Name() string
	// Accepts reports whether the registry takes artifacts of this kind:
	// PyPI wheel and sdist; npm npm; crates.io crate; RubyGems gem.
	Accepts(kind string) bool
	// Lookup asks what the registry already has for a's version through
	// its public read API. tok may be nil; npm sends it when given
	// (restricted packages need it), the others' read APIs are public and
	// get no credential.
	Lookup(ctx context.Context, tok *Token, a Artifact) (Remote, error)
	// Upload sends a. Before re-sending after any failure it calls Lookup:
	// Same → AlreadyPublished, Different → *UploadError with Different set.
	// A duplicate-version refusal is resolved the same way. The body is
	// streamed from disk. progress (may be nil) is called with the number
	// of the artifact's bytes sent so far in the current attempt, so it
	// ends at a.Size.
	Upload(ctx context.Context, tok *Token, a Artifact, progress func(sent int64)) (Result, error)
}

// UploadOptions configures an uploader.
type UploadOptions struct {
	// Options are shared with the exchange: HTTPClient, UserAgent,
	// RetryMax, RetryWaitMin/Max, OnRetry. HTTPClient's Timeout applies to
	// lookups only (1 min when it has none): a body can be gigabytes, so an
	// upload attempt is bounded by MaxElapsed. nil means a client that waits
	// at most 5 min for the response headers once a body is sent.
	Options
	Version    string        // the release version; the artifact's own metadata must say the same
	Access     string        // npm: "public" or "restricted"; "" leaves it to the registry
	DistTag    string        // npm: "" → "latest"
	MaxElapsed time.Duration // budget per artifact including retries and lookups; 0 → 15 min
}

const (
	defaultMaxElapsed = 15 * time.Minute
	defaultDistTag    = "latest"
	// uploadHeaderTimeout bounds the wait for an answer once a body is
	// sent; registries check a large upload before answering.
	uploadHeaderTimeout = 5 * time.Minute
)

// pypiJSONHosts are the JSON API hosts of the public indexes: the upload
// host (upload.pypi.org) does not serve it.
var pypiJSONHosts = map[string]string{
	KindPyPI:     "https://pypi.org",
	KindTestPyPI: "https://test.pypi.org",
}

// NewUploader returns the uploader for a registry kind ("pypi", "testpypi",
// "npm", "crates", "rubygems") at baseURL ("" → the public registry; for
// PyPI an override serves both {base}/legacy/ and {base}/pypi/...). pkg is
// the package name at the registry.
func NewUploader(kind, baseURL, pkg string, opts UploadOptions) (Uploader, error) {
	def, ok := defaultBaseURLs[kind]
	if !ok {
		return nil, fmt.Errorf("registry kind %q is not supported (want one of pypi, testpypi, npm, crates, rubygems)", kind)
	}
	name := DisplayName(kind)
	if pkg == "" {
		return nil, fmt.Errorf("%s upload: the package name is not set", name)
	}
	if opts.Version == "" {
		return nil, fmt.Errorf("%s upload: the release version is not set", name)
	}
	custom := baseURL != ""
	if !custom {
		baseURL = def
	}
	base, err := parseBaseURL(baseURL)
	if err != nil {
		return nil, fmt.Errorf("%s registry URL: %w", name, err)
	}
	core := newUploadCore(kind, pkg, opts)
	switch kind {
	case KindPyPI, KindTestPyPI:
		jsonBase := base
		if !custom {
			jsonBase, _ = url.Parse(pypiJSONHosts[kind])
		}
		return &pypiUploader{core: core, upload: base, json: jsonBase}, nil
	case KindNpm:
		return newNpmUploader(core, base, custom, opts)
	case KindCrates:
		return &cratesUploader{core: core, base: base}, nil
	default:
		return &rubygemsUploader{core: core, base: base}, nil
	}
}

// uploadHTTPClient is the default client for uploads: no overall timeout
// (a 2 GiB body takes as long as it takes; MaxElapsed bounds the whole),
// but a bounded wait for the response headers.
func uploadHTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.ResponseHeaderTimeout = uploadHeaderTimeout
	// The default 4 KiB makes a 2 GiB body half a million small TLS records
	// and writes; 256 KiB costs one buffer per connection.
	t.WriteBufferSize = 256 << 10
	return &http.Client{Transport: t}
}

// siteURL joins a base and a path of already escaped segments.
func siteURL(base *url.URL, segments ...string) string {
	return endpointURL(base, "/"+strings.Join(segments, "/"))
}
