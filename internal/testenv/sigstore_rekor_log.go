package testenv

import (
	"bytes"
	"context"
	"crypto"
	"encoding/hex"
	"fmt"
	"net/url"
	"sync"

	"github.com/cyberphone/json-canonicalization/go/src/webpki.org/jsoncanonicalizer"
	"github.com/go-openapi/strfmt"
	"github.com/sigstore/rekor/pkg/generated/models"
	"github.com/sigstore/rekor/pkg/util"
	"github.com/sigstore/sigstore/pkg/signature"
)

// rekorTreeID is the emulated log's active tree (shard) ID. Any positive int64 does; it
// shows up in entry IDs (16 hex digits before the leaf hash) and the checkpoint origin.
const rekorTreeID int64 = 1193050959916656506

// rekorShardOffset is how many entries earlier, now inactive shards hold. The public log
// has several, so an entry's global logIndex (what the SET covers) differs from its index
// in the active tree (what the inclusion proof covers, reference §2.1); an offset here
// makes a client that confuses the two fail.
const rekorShardOffset = 1000

// rekorEntry is one leaf of the emulated log.
type rekorEntry struct {
	body           []byte // Rekor's canonicalized entry
	leafIndex      int64  // index in the active tree
	integratedTime int64
	uuid           string // hex leaf hash
}

// entryID is the sharded entry ID Rekor hands out: tree ID then UUID.
func (e *rekorEntry) entryID() string { return fmt.Sprintf("%016x%s", rekorTreeID, e.uuid) }

// rekorLog is the emulated transparency log: an append-only list of canonical entries,
// hashed into an RFC 6962 tree.
type rekorLog struct {
	signer     signature.SignerVerifier
	logID      string // hex SHA-256 of the log key's PKIX DER
	checkpoint string // the checkpoint signer's name: the host of the trusted root's baseUrl

	mu      sync.Mutex
	entries []*rekorEntry
	byUUID  map[string]*rekorEntry
	leaves  [][]byte
}

func newRekorLog(p *sigstorePKI, baseURL string) (*rekorLog, error) {
	signer, err := signature.LoadECDSASignerVerifier(p.rekorKey, crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("rekor signer: %w", err)
	}
	id, err := keyID(&p.rekorKey.PublicKey)
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(baseURL)
	if err != nil {
		return nil, fmt.Errorf("rekor base URL: %w", err)
	}
	return &rekorLog{
		signer:     signer,
		logID:      hex.EncodeToString(id[:]),
		checkpoint: u.Hostname(),
		byUUID:     map[string]*rekorEntry{},
	}, nil
}

// add appends a canonical entry integrated at integratedTime. When an identical entry is
// already in the log, it returns that one and false, and the log is unchanged.
func (l *rekorLog) add(body []byte, integratedTime int64) (*rekorEntry, bool) {
	leaf := merkleLeafHash(body)
	uuid := hex.EncodeToString(leaf)
	l.mu.Lock()
	defer l.mu.Unlock()
	if e, ok := l.byUUID[uuid]; ok {
		return e, false
	}
	e := &rekorEntry{body: body, leafIndex: int64(len(l.entries)), integratedTime: integratedTime, uuid: uuid}
	l.entries = append(l.entries, e)
	l.leaves = append(l.leaves, leaf)
	l.byUUID[uuid] = e
	return e, true
}

// lookup finds an entry by UUID or by entry ID (which must name the active tree).
func (l *rekorLog) lookup(id string) (*rekorEntry, bool) {
	if len(id) == 80 {
		if id[:16] != fmt.Sprintf("%016x", rekorTreeID) {
			return nil, false
		}
		id = id[16:]
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	e, ok := l.byUUID[id]
	return e, ok
}

// size is the number of entries in the log.
func (l *rekorLog) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.entries)
}

// logEntry renders e as Rekor answers it: body, integratedTime, logID, the global
// logIndex, and verification with a fresh SET and an inclusion proof against the current
// tree, whose root a signed checkpoint commits to.
func (l *rekorLog) logEntry(ctx context.Context, e *rekorEntry) (models.LogEntry, error) {
	l.mu.Lock()
	leaves := append([][]byte(nil), l.leaves...)
	l.mu.Unlock()

	logIndex := e.leafIndex + rekorShardOffset
	anon := models.LogEntryAnon{
		Body:           e.body,
		IntegratedTime: &e.integratedTime,
		LogID:          &l.logID,
		LogIndex:       &logIndex,
	}
	set, err := l.signEntry(anon)
	if err != nil {
		return nil, err
	}
	root := merkleRoot(leaves)
	checkpoint, err := util.CreateAndSignCheckpoint(ctx, l.checkpoint, rekorTreeID, uint64(len(leaves)), root, l.signer)
	if err != nil {
		return nil, fmt.Errorf("sign checkpoint: %w", err)
	}
	path := inclusionPath(int(e.leafIndex), leaves)
	hashes := make([]string, len(path))
	for i, h := range path {
		hashes[i] = hex.EncodeToString(h)
	}
	treeSize := int64(len(leaves))
	rootHex := hex.EncodeToString(root)
	cp := string(checkpoint)
	anon.Verification = &models.LogEntryAnonVerification{
		InclusionProof: &models.InclusionProof{
			Checkpoint: &cp,
			Hashes:     hashes,
			LogIndex:   &e.leafIndex,
			RootHash:   &rootHex,
			TreeSize:   &treeSize,
		},
		SignedEntryTimestamp: strfmt.Base64(set),
	}
	return models.LogEntry{e.entryID(): anon}, nil
}

// signEntry is the SET, made as Rekor makes it: the entry's body, integratedTime, logID
// and logIndex as JSON, RFC 8785-canonicalized, signed by the log key.
func (l *rekorLog) signEntry(anon models.LogEntryAnon) ([]byte, error) {
	payload, err := anon.MarshalBinary()
	if err != nil {
		return nil, fmt.Errorf("encode SET payload: %w", err)
	}
	canonical, err := jsoncanonicalizer.Transform(payload)
	if err != nil {
		return nil, fmt.Errorf("canonicalize SET payload: %w", err)
	}
	sig, err := l.signer.SignMessage(bytes.NewReader(canonical))
	if err != nil {
		return nil, fmt.Errorf("sign SET: %w", err)
	}
	return sig, nil
}
