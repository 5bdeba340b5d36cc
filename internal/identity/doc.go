// Package identity obtains, verifies and judges the CI job's OIDC ID token.
//
// A token is fetched fresh for every exchange attempt (Source), verified
// locally against the issuer's published keys before it leaves the machine
// (Verifier), and then held against the release's claims policy with each
// registry's own binding rules (Policy), so that a mismatch is explained here,
// in terms of what to change where, instead of as a registry's terse refusal.
package identity
