package testenv

import (
	"net/http"
	"strings"
)

// serveRevoke is crates.io's revocation (reference §5.1): DELETE with the token as a
// Bearer credential, 204 whether or not the token was known.
func (c *Crates) serveRevoke(w http.ResponseWriter, r *http.Request) {
	header, ok := r.Header["Authorization"]
	if !ok || len(header) == 0 {
		// Not in the reference; the text is crates.io's source.
		cratesFail(w, http.StatusUnauthorized, "Missing authorization header")
		return
	}
	cred, ok := strings.CutPrefix(header[0], "Bearer ")
	if !ok || !validCratesToken(cred) {
		cratesFail(w, http.StatusUnauthorized, "Invalid `Authorization` header: Failed to parse token")
		return
	}
	c.tmu.Lock()
	if t, ok := c.tokens[cred]; ok && !t.revoked {
		t.revoked = true
		c.revoked = append(c.revoked, cred)
	}
	c.tmu.Unlock()
	// Deleting an unknown token is not an error at crates.io.
	w.WriteHeader(http.StatusNoContent)
}

// Revoked lists issued tokens revoked via DELETE, oldest first.
func (c *Crates) Revoked() []string {
	c.tmu.Lock()
	defer c.tmu.Unlock()
	return append([]string(nil), c.revoked...)
}

// Active lists issued tokens that are neither revoked nor expired, oldest first.
func (c *Crates) Active() []string {
	now := c.is.Clock().Now()
	issued := c.Issued()
	c.tmu.Lock()
	defer c.tmu.Unlock()
	var active []string
	for _, cred := range issued {
		if t := c.tokens[cred]; t != nil && !t.revoked && now.Before(t.expires) {
			active = append(active, cred)
		}
	}
	return active
}

// TokenCrates returns the crates an active token may publish; ok is false for an unknown,
// revoked or expired token.
func (c *Crates) TokenCrates(cred string) (crates []string, ok bool) {
	now := c.is.Clock().Now()
	c.tmu.Lock()
	defer c.tmu.Unlock()
	t := c.tokens[cred]
	if t == nil || t.revoked || !now.Before(t.expires) {
		return nil, false
	}
	return append([]string(nil), t.crates...), true
}

// newCratesToken makes a token of crates.io's exact shape, "cio_tp_" + 31 alphanumerics
// + a checksum character. The compromise: the first six of the 31 are always "CANARY",
// so leaks are recognisable, leaving 25 random characters.
func newCratesToken() string {
	raw := CanaryMarker + randomAlnum(cratesTokenRawLen-len(CanaryMarker))
	return cratesTokenPrefix + raw + string(cratesChecksum(raw))
}

// cratesChecksum is crates.io's checksum character: the XOR of the raw bytes, indexed
// into the alphanumeric alphabet.
func cratesChecksum(raw string) byte {
	var x byte
	for i := 0; i < len(raw); i++ {
		x ^= raw[i]
	}
	return alnum[int(x)%len(alnum)]
}

// validCratesToken parses a token as crates.io does: prefix, length, alphabet, checksum.
func validCratesToken(s string) bool {
	suffix, ok := strings.CutPrefix(s, cratesTokenPrefix)
	if !ok || len(suffix) != cratesTokenRawLen+1 {
		return false
	}
	for i := 0; i < len(suffix); i++ {
		if !strings.ContainsRune(alnum, rune(suffix[i])) {
			return false
		}
	}
	return cratesChecksum(suffix[:cratesTokenRawLen]) == suffix[cratesTokenRawLen]
}
