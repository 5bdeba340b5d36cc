package artifact

import (
	"os"
	"path/filepath"
	"sync"
	"time"
)

// A release re-verifies every artifact before each stage that uses it (the
// build may have left a process behind, a later step may have touched the
// output directory). Within one process, re-reading gigabytes for that is
// wasted when the file provably has not changed since this process hashed
// it: the kernel sets a file's ctime on every write and every metadata
// change (including a restored mtime), and no unprivileged process can set
// it back. So Hash remembers what it read under the file's fingerprint, and
// Verify trusts a remembered digest only while the fingerprint is the same.
// Another process (the publishing job on another runner) always re-reads.

// fingerprint is what identifies one version of a file's content without
// reading it.
type fingerprint struct {
	dev, ino     uint64
	size         int64
	mtime, ctime int64 // nanoseconds
}

// racyWindow: a write in the same timestamp tick as the file's last change
// would leave ctime unchanged (filesystem timestamps come from a coarse
// clock). A file changed less than this before the hash began is never
// remembered, as git treats "racily clean" index entries.
const racyWindow = 100 * time.Millisecond

type knownDigest struct {
	fp fingerprint
	d  Digests
}

var known sync.Map // absolute path → knownDigest

// now is the clock the racy window is measured on (tests move it).
var now = time.Now

func absPath(path string) string {
	if p, err := filepath.Abs(path); err == nil {
		return p
	}
	return path
}

// statFingerprint is the fingerprint of the file now at path.
func statFingerprint(path string) (fingerprint, bool) {
	fi, err := os.Stat(path)
	if err != nil || !fi.Mode().IsRegular() {
		return fingerprint{}, false
	}
	return fingerprintOf(fi)
}

// fdFingerprint is the fingerprint of the open file itself, so a path
// swapped to another file while it is read is never taken for it.
func fdFingerprint(f *os.File) (fingerprint, bool) {
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return fingerprint{}, false
	}
	return fingerprintOf(fi)
}

// remember records digests read from the open file f (at path), if its
// fingerprint was the same before and after the read, the path still names
// it, and its last change is older than the racy window before the read
// began.
func remember(path string, f *os.File, before fingerprint, started time.Time, d Digests) {
	key := absPath(path)
	after, ok := fdFingerprint(f)
	now, okPath := statFingerprint(path)
	if !ok || !okPath || after != before || now != before || before.ctime > started.Add(-racyWindow).UnixNano() {
		known.Delete(key)
		return
	}
	known.Store(key, knownDigest{fp: after, d: d})
}

// recall returns the digests remembered for path, if its fingerprint is
// still the one they were read under.
func recall(path string) (Digests, int64, bool) {
	v, ok := known.Load(absPath(path))
	if !ok {
		return Digests{}, 0, false
	}
	k := v.(knownDigest)
	if fp, ok := statFingerprint(path); !ok || fp != k.fp {
		return Digests{}, 0, false
	}
	return k.d, k.fp.size, true
}
