// Package pkgmeta reads, from the artifact files themselves, what a registry
// upload needs to say about them: a wheel's METADATA and an sdist's PKG-INFO
// (Python core metadata), an npm tarball's package.json, a .crate's
// Cargo.toml (as cargo's NewCrate publish metadata) and a .gem's
// specification. Nothing here trusts the archive: every read is bounded, so
// a zip or gzip bomb, a huge entry or an endless archive is an error rather
// than an exhausted machine.
package pkgmeta
