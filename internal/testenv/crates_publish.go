package testenv

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
)

// crates.io's publish limits (reference §5.3, config/publish_limits.rs).
const (
	cratesMaxJSON  = 1 << 20
	cratesMaxCrate = 10 << 20
)

// CrateFile is one crate version the crates.io emulator accepted.
type CrateFile struct {
	Name, Version string
	Checksum      string // sha256 hex of the .crate
	Size          int64
	// Meta is the JSON metadata sent with the upload (cargo's NewCrate).
	Meta map[string]any
	// Manifest is the [package] table of the Cargo.toml inside the .crate.
	Manifest map[string]any
	// Path holds the .crate's bytes.
	Path string

	seq int
}

// cratesStore holds what was published.
type cratesStore struct {
	dir string

	mu       sync.Mutex
	versions []CrateFile
	uploads  int
}

// canonicalCrate is how crates.io compares crate names: case-insensitive, '-' and '_'
// equal.
func canonicalCrate(name string) string {
	return strings.ReplaceAll(strings.ToLower(name), "_", "-")
}

func (s *cratesStore) find(name, version string) (CrateFile, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range s.versions {
		if canonicalCrate(v.Name) == canonicalCrate(name) && v.Version == version {
			return v, true
		}
	}
	return CrateFile{}, false
}

// crateName returns the crate's name as first published ("" when unknown).
func (s *cratesStore) crateName(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range s.versions {
		if canonicalCrate(v.Name) == canonicalCrate(name) {
			return v.Name
		}
	}
	return ""
}

// Crates lists the published crate versions, oldest first.
func (c *Crates) Crates() []CrateFile {
	c.store.mu.Lock()
	defer c.store.mu.Unlock()
	return append([]CrateFile(nil), c.store.versions...)
}

// Uploads counts publish requests that stored a version.
func (c *Crates) Uploads() int {
	c.store.mu.Lock()
	defer c.store.mu.Unlock()
	return c.store.uploads
}

func (c *Crates) routePublish(mux *http.ServeMux) {
	mux.HandleFunc("PUT /api/v1/crates/new", c.servePublish)
	mux.HandleFunc("GET /api/v1/crates/{name}/{version}", c.serveVersion)
}

// cratesBadFormat is crates.io's answer to a token of no format it knows.
const cratesBadFormat = "The given API token does not match the format used by crates.io. Tokens generated before " +
	"2020-07-14 were generated with an insecure random number generator, and have been revoked. You can generate a " +
	"new token at https://crates.io/me. For more information please see " +
	"https://blog.rust-lang.org/2020/07/14/crates-io-security-advisory.html. We apologize for any inconvenience."

// publishCredential reads the Authorization header as crates.io does: the raw token or
// "Bearer <token>" (scheme in any case, surrounding spaces ignored). status is 0 when a
// well-formed Trusted Publishing token was found.
func publishCredential(r *http.Request) (cred string, status int, detail string) {
	h, ok := r.Header["Authorization"]
	if !ok || len(h) == 0 {
		// crates.io's text for a missing credential (not in the reference).
		return "", http.StatusForbidden, "this action requires authentication"
	}
	v := strings.TrimSpace(h[0])
	if scheme, rest, ok := strings.Cut(v, " "); ok && strings.EqualFold(scheme, "Bearer") {
		v = strings.TrimSpace(rest)
	}
	if !validCratesToken(v) {
		// Any other kind of token (another registry's, a garbage string) fails to
		// parse; a well-formed classic crates.io API token would be looked up
		// instead, but this emulator issues none.
		return "", http.StatusUnauthorized, cratesBadFormat
	}
	return v, 0, ""
}

