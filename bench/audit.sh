#!/usr/bin/env bash
# Audit throughput: `releaser audit` over a generated corpus of release logs
# (BENCH_RELEASES, default 10000, each a replay of a real publishing run).
# Prints a markdown table on stdout; progress and errors go to stderr.
# The corpus is kept in BENCH_DIR between runs (generating it fsyncs every line).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export BENCH_DIR=${BENCH_DIR:-/tmp/releaser-bench}
export BENCH_RELEASES=${BENCH_RELEASES:-10000}
# The corpus goes to memory when it can: writing it fsyncs every line, as the
# audit log does, which on a disk would dominate the run.
if [[ -z ${BENCH_CORPUS_DIR:-} ]]; then
	if [[ -d /dev/shm ]]; then BENCH_CORPUS_DIR=/dev/shm/releaser-bench; else BENCH_CORPUS_DIR=$BENCH_DIR; fi
fi
export BENCH_CORPUS_DIR
mkdir -p "$BENCH_DIR" "$BENCH_CORPUS_DIR"
if [[ -z ${RELEASER:-} ]]; then
	RELEASER=$BENCH_DIR/releaser
	(cd "$ROOT" && go build -trimpath -o "$RELEASER" ./cmd/releaser)
fi
export RELEASER BENCH_OUT=$BENCH_DIR/audit.md
(cd "$ROOT" && go test -tags releaserbench -count=1 -timeout 60m -run TestAuditBench ./bench/audit) >&2
cat "$BENCH_OUT"
