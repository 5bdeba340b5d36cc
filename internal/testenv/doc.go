// Package testenv holds test-only emulators of the services releaser talks to: GitHub's
// OIDC issuer and ID-token endpoint, the Trusted Publishing token exchanges of PyPI
// (and TestPyPI), npm, crates.io and RubyGems, the registries' upload and lookup APIs,
// plus a fault-injection layer every emulator shares.
//
// # Uploads
//
// PyPI serves the legacy upload API (POST /legacy/, multipart parsed as a stream, the
// file spooled to disk and hashed while read, warehouse's checks in warehouse's order,
// errors in the HTTP reason phrase) and the JSON API (GET /pypi/<project>/<version>/json);
// its fidelity is proven by uploading with the real twine. crates.io serves PUT
// /api/v1/crates/new and GET /api/v1/crates/<name>/<version>; RubyGems POST /api/v1/gems
// and GET /api/v1/versions/<gem>.json. Each accepts only upload credentials it minted
// itself, unexpired and covering the package, with the registry's own refusals. npm is
// a real verdaccio (StartVerdaccio) behind the npm exchange emulator (NewNpmRegistry),
// which mints by creating a verdaccio user. Files, Crates, Gems and Packument show what
// landed; Uploads counts requests that stored something.
//
// The emulators speak the real wire protocols as recorded in
// shared/reference/trusted-publishing.md (status codes, JSON bodies, error texts, token
// lifetimes, claim rules). Where the reference marks a behaviour UNCONFIRMED, the emulator
// picks the documented or likely behaviour and the code says so in a comment.
//
// Each emulator is an httptest server on 127.0.0.1 speaking plain http, closed by
// t.Cleanup. Registries verify the submitted JWT for real: RS256 signature against the
// issuer's current key set, expiry with the registry's own leeway, a strict audience, the
// exact issuer, then the registry's own claim binding. This package never imports the
// verifier under test (internal/identity) or the clients (internal/registry): JWT signing
// and checking are done by hand with crypto/rsa so the emulators stay an independent
// second opinion.
//
// # Using the emulators
//
// Start an issuer, then the registries that trust it; they share its Clock. Register
// publishers (DefaultPublisher matches DefaultClaims), change the run's identity with
// Set, Delete, SetRef and UseReusableWorkflow, and damage tokens with MintTampered or
// ServeTampered. Unit tests call the emulators in-process; end-to-end tests hand
// ActionsEnv and the registries' URLs to the real binary, since everything goes over real
// HTTP. Audiences: PyPI "pypi", TestPyPI "testpypi", npm "npm:127.0.0.1", crates.io and
// RubyGems the registry's "127.0.0.1:<port>".
//
// Faults (Status, TooManyRequests, Reset, Slow, LostResponse) sit in front of every
// handler, so a test can fail any request of any emulator by path.
//
// # Secrets
//
// Every secret an emulator hands out is a recognisable canary (it contains "CANARY",
// except RubyGems keys, which must be hex and start with "deadbeef", and the tokens
// verdaccio issues behind NewNpmRegistry, whose shape is verdaccio's) and is recorded, so
// tests can search logs, errors and files for leaks: OIDCIssuer.Secrets, each registry's
// Issued, and AssertNoSecrets.
//
// # Keys
//
// Generating RSA keys is slow, so issuers draw their keys from a process-wide pool: the
// first key of every issuer in one test binary is the same key (with the same kid). Tell
// issuers apart by their "iss"; pass FreshKeys() to NewOIDCIssuer when a test needs keys
// no other issuer has.
package testenv
