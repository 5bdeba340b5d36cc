package testenv

import (
	"fmt"
	"testing"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
)

// TestMerkleInclusionProofs checks the emulator's RFC 6962 hashing against
// transparency-dev/merkle, the verifier sigstore-go uses: every leaf of trees of 1 to 9
// leaves proves inclusion, and a proof for the wrong index does not.
func TestMerkleInclusionProofs(t *testing.T) {
	for n := 1; n <= 9; n++ {
		var leaves [][]byte
		for i := range n {
			leaves = append(leaves, merkleLeafHash(fmt.Appendf(nil, "entry %d", i)))
		}
		root := merkleRoot(leaves)
		for m := range n {
			path := inclusionPath(m, leaves)
			if err := proof.VerifyInclusion(rfc6962.DefaultHasher, uint64(m), uint64(n), leaves[m], path, root); err != nil {
				t.Errorf("leaf %d of %d: %v", m, n, err)
			}
			if n > 1 {
				other := (m + 1) % n
				if proof.VerifyInclusion(rfc6962.DefaultHasher, uint64(other), uint64(n), leaves[m], path, root) == nil {
					t.Errorf("leaf %d of %d verified at index %d", m, n, other)
				}
			}
		}
	}
	if got, want := merkleLeafHash([]byte("x")), rfc6962.DefaultHasher.HashLeaf([]byte("x")); string(got) != string(want) {
		t.Errorf("leaf hash %x, want %x", got, want)
	}
}
