package testenv

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/go-openapi/runtime"
	"github.com/go-openapi/strfmt"
	"github.com/sigstore/rekor/pkg/generated/models"
	"github.com/sigstore/rekor/pkg/types"

	// The entry kinds sigstore-go submits: dsse for DSSE envelopes, hashedrekord for
	// message signatures.
	_ "github.com/sigstore/rekor/pkg/types/dsse/v0.0.1"
	_ "github.com/sigstore/rekor/pkg/types/hashedrekord/v0.0.1"
)

// Rekor's client-facing texts (rekor pkg/api/error.go).
const (
	rekorValidationError = "error processing entry: %v"
	rekorEntryExists     = "an equivalent entry already exists in the transparency log with UUID %v"
	rekorCanonicalError  = "error generating canonicalized entry"
	rekorSigningError    = "error signing"
)

// rekorEntriesPath is the collection every entry lives under; Location headers point below it.
const rekorEntriesPath = "/api/v1/log/entries"

// serveCreateEntry is Rekor v1's POST /api/v1/log/entries. The proposed entry goes through
// rekor's own types, as on the real server: they check the signature against the
// submitted certificate and produce the canonical body, which is what the log stores and
// the bundle carries (reference §2.3). A new entry is answered 201 with ETag and Location
// naming its entry ID; an entry already in the log 409 with Location, as Rekor does.
func (s *Sigstore) serveCreateEntry(w http.ResponseWriter, r *http.Request) {
	pe, err := models.UnmarshalProposedEntry(io.LimitReader(r.Body, 32<<20), runtime.JSONConsumer())
	if err == nil {
		err = pe.Validate(strfmt.Default)
	}
	if err != nil {
		s.refuse("rekor", err)
		writeRekorError(w, http.StatusBadRequest, fmt.Sprintf(rekorValidationError, err))
		return
	}
	entry, err := types.CreateVersionedEntry(pe)
	if err != nil {
		s.refuse("rekor", err)
		writeRekorError(w, http.StatusBadRequest, fmt.Sprintf(rekorValidationError, err))
		return
	}
	body, err := types.CanonicalizeEntry(r.Context(), entry)
	if err != nil {
		s.refuse("rekor", err)
		var invalid *types.InputValidationError
		if errors.As(err, &invalid) {
			writeRekorError(w, http.StatusBadRequest, fmt.Sprintf(rekorValidationError, err))
			return
		}
		writeRekorError(w, http.StatusInternalServerError, rekorCanonicalError)
		return
	}
	e, added := s.rekor.add(body, s.clock.Now().Unix())
	location := rekorEntriesPath + "/" + e.entryID()
	if !added {
		w.Header().Set("Location", location)
		writeRekorError(w, http.StatusConflict, fmt.Sprintf(rekorEntryExists, e.entryID()))
		return
	}
	le, err := s.rekor.logEntry(r.Context(), e)
	if err != nil {
		s.refuse("rekor", err)
		writeRekorError(w, http.StatusInternalServerError, rekorSigningError)
		return
	}
	w.Header().Set("Location", location)
	w.Header().Set("ETag", e.entryID())
	writeRekorJSON(w, http.StatusCreated, le)
}

// serveGetEntry is GET /api/v1/log/entries/{entryUUID}, by UUID or entry ID, with a fresh
// inclusion proof against the current tree. An unknown entry is a bare 404, as Rekor's
// generated responder sends it.
func (s *Sigstore) serveGetEntry(w http.ResponseWriter, r *http.Request) {
	e, ok := s.rekor.lookup(r.PathValue("entryUUID"))
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	le, err := s.rekor.logEntry(r.Context(), e)
	if err != nil {
		s.refuse("rekor", err)
		writeRekorError(w, http.StatusInternalServerError, rekorSigningError)
		return
	}
	writeRekorJSON(w, http.StatusOK, le)
}

// writeRekorError answers with Rekor's error model {"code","message"}.
func writeRekorError(w http.ResponseWriter, status int, message string) {
	writeRekorJSON(w, status, &models.Error{Code: int64(status), Message: message})
}

// writeRekorJSON writes v with encoding/json, as go-swagger's JSON producer does (HTML
// escaping on, unlike writeJSON).
func writeRekorJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "testenv: encode rekor answer: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}
