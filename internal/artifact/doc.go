// Package artifact discovers build outputs, refuses unsafe ones (symlinks,
// path escapes, non-regular files), computes their digests in one streaming
// pass, and reads and writes the release manifest that records them.
//
// The manifest is the hand-off between the build jobs and the privileged
// publish job, so everything read back from one is validated strictly: a
// manifest is untrusted input until Decode has accepted it.
package artifact
