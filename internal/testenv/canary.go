package testenv

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
)

// CanaryMarker is part of every emulator-issued secret except RubyGems API keys (those
// must be 48 hex digits; they start with RubyGemsCanaryPrefix instead).
const CanaryMarker = "CANARY"

// RubyGemsCanaryPrefix starts every RubyGems API key the emulator issues, after
// "rubygems_".
const RubyGemsCanaryPrefix = "deadbeef"

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// randomAlnum returns n random characters from [A-Za-z0-9].
func randomAlnum(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand panics instead)
	for i := range b {
		// 256 % 62 leaves a slight bias; irrelevant for test canaries.
		b[i] = alnum[int(b[i])%len(alnum)]
	}
	return string(b)
}

// randomHex returns n random lower-case hex digits.
func randomHex(n int) string {
	b := make([]byte, (n+1)/2)
	rand.Read(b)
	return hex.EncodeToString(b)[:n]
}

// randomUUID returns a random (version 4) UUID, the shape GitHub uses for jti.
func randomUUID() string {
	b := make([]byte, 16)
	rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// SecretHolder is anything that has handed out secrets a test must never see leak.
type SecretHolder interface {
	Secrets() []string
}

// AssertNoSecrets fails the test if data contains any secret of the holders. where names
// the data (a file, "stderr") in the failure message; the secret itself is not printed in
// full, so a failing test does not re-leak it.
func AssertNoSecrets(t testing.TB, where string, data []byte, holders ...SecretHolder) {
	t.Helper()
	for _, h := range holders {
		for _, s := range h.Secrets() {
			if s == "" {
				continue
			}
			for _, f := range SecretForms(s) {
				if bytes.Contains(data, []byte(f.Text)) {
					t.Errorf("%s contains a secret (%s…, %d bytes), %s", where, redactPrefix(s), len(s), f.Name)
					break
				}
			}
		}
	}
}

// redactPrefix keeps only enough of a secret to tell which kind leaked.
func redactPrefix(s string) string {
	for _, p := range []string{"rubygems_", "cio_tp_", "pypi-", "npm_", "ghreq_"} {
		if strings.HasPrefix(s, p) {
			return p
		}
	}
	if strings.HasPrefix(s, "ey") {
		return "JWT"
	}
	return "?"
}