// servePublish is crates.io's PUT /api/v1/crates/new (reference §5.3) for Trusted
// Publishing tokens: the body is read as a stream (length-prefixed JSON, then the
// .crate spooled to disk while hashed), the token checked against the crate, and the
// .crate's own Cargo.toml must agree with the JSON.
func (c *Crates) servePublish(w http.ResponseWriter, r *http.Request) {
	cred, status, detail := publishCredential(r)
	if status != 0 {
		cratesFail(w, status, detail)
		return
	}
	meta, crate, status, detail := c.readPublishBody(r)
	if status != 0 {
		cratesFail(w, status, detail)
		return
	}
	defer crate.remove()
	name, _ := meta["name"].(string)
	vers, _ := meta["vers"].(string)
	covered, ok := c.TokenCrates(cred)
	if !ok {
		cratesFail(w, http.StatusForbidden, "Invalid authentication token")
		return
	}
	existing := c.existingCrate(name)
	if existing == "" {
		cratesFail(w, http.StatusForbidden, "Trusted Publishing tokens do not support creating new crates. Publish the crate manually, first")
		return
	}
	if !containsCrate(covered, name) {
		cratesFail(w, http.StatusForbidden, "The provided access token is not valid for crate `"+existing+"`")
		return
	}
	if _, dup := c.store.find(name, vers); dup {
		cratesFail(w, http.StatusBadRequest, "crate version `"+vers+"` is already uploaded")
		return
	}
	manifest, detail := crateManifest(crate.path, name, vers)
	if detail != "" {
		cratesFail(w, http.StatusBadRequest, detail)
		return
	}
	if err := c.storeCrate(name, vers, meta, manifest, crate); err != nil {
		cratesFail(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	writeJSON(w, http.StatusOK, c.goodCrate(name, vers, manifest))
}

// spooledCrate is the .crate part of a publish body, on disk.
type spooledCrate struct {
	path     string
	size     int64
	checksum string
}

func (s *spooledCrate) remove() {
	if s != nil && s.path != "" {
		_ = os.Remove(s.path)
	}
}

// readPublishBody parses "u32 LE len · JSON · u32 LE len · .crate" from the stream. The
// limit texts are the reference's; the texts for truncated bodies and bad JSON are
// crates.io's (UNCONFIRMED: not in the reference).
func (c *Crates) readPublishBody(r *http.Request) (meta map[string]any, crate *spooledCrate, status int, detail string) {
	body := r.Body
	var n uint32
	if err := binary.Read(body, binary.LittleEndian, &n); err != nil {
		return nil, nil, http.StatusBadRequest, "invalid metadata length"
	}
	if n > cratesMaxJSON {
		return nil, nil, http.StatusRequestEntityTooLarge, "JSON metadata blob too large"
	}
	raw := make([]byte, n)
	if _, err := io.ReadFull(body, raw); err != nil {
		return nil, nil, http.StatusBadRequest, fmt.Sprintf("invalid metadata length for remaining payload: %d", n)
	}
	if err := json.Unmarshal(raw, &meta); err != nil || meta == nil {
		return nil, nil, http.StatusBadRequest, "invalid upload request: " + jsonProblem(err)
	}
	for _, field := range []string{"name", "vers"} {
		if s, ok := meta[field].(string); !ok || s == "" {
			return nil, nil, http.StatusBadRequest, "invalid upload request: missing field `" + field + "`"
		}
	}
	if err := binary.Read(body, binary.LittleEndian, &n); err != nil {
		return nil, nil, http.StatusBadRequest, "invalid tarball length"
	}
	if n > cratesMaxCrate {
		return nil, nil, http.StatusRequestEntityTooLarge, fmt.Sprintf("max upload size is: %d", cratesMaxCrate)
	}
	f, err := os.CreateTemp(c.store.dir, "crate-*.part")
	if err != nil {
		return nil, nil, http.StatusInternalServerError, "Internal Server Error"
	}
	h := sha256.New()
	copied, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(body, int64(n)))
	_ = f.Close()
	crate = &spooledCrate{path: f.Name(), size: copied, checksum: hex.EncodeToString(h.Sum(nil))}
	if err != nil || copied != int64(n) {
		crate.remove()
		return nil, nil, http.StatusBadRequest, fmt.Sprintf("invalid tarball length for remaining payload: %d", n)
	}
	return meta, crate, 0, ""
}

func jsonProblem(err error) string {
	if err == nil {
		return "expected a JSON object"
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return se.Error()
	}
	return err.Error()
}

// existingCrate is the crate's name as crates.io knows it, "" when the crate does not
// exist: published here before, or a Trusted Publishing config registered for it
// (configs are made on existing crates).
func (c *Crates) existingCrate(name string) string {
	if n := c.store.crateName(name); n != "" {
		return n
	}
	for _, p := range c.registrations() {
		if p.Package != "" && canonicalCrate(p.Package) == canonicalCrate(name) {
			return p.Package
		}
	}
	return ""
}

func containsCrate(crates []string, name string) bool {
	for _, c := range crates {
		if canonicalCrate(c) == canonicalCrate(name) {
			return true
		}
	}
	return false
}

func (c *Crates) storeCrate(name, vers string, meta, manifest map[string]any, crate *spooledCrate) error {
	dst := crate.path[:len(crate.path)-len(".part")] + ".crate"
	if err := os.Rename(crate.path, dst); err != nil {
		return err
	}
	crate.path = ""
	c.store.mu.Lock()
	defer c.store.mu.Unlock()
	c.store.versions = append(c.store.versions, CrateFile{
		Name: name, Version: vers, Checksum: crate.checksum, Size: crate.size,
		Meta: meta, Manifest: manifest, Path: dst, seq: len(c.store.versions) + 1,
	})
	c.store.uploads++
	return nil
}

// goodCrate is the 200 body (api_types GoodCrate), trimmed to what clients read.
func (c *Crates) goodCrate(name, vers string, manifest map[string]any) map[string]any {
	str := func(k string) any {
		if s, ok := manifest[k].(string); ok {
			return s
		}
		return nil
	}
	now := c.is.Clock().Now().UTC().Format("2006-01-02T15:04:05.000000Z07:00")
	return map[string]any{
		"crate": map[string]any{
			"id": name, "name": name, "updated_at": now, "created_at": now,
			"versions": nil, "keywords": nil, "categories": nil, "badges": nil,
			"downloads": 0, "recent_downloads": nil, "default_version": vers, "num_versions": c.numVersions(name),
			"yanked": false, "max_version": vers, "newest_version": vers, "max_stable_version": vers,
			"description": str("description"), "homepage": str("homepage"), "documentation": str("documentation"),
			"repository": str("repository"), "exact_match": false,
			"links": map[string]any{
				"version_downloads":    "/api/v1/crates/" + name + "/downloads",
				"versions":             "/api/v1/crates/" + name + "/versions",
				"owners":               "/api/v1/crates/" + name + "/owners",
				"owner_team":           "/api/v1/crates/" + name + "/owner_team",
				"owner_user":           "/api/v1/crates/" + name + "/owner_user",
				"reverse_dependencies": "/api/v1/crates/" + name + "/reverse_dependencies",
			},
		},
		"warnings": map[string]any{"invalid_categories": []string{}, "invalid_badges": []string{}, "other": []string{}},
	}
}

func (c *Crates) numVersions(name string) int {
	c.store.mu.Lock()
	defer c.store.mu.Unlock()
	n := 0
	for _, v := range c.store.versions {
		if canonicalCrate(v.Name) == canonicalCrate(name) {
			n++
		}
	}
	return n
}

// serveVersion is GET /api/v1/crates/<name>/<version> (reference §5.3): version.checksum
// is the .crate's sha256. The 404 texts are crates.io's (seen live for the version case).
func (c *Crates) serveVersion(w http.ResponseWriter, r *http.Request) {
	name, vers := r.PathValue("name"), r.PathValue("version")
	if c.existingCrate(name) == "" {
		cratesFail(w, http.StatusNotFound, "crate `"+name+"` does not exist")
		return
	}
	v, ok := c.store.find(name, vers)
	if !ok {
		cratesFail(w, http.StatusNotFound, "crate `"+name+"` does not have a version `"+vers+"`")
		return
	}
	str := func(k string) any {
		if s, ok := v.Manifest[k].(string); ok {
			return s
		}
		return nil
	}
	writeJSON(w, http.StatusOK, map[string]any{"version": map[string]any{
		"id": v.seq, "crate": v.Name, "num": v.Version,
		"dl_path":     "/api/v1/crates/" + v.Name + "/" + v.Version + "/download",
		"readme_path": "/api/v1/crates/" + v.Name + "/" + v.Version + "/readme",
		"checksum":    v.Checksum, "crate_size": v.Size, "yanked": false, "yank_message": nil,
		"license": str("license"), "description": str("description"), "homepage": str("homepage"),
		"documentation": str("documentation"), "repository": str("repository"), "rust_version": str("rust-version"),
		"edition": str("edition"), "features": map[string]any{}, "downloads": 0, "published_by": nil,
		"trustpub_data": map[string]any{"provider": "github"},
	}})
}
