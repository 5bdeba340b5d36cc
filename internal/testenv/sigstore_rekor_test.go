package testenv

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/sigstore/sigstore-go/pkg/sign"
)

// TestRekorConflictAfterLostResponse: the entry lands but the answer is lost; resubmitting
// the same envelope gets Rekor's 409 with Location, and sigstore-go's client fetches the
// existing entry by UUID, which verifies like a fresh one. The log holds one entry.
func TestRekorConflictAfterLostResponse(t *testing.T) {
	is, ss := newSigstoreEnv(t)
	pb := mustSign(t, is, ss, signing{})
	rekor := sign.NewRekor(&sign.RekorOptions{BaseURL: ss.RekorURL(), Version: 1})

	ss.Faults().Add("POST "+rekorEntriesPath, LostResponse())
	if err := rekor.GetTransparencyLogEntry(context.Background(), leafPEM(pb), pb); err == nil {
		t.Fatal("no error for a lost response")
	}
	if ss.Entries() != 1 {
		t.Fatalf("entries %d after the lost response, want 1 (it landed)", ss.Entries())
	}
	if err := rekor.GetTransparencyLogEntry(context.Background(), leafPEM(pb), pb); err != nil {
		t.Fatalf("resubmit: %v", err)
	}
	if ss.Entries() != 1 {
		t.Errorf("entries %d after the resubmission, want 1", ss.Entries())
	}
	e := pb.GetVerificationMaterial().GetTlogEntries()
	if len(e) != 1 {
		t.Fatalf("%d tlog entries, want 1", len(e))
	}
	id := fmt.Sprintf("%016x%x", rekorTreeID, merkleLeafHash(e[0].GetCanonicalizedBody()))
	if n := ss.Requests(http.MethodGet, rekorEntriesPath+"/"+id); n != 1 {
		t.Errorf("%d GETs of %s, want 1 (the Location of the 409)", n, id)
	}
	if _, err := verifyBundle(t, is, ss, pb, publicGood()...); err != nil {
		t.Errorf("verify: %v", err)
	}
}

// TestRekorRefusesProposals: rekor's own types check what is proposed; refused entries
// never reach the log and are answered with Rekor's error model.
func TestRekorRefusesProposals(t *testing.T) {
	t.Run("envelope not signed by the certificate", func(t *testing.T) {
		// sigstore-go checks its own envelope before submitting, so the proposal is made
		// by hand, with one byte of the payload changed after signing.
		is, ss := newSigstoreEnv(t)
		pb := mustSign(t, is, ss, signing{})
		env := pb.GetDsseEnvelope()
		envelope, err := json.Marshal(map[string]any{
			"payload":     base64.StdEncoding.EncodeToString(append(env.GetPayload(), ' ')),
			"payloadType": env.GetPayloadType(),
			"signatures":  []map[string]string{{"sig": base64.StdEncoding.EncodeToString(env.GetSignatures()[0].GetSig())}},
		})
		if err != nil {
			t.Fatal(err)
		}
		r := postJSON(t, ss.RekorURL()+rekorEntriesPath, map[string]any{
			"apiVersion": "0.0.1", "kind": "dsse",
			"spec": map[string]any{"proposedContent": map[string]any{
				"envelope":  string(envelope),
				"verifiers": []string{base64.StdEncoding.EncodeToString(leafPEM(pb))},
			}},
		}, nil)
		if m := r.object(t); r.status != http.StatusBadRequest || !strings.HasPrefix(fmt.Sprint(m["message"]), "error processing entry: ") {
			t.Errorf("status %d, body %s; want Rekor's 400", r.status, r.body)
		}
		if refusals := strings.Join(ss.Refusals(), "\n"); !strings.Contains(refusals, "could not verify envelope") {
			t.Errorf("refused for %q, want the envelope signature", refusals)
		}
		if ss.Entries() != 0 {
			t.Errorf("entries %d, want 0", ss.Entries())
		}
	})
	tests := []struct {
		name, body, want string
	}{
		{"not JSON", `{`, "error processing entry: "},
		{"unknown kind", `{"kind":"nonesuch","apiVersion":"0.0.1","spec":{}}`, "error processing entry: "},
		{"dsse without content", `{"kind":"dsse","apiVersion":"0.0.1","spec":{}}`, "error processing entry: "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, ss := newSigstoreEnv(t)
			r := do(t, http.MethodPost, ss.RekorURL()+rekorEntriesPath, []byte(tc.body), map[string]string{"Content-Type": "application/json"})
			m := r.object(t)
			if r.status != http.StatusBadRequest || m["code"] != float64(400) || !strings.HasPrefix(fmt.Sprint(m["message"]), tc.want) {
				t.Errorf("status %d, body %s; want 400 {code 400, message %q…}", r.status, r.body, tc.want)
			}
			if ss.Entries() != 0 {
				t.Errorf("entries %d, want 0", ss.Entries())
			}
		})
	}
}

// TestRekorGetEntry: entries are found by UUID and by entry ID, with a proof against the
// current tree; anything else is a bare 404.
func TestRekorGetEntry(t *testing.T) {
	is, ss := newSigstoreEnv(t)
	first := mustSign(t, is, ss, signing{rekor: true})
	mustSign(t, is, ss, signing{rekor: true})
	uuid := fmt.Sprintf("%x", merkleLeafHash(first.GetVerificationMaterial().GetTlogEntries()[0].GetCanonicalizedBody()))
	entryID := fmt.Sprintf("%016x", rekorTreeID) + uuid
	tests := []struct {
		name, id string
		status   int
	}{
		{"uuid", uuid, http.StatusOK},
		{"entry ID", entryID, http.StatusOK},
		{"other tree", "0000000000000001" + uuid, http.StatusNotFound},
		{"unknown", strings.Repeat("ab", 32), http.StatusNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, http.MethodGet, ss.RekorURL()+rekorEntriesPath+"/"+tc.id, nil, nil)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d; body %s", r.status, tc.status, r.body)
			}
			if tc.status != http.StatusOK {
				return
			}
			m := r.object(t)
			anon, ok := m[entryID].(map[string]any)
			if len(m) != 1 || !ok {
				t.Fatalf("answer %s is not keyed by the entry ID %s", r.body, entryID)
			}
			proof := anon["verification"].(map[string]any)["inclusionProof"].(map[string]any)
			if proof["treeSize"] != float64(2) || proof["logIndex"] != float64(0) || anon["logIndex"] != float64(rekorShardOffset) {
				t.Errorf("proof %v, logIndex %v; want tree size 2, index 0, log index %d", proof, anon["logIndex"], rekorShardOffset)
			}
		})
	}
}
