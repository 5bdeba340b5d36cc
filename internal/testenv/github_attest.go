package testenv

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"runtime"
	"strings"
	"sync"
	"weak"

	"github.com/golang/snappy"
)

// The GitHub emulator's artifact attestations (REST "repository attestations", API
// version 2022-11-28): POST /repos/{owner}/{repo}/attestations stores a Sigstore bundle,
// GET /repos/{owner}/{repo}/attestations/{subject_digest} lists the bundles filed under
// one of their in-toto subjects' digests, each inline and at a bundle_url that serves
// the bundle snappy-compressed (as gh reads it). A token denied "attestations=write"
// with DenyPermission gets GitHub's 403.
//
// What GitHub validates on upload beyond the body's shape is UNCONFIRMED (the action's
// history shows it cross-checks at least the workflow ref against the certificate); the
// emulator checks the shape: a Sigstore bundle media type, verification material, and a
// DSSE envelope over an in-toto statement with subject digests.

// ghAttestStore holds one emulator's attestations. It lives beside the GitHub struct
// rather than in it (that struct is github.go's); it must not point back at the
// emulator, or the emulator could never be collected and its entry never dropped.
type ghAttestStore struct {
	mu         sync.Mutex
	nextID     int64
	byRepo     map[string][]*ghAttestation // repoKey -> upload order
	blobs      map[string][]byte           // bundle_url key -> snappy-compressed bundle
	omitInline bool
}

type ghAttestation struct {
	id      int64
	bundle  []byte          // the bundle object as received, compacted
	digests map[string]bool // "alg:hex" (lower case) of every subject digest
	key     string          // the bundle_url's secret part
}

// attestStores maps each emulator (weakly) to its attestations.
var attestStores sync.Map // weak.Pointer[GitHub] -> *ghAttestStore

func (g *GitHub) attestStore() *ghAttestStore {
	k := weak.Make(g)
	if s, ok := attestStores.Load(k); ok {
		return s.(*ghAttestStore)
	}
	s, loaded := attestStores.LoadOrStore(k, &ghAttestStore{nextID: 5_000_000, byRepo: map[string][]*ghAttestation{}, blobs: map[string][]byte{}})
	if !loaded {
		runtime.AddCleanup(g, func(k weak.Pointer[GitHub]) { attestStores.Delete(k) }, k)
	}
	return s.(*ghAttestStore)
}

// Attestations lists the bundles stored in owner/repo, oldest first, as the JSON
// objects the uploads carried (compacted).
func (g *GitHub) Attestations(owner, repo string) [][]byte {
	s := g.attestStore()
	s.mu.Lock()
	defer s.mu.Unlock()
	var out [][]byte
	for _, a := range s.byRepo[repoKey(owner, repo)] {
		out = append(out, append([]byte(nil), a.bundle...))
	}
	return out
}

// AddAttestation stores bundle in owner/repo as an upload would and returns its id. It
// panics on a bundle the POST would refuse, or a repository that does not exist.
func (g *GitHub) AddAttestation(owner, repo string, bundle []byte) int64 {
	g.mu.Lock()
	exists := g.repos[repoKey(owner, repo)] != nil
	g.mu.Unlock()
	if !exists {
		panic("testenv: GitHub.AddAttestation: no repository " + owner + "/" + repo)
	}
	compact, digests, err := readAttestBundle(bundle)
	if err != nil {
		panic("testenv: GitHub.AddAttestation: " + err.Error())
	}
	return g.attestStore().add(repoKey(owner, repo), compact, digests)
}

// OmitInlineBundles makes listings answer "bundle": null, leaving only bundle_url, as
// newer API versions do (UNCONFIRMED; reference §6.3).
func (g *GitHub) OmitInlineBundles(omit bool) {
	s := g.attestStore()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.omitInline = omit
}

func (s *ghAttestStore) add(repo string, bundle []byte, digests map[string]bool) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	a := &ghAttestation{id: s.nextID, bundle: bundle, digests: digests, key: randomHex(16)}
	s.byRepo[repo] = append(s.byRepo[repo], a)
	s.blobs[a.key] = snappy.Encode(nil, bundle)
	return a.id
}

// sigstoreBundleTypes are the media types of Sigstore bundles (protobuf-specs).
var sigstoreBundleTypes = map[string]bool{
	"application/vnd.dev.sigstore.bundle.v0.3+json":        true,
	"application/vnd.dev.sigstore.bundle+json;version=0.1": true,
	"application/vnd.dev.sigstore.bundle+json;version=0.2": true,
	"application/vnd.dev.sigstore.bundle+json;version=0.3": true,
}

// readAttestBundle checks a bundle as the emulator's POST does and returns it compacted
// with the digests it is filed under. The error text is the validation message.
func readAttestBundle(raw json.RawMessage) ([]byte, map[string]bool, error) {
	var b struct {
		MediaType            string          `json:"mediaType"`
		VerificationMaterial json.RawMessage `json:"verificationMaterial"`
		DSSEEnvelope         *struct {
			Payload     string            `json:"payload"`
			PayloadType string            `json:"payloadType"`
			Signatures  []json.RawMessage `json:"signatures"`
		} `json:"dsseEnvelope"`
	}
	if err := json.Unmarshal(raw, &b); err != nil || !isJSONObject(raw) {
		return nil, nil, errors.New("bundle must be an object")
	}
	if !sigstoreBundleTypes[b.MediaType] {
		return nil, nil, errors.New("bundle.mediaType must be a Sigstore bundle media type")
	}
	if !isJSONObject(b.VerificationMaterial) {
		return nil, nil, errors.New("bundle.verificationMaterial must be an object")
	}
	env := b.DSSEEnvelope
	if env == nil || env.PayloadType != "application/vnd.in-toto+json" || len(env.Signatures) != 1 {
		return nil, nil, errors.New("bundle.dsseEnvelope must be a DSSE envelope with one signature over an in-toto statement")
	}
	payload, err := base64.StdEncoding.DecodeString(env.Payload)
	if err != nil {
		return nil, nil, errors.New("bundle.dsseEnvelope.payload must be base64")
	}
	var st struct {
		Type    string `json:"_type"`
		Subject []struct {
			Digest map[string]string `json:"digest"`
		} `json:"subject"`
	}
	if json.Unmarshal(payload, &st) != nil || !strings.HasPrefix(st.Type, "https://in-toto.io/Statement/") {
		return nil, nil, errors.New("bundle.dsseEnvelope.payload must be an in-toto statement")
	}
	digests := map[string]bool{}
	for _, sub := range st.Subject {
		for alg, h := range sub.Digest {
			digests[strings.ToLower(alg)+":"+strings.ToLower(h)] = true
		}
	}
	if len(digests) == 0 {
		return nil, nil, errors.New("the statement must have a subject with a digest")
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, raw); err != nil {
		return nil, nil, errors.New("bundle must be an object")
	}
	return compact.Bytes(), digests, nil
}

func isJSONObject(raw json.RawMessage) bool {
	var m map[string]json.RawMessage
	return json.Unmarshal(raw, &m) == nil && m != nil
}
