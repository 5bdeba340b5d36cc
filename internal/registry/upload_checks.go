package registry

import (
	"encoding/hex"
	"fmt"
	"strings"
)

// checkUpload refuses, before any request, what cannot be uploaded: a
// kind the registry does not take, a missing or foreign token, digests
// the manifest should have had.
func (u *uploadCore) checkUpload(tok *Token, a Artifact, accepts bool, digests map[string]int) error {
	if !accepts {
		return &UploadError{Registry: u.name, Artifact: a.Name, Message: fmt.Sprintf("%s does not take %q artifacts", u.name, a.Kind),
			Fix: "remove the registry from this artifact's targets in release.toml"}
	}
	if tok == nil || tok.Value == "" {
		return &UploadError{Registry: u.name, Artifact: a.Name, Message: "no upload token", Fix: "run the exchange stage before publish"}
	}
	if tok.Registry != u.kind {
		return &UploadError{Registry: u.name, Artifact: a.Name, Message: fmt.Sprintf("the token was minted for %q, not %q", tok.Registry, u.kind),
			Fix: "this is a bug in the caller: each registry needs the token it minted"}
	}
	if ok, why := validTokenValue(tok.Value); !ok {
		return &UploadError{Registry: u.name, Artifact: a.Name, Message: why, Fix: "run the exchange stage again"}
	}
	for name, n := range digests {
		if !isHex(digestOf(a, name), n) {
			return &UploadError{Registry: u.name, Artifact: a.Name, Message: fmt.Sprintf("the manifest has no valid %s digest for this artifact", name),
				Fix: "rebuild (releaser run --from build) so that the manifest records every digest"}
		}
	}
	return nil
}

func digestOf(a Artifact, name string) string {
	switch name {
	case "sha256":
		return a.SHA256
	case "sha512":
		return a.SHA512
	case "blake2b-256":
		return a.BLAKE2b256
	}
	return ""
}

// isHex reports lower-case hex of n bytes.
func isHex(s string, n int) bool {
	if len(s) != 2*n || strings.ToLower(s) != s {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// mismatch is the artifact's own metadata disagreeing with the
// configuration: refused before anything is sent.
func (u *uploadCore) mismatch(a Artifact, source, field, inFile, configured, key string) *UploadError {
	return &UploadError{
		Registry: u.name,
		Artifact: a.Name,
		Message:  fmt.Sprintf("the artifact's %s says %s %q, but %s is %q", source, field, inFile, key, configured),
		Fix: fmt.Sprintf("make %s and the package's own %s agree (and rebuild), or correct %s in release.toml",
			key, source, key),
	}
}

// metadataError is an artifact whose metadata cannot be read.
func (u *uploadCore) metadataError(a Artifact, err error) *UploadError {
	return &UploadError{
		Registry: u.name,
		Artifact: a.Name,
		Message:  "reading the package metadata: " + sanitizeMessage(err.Error()),
		Fix:      "the file is not a valid " + a.Kind + " artifact; check the build command that made it",
	}
}

// checkVersion compares the metadata version with the release version.
func (u *uploadCore) checkVersion(a Artifact, source, inFile string) error {
	if inFile != u.version {
		return u.mismatch(a, source, "version", inFile, u.version, "the release version")
	}
	return nil
}
