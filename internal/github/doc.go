// Package github is releaser's thin layer over go-github (v60) for GitHub releases: find
// or create the draft release for a tag, attach assets to it exactly once, and publish it
// (PublishRelease) where the repository's immutable-releases setting (ImmutableReleases)
// makes it immutable; TagCommit says which commit a tag names. It also
// reads what the approval stage checks: an environment's protection rules and
// deployment policies (Environment), the rulesets that apply to the repository
// (Rulesets), and a workflow run with its review history and pending deployments (Run,
// RunApprovals, PendingDeployments). These reads are answered into this package's own
// wire types where go-github's would fail on answers GitHub does send (unknown rule or
// reviewer types) or cannot page (deployment branch policies, rulesets).
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
// go-github v60 predates the asset "digest" and release "immutable" fields and the
// immutable-releases endpoint, so requests go through its client (auth, pagination,
// error decoding, rate-limit bookkeeping) but answers are decoded into this package's own
// wire types. Reading the immutable-releases setting needs Administration: read, which a
// workflow's GITHUB_TOKEN cannot have; GitHub's refusals to change an immutable release
// are recognised by IsImmutableRefusal.
//
// A refusal names its fix: a 403 the permission GitHub's X-Accepted-GitHub-Permissions
// header asks for (or, without it, the one GitHub documents for the endpoint), a 404
// what is missing. Rate limits (primary, until X-RateLimit-Reset; secondary, after
// Retry-After or a minute) are waited out up to RetryPolicy.WaitMax; a longer wait ends
// the call with a retryable *APIError whose RetryAfter says how long.
//
// The token never appears in an error, a log line or a String() result: errors are built
// from GitHub's status, message and documentation_url, with the token redacted should a
// server ever echo it.
package github
