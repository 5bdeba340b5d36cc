package testenv

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"
)

// rubygemsMaxGem bounds a pushed .gem (the emulator's own limit; RubyGems.org's is
// enforced by its proxy and is not in the reference).
const rubygemsMaxGem = 1 << 30

// GemFile is one gem version the RubyGems emulator accepted.
type GemFile struct {
	Name, Version, Platform string
	SHA256                  string // of the .gem
	Size                    int64
	Path                    string // the stored bytes
	pushedAt                time.Time
	summary                 string
}

type rubygemsKey struct {
	publisher Publisher
	expires   time.Time
}

type rubygemsKeys struct {
	mu   sync.Mutex
	keys map[string]rubygemsKey
}

func (k *rubygemsKeys) record(key string, v rubygemsKey) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.keys[key] = v
}

func (k *rubygemsKeys) lookup(key string) (rubygemsKey, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	v, ok := k.keys[key]
	return v, ok
}

type rubygemsStore struct {
	dir string

	mu      sync.Mutex
	gems    []GemFile
	uploads int
}

// Gems lists the pushed gem versions, oldest first.
func (g *RubyGems) Gems() []GemFile {
	g.store.mu.Lock()
	defer g.store.mu.Unlock()
	return append([]GemFile(nil), g.store.gems...)
}

// Uploads counts pushes that stored a gem.
func (g *RubyGems) Uploads() int {
	g.store.mu.Lock()
	defer g.store.mu.Unlock()
	return g.store.uploads
}

func (g *RubyGems) routePush(mux *http.ServeMux) {
	mux.HandleFunc("POST /api/v1/gems", g.servePush)
	mux.HandleFunc("GET /api/v1/versions/{file}", g.serveVersions)
}

// RubyGems' plain-text answers (reference §6.3; the 401, 403 and 422 texts are from
// rubygems.org's source, not the reference).
const (
	rubygemsDenied   = "Access Denied. Please sign up for an account at https://rubygems.org"
	rubygemsRepushed = "Repushing of gem versions is not allowed.\nPlease bump the version number and push a new different release.\nSee also `gem yank` if you want to unpublish the bad release."
	rubygemsNotOwner = "You do not have permission to push to this gem."
	rubygemsNoGem    = "This rubygem could not be found."
)

func plainText(w http.ResponseWriter, status int, text string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, text)
}

// servePush is POST /api/v1/gems with a raw .gem body. The key is the whole
// Authorization value, hashed and looked up, so "Bearer <key>" is another, unknown key.
// The body is spooled to disk while hashed.
func (g *RubyGems) servePush(w http.ResponseWriter, r *http.Request) {
	key, ok := g.keys.lookup(r.Header.Get("Authorization"))
	// An expired key is not found either (rubygems.org looks keys up among unexpired
	// ones; UNCONFIRMED beyond its source).
	if !ok || !g.is.Clock().Now().Before(key.expires) {
		_, _ = io.Copy(io.Discard, r.Body)
		plainText(w, http.StatusUnauthorized, rubygemsDenied)
		return
	}
	path, sum, size, err := spoolBody(r.Body, g.store.dir, "gem-*.part", rubygemsMaxGem)
	if err != nil {
		plainText(w, http.StatusUnprocessableEntity, gemProblem(err.Error()))
		return
	}
	keep := false
	defer func() {
		if !keep {
			_ = os.Remove(path)
		}
	}()
	spec, err := readGemSpec(path)
	if err != nil {
		plainText(w, http.StatusUnprocessableEntity, gemProblem(err.Error()))
		return
	}
	if !g.owns(key.publisher, spec.name) {
		plainText(w, http.StatusForbidden, rubygemsNotOwner)
		return
	}
	if g.findGem(spec.name, spec.version, spec.platform) != nil {
		plainText(w, http.StatusConflict, rubygemsRepushed)
		return
	}
	dst := strings.TrimSuffix(path, ".part") + ".gem"
	if err := os.Rename(path, dst); err != nil {
		plainText(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	keep = true
	g.store.mu.Lock()
	g.store.gems = append(g.store.gems, GemFile{Name: spec.name, Version: spec.version, Platform: spec.platform,
		SHA256: sum, Size: size, Path: dst, pushedAt: g.is.Clock().Now(), summary: spec.summary})
	g.store.uploads++
	g.store.mu.Unlock()
	plainText(w, http.StatusOK, "Successfully registered gem: "+spec.name+" ("+spec.fullVersion()+")")
}

// gemProblem is RubyGems' 422 for a gem it cannot read.
func gemProblem(detail string) string {
	return "RubyGems.org cannot process this gem.\nPlease try rebuilding it and installing it locally to make sure it's valid.\nError:\n" + detail + "\n"
}

// owns reports whether a key minted for pub may push gem: a trusted publisher owns the
// gems it is registered for (Package "" = any), and a registration for a gem that does
// not exist yet acts as a pending publisher, which may create it.
func (g *RubyGems) owns(pub Publisher, gem string) bool {
	for _, r := range g.registrations() {
		if r.Owner == pub.Owner && r.Repo == pub.Repo && r.OwnerID == pub.OwnerID && r.Workflow == pub.Workflow &&
			r.Environment == pub.Environment &&
			(r.Package == "" || r.Package == gem) {
			return true
		}
	}
	return false
}

func (g *RubyGems) findGem(name, version, platform string) *GemFile {
	g.store.mu.Lock()
	defer g.store.mu.Unlock()
	for i := range g.store.gems {
		f := &g.store.gems[i]
		if f.Name == name && f.Version == version && f.Platform == platform {
			c := *f
			return &c
		}
	}
	return nil
}

// serveVersions is GET /api/v1/versions/<gem>.json: every version, newest first, with
// "sha" the sha256 of the .gem (reference §6.3).
func (g *RubyGems) serveVersions(w http.ResponseWriter, r *http.Request) {
	name, ok := strings.CutSuffix(r.PathValue("file"), ".json")
	if !ok {
		plainText(w, http.StatusNotFound, rubygemsNoGem)
		return
	}
	var out []map[string]any
	for _, f := range g.Gems() {
		if f.Name != name {
			continue
		}
		at := f.pushedAt.UTC().Format("2006-01-02T15:04:05.000Z")
		out = append([]map[string]any{{
			"authors": "", "built_at": at, "created_at": at, "description": f.summary, "downloads_count": 0,
			"metadata": map[string]any{}, "number": f.Version, "summary": f.summary, "platform": f.Platform,
			"rubygems_version": ">= 0", "ruby_version": ">= 0", "prerelease": strings.ContainsAny(f.Version, "abcdefghijklmnopqrstuvwxyz"),
			"licenses": []string{}, "requirements": []string{}, "sha": f.SHA256, "spec_sha": nil,
		}}, out...)
	}
	if out == nil {
		plainText(w, http.StatusNotFound, rubygemsNoGem)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// spoolBody copies r to a temporary file in dir while computing its sha256, refusing
// more than limit bytes.
func spoolBody(r io.Reader, dir, pattern string, limit int64) (path, sum string, size int64, err error) {
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return "", "", 0, err
	}
	h := sha256.New()
	size, err = io.Copy(io.MultiWriter(f, h), io.LimitReader(r, limit+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && size > limit {
		err = errTooLarge
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return "", "", 0, err
	}
	return f.Name(), hex.EncodeToString(h.Sum(nil)), size, nil
}

var errTooLarge = errors.New("package is too large")
