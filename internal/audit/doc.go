// Package audit is releaser's append-only, hash-chained event log.
//
// Every stage of a release appends events to a JSON Lines file (and, mirrored with
// MirrorPrefix, to stdout so the log survives in the GitHub Actions run log). A security
// team later verifies the chain before believing any line.
//
// # Line format
//
// Each line is one JSON object whose keys appear in exactly this order:
//
//	{"seq":N,"time":"<RFC3339Nano UTC>","run":{...},"release":"name@version","stage":"build",
//	 "type":"artifact.hashed","data":{...},"prev":"<hex or empty>","hash":"<64 hex>"}
//
// "data" is omitted when the event has none. "seq" starts at 1 and grows by one per line,
// also across runs that append to the same file. "prev" is the "hash" of the previous
// line ("" on the first line).
//
// "hash" is the lowercase hex SHA-256 of the line's own bytes with the trailing
// `,"hash":"…"}` cut off and a `}` appended, i.e. of the exact bytes `{"seq":…,"prev":"…"}`.
// Verification works on the bytes as stored, never on a re-serialization, so a verifier
// does not depend on how any JSON encoder formats numbers, escapes or whitespace.
//
// # Secrets
//
// Tokens must never land in the log. Secrets registered with Log.AddSecret are searched
// for in every event before it is written (in data keys and values, in the stage, type,
// release and run identity). Each occurrence is replaced by "[REDACTED]" and the event's
// data gets "redacted": true, so the event is still recorded but the secret is not. If a
// secret cannot be removed that way (it matches a number or the line's own syntax), the
// data is withheld entirely; if even that does not remove it, Append writes nothing and
// returns an error. The mirror receives exactly the bytes written to the file.
//
// # What the chain proves, and what it does not
//
// Editing, removing, inserting, duplicating or reordering lines is detected, with the
// 1-based number of the first bad line. Cutting lines off the end is not detectable from
// the file alone; compare Summary.LastSeq/LastHash with an independent copy (the mirrored
// run log) for that. Lines taken from a run log must be byte-identical: if the runner
// masked a value inside a mirrored line, that line fails as "edited".
//
// Only one process may append to a log at a time; there is no cross-process lock, the
// release workflow runs stages sequentially in one job.
//
// # Auditing
//
// Read and Chain verify a log line by line; Collector groups the events into runs and
// releases; Evaluate judges a release by the named rules; Report writes the verdicts.
// AuditFiles does all of it for log files in bounded memory and on every core: files
// are verified in parallel, each release judged as soon as its file moves on and then
// dropped, and ReportWriter holds the judgments, mostly on disk, until the report can
// be written (it opens with the overall verdict). Lines and event data as the writer
// lays them out are read without reflection; anything else falls back to
// encoding/json, which stays the definition (the fuzz tests hold both paths to it).
package audit
