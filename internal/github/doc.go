// Package github is releaser's thin layer over go-github (v60) for GitHub releases: find
// or create the draft release for a tag, and attach assets to it exactly once.
//
// Idempotency is by digest. An asset already on the release with the same name is
// compared by the "digest" GitHub reports ("sha256:<hex>", since June 2025) or, when
// there is none (older assets, GitHub Enterprise Server), by downloading and hashing it.
// Same bytes: skipped. Different bytes: an *AssetConflictError, never an overwrite.
//
// Requests are retried on 5xx, 429, rate limits and connection failures. Creating a
// release and uploading an asset are not idempotent, so before re-sending either the
// client looks again at what GitHub has: the first attempt may have landed with its
// answer lost. An upload that failed part-way can leave a "starter" asset that blocks the
// name; it is deleted before the next attempt.
//
// go-github v60 predates the asset "digest" and release "immutable" fields, so requests
// go through its client (auth, pagination, error decoding, rate-limit bookkeeping) but
// answers are decoded into this package's own wire types.
//
// The token never appears in an error, a log line or a String() result: errors are built
// from GitHub's status, message and documentation_url, with the token redacted should a
// server ever echo it.
package github
