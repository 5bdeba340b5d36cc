package testenv

import "crypto/sha256"

// RFC 6962 §2.1 Merkle tree hashing, computed from the list of leaf hashes each time it is
// needed: the emulated log holds a handful of entries, so O(n) per proof costs nothing and
// keeps the code a direct transcription of the RFC.

// merkleLeafHash is SHA-256(0x00 || data).
func merkleLeafHash(data []byte) []byte {
	h := sha256.New()
	h.Write([]byte{0})
	h.Write(data)
	return h.Sum(nil)
}

// merkleNodeHash is SHA-256(0x01 || left || right).
func merkleNodeHash(left, right []byte) []byte {
	h := sha256.New()
	h.Write([]byte{1})
	h.Write(left)
	h.Write(right)
	return h.Sum(nil)
}

// splitPoint is the largest power of two smaller than n (n > 1).
func splitPoint(n int) int {
	k := 1
	for k<<1 < n {
		k <<= 1
	}
	return k
}

// merkleRoot is MTH(D[n]) over leaf hashes; the empty tree hashes the empty string.
func merkleRoot(leaves [][]byte) []byte {
	switch n := len(leaves); n {
	case 0:
		sum := sha256.Sum256(nil)
		return sum[:]
	case 1:
		return leaves[0]
	default:
		k := splitPoint(n)
		return merkleNodeHash(merkleRoot(leaves[:k]), merkleRoot(leaves[k:]))
	}
}

// inclusionPath is PATH(m, D[n]): the audit path of leaf m, deepest sibling first.
func inclusionPath(m int, leaves [][]byte) [][]byte {
	n := len(leaves)
	if n <= 1 {
		return [][]byte{}
	}
	k := splitPoint(n)
	if m < k {
		return append(inclusionPath(m, leaves[:k]), merkleRoot(leaves[k:]))
	}
	return append(inclusionPath(m-k, leaves[k:]), merkleRoot(leaves[:k]))
}
