// Package attest makes and checks build provenance the way GitHub's own
// actions/attest-build-provenance does: an in-toto Statement v1 with a SLSA
// provenance v1 predicate, in a DSSE envelope, in a Sigstore bundle v0.3
// (../shared/reference/attestations.md is the authority for every field).
//
// Signing and verification go through sigstore-go, the library gh and cosign
// build on, so a bundle releaser accepts is one they would accept too; on
// top of its checks Verify pins the identity exactly (issuer, the signer
// workflow URL anchored at both ends, the source repository) and
// cross-checks the predicate against the certificate, because the predicate
// is written by the job and only the certificate is issued by Fulcio.
//
// Bundles signed with Local (dry runs) carry an ephemeral public key and no
// certificate: they prove the bytes were not altered since the dry run and
// nothing about who made them, and Verify refuses them unless asked.
package attest
