package testenv

import (
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"strings"
)

// The publisher policy pypi-attestations applies to the signing certificate of an
// attestation uploaded by a GitHub trusted publisher (_GitHubTrustedPublisherPolicy,
// reference §6.1), with sigstore-python's texts. The issuer is the one the emulator
// trusts, standing in for https://token.actions.githubusercontent.com as everywhere in
// testenv; the Fulcio emulator writes it into the certificate the same way.

// fulcioExtension finds the certificate's extension 1.3.6.1.4.1.57264.1.<n>.
func fulcioExtension(cert *x509.Certificate, n int) (value []byte, critical, ok bool) {
	oid := fulcioOID(n)
	for _, e := range cert.Extensions {
		if e.Id.Equal(oid) {
			return e.Value, e.Critical, true
		}
	}
	return nil, false, false
}

// fulcioString decodes a DER UTF8String extension (.8 and up); "" when it is not one.
func fulcioString(value []byte) string {
	var s string
	if rest, err := asn1.UnmarshalWithParams(value, &s, "utf8"); err != nil || len(rest) > 0 {
		return ""
	}
	return s
}

// checkExtensionV2 is sigstore-python's _SingleX509ExtPolicyV2.verify.
func checkExtensionV2(cert *x509.Certificate, n int, name, want string) string {
	value, _, ok := fulcioExtension(cert, n)
	if !ok {
		return fmt.Sprintf("Certificate does not contain %s (%s) extension", name, fulcioOID(n))
	}
	if got := fulcioString(value); got != want {
		return fmt.Sprintf("Certificate's %s does not match (got %s, expected %s)", name, got, want)
	}
	return ""
}

// publisherPolicy checks issuer, source repository and build config URI. unknown marks
// the failure warehouse reports as an "Unknown error" (a missing extension raises
// cryptography's ExtensionNotFound, not a VerificationError).
func publisherPolicy(cert *x509.Certificate, issuer string, pub Publisher) (msg string, unknown bool) {
	repo := pub.repository()
	if msg := checkExtensionV2(cert, 8, "OIDCIssuerV2", issuer); msg != "" {
		return msg, false
	}
	if msg := checkExtensionV2(cert, 12, "OIDCSourceRepositoryURI", githubURL+repo); msg != "" {
		return msg, false
	}
	var values [3]string
	var raw []byte
	var critical bool
	for i, n := range []int{18, 13, 14} {
		v, c, ok := fulcioExtension(cert, n)
		if !ok {
			return "No " + pyObjectIdentifier(n) + " extension was found", true
		}
		values[i] = fulcioString(v)
		if n == 18 {
			raw, critical = v, c
		}
	}
	buildConfig, sha, ref := values[0], values[1], values[2]
	for _, at := range []string{sha, ref} {
		if buildConfig == githubURL+repo+"/.github/workflows/"+pub.Workflow+"@"+at {
			return "", false
		}
	}
	return fmt.Sprintf("Certificate's Build Config URI (%s) does not match expected Trusted Publisher (%s @ %s)",
		pyExtensionRepr(18, critical, raw), pub.Workflow, repo), false
}

// pyObjectIdentifier is repr() of cryptography's ObjectIdentifier for a Fulcio OID,
// which cryptography does not name.
func pyObjectIdentifier(n int) string {
	return fmt.Sprintf("<ObjectIdentifier(oid=%s, name=Unknown OID)>", fulcioOID(n))
}

// pyExtensionRepr is repr() of cryptography's Extension holding an unrecognised value,
// as it appears in PyPI's refusal.
func pyExtensionRepr(n int, critical bool, value []byte) string {
	crit := "False"
	if critical {
		crit = "True"
	}
	oid := pyObjectIdentifier(n)
	return fmt.Sprintf("<Extension(oid=%s, critical=%s, value=<UnrecognizedExtension(oid=%s, value=%s)>)>",
		oid, crit, oid, pyBytesRepr(value))
}

// pyBytesRepr is Python's repr() of a bytes object.
func pyBytesRepr(b []byte) string {
	quote := byte('\'')
	if strings.ContainsRune(string(b), '\'') && !strings.ContainsRune(string(b), '"') {
		quote = '"'
	}
	var s strings.Builder
	s.WriteString("b")
	s.WriteByte(quote)
	for _, c := range b {
		switch {
		case c == quote || c == '\\':
			s.WriteByte('\\')
			s.WriteByte(c)
		case c == '\t':
			s.WriteString(`\t`)
		case c == '\n':
			s.WriteString(`\n`)
		case c == '\r':
			s.WriteString(`\r`)
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(&s, `\x%02x`, c)
		default:
			s.WriteByte(c)
		}
	}
	s.WriteByte(quote)
	return s.String()
}
