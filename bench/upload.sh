#!/usr/bin/env bash
# Upload: releaser's publishing job against twine, each uploading the same
# large wheel to the PyPI emulator; wall time and the client's peak RSS.
# Prints a markdown table on stdout; progress and errors go to stderr.
#
# Environment: BENCH_DIR (default /tmp/releaser-bench), BENCH_SIZE_MIB
# (default 2048), RELEASER (a binary to use instead of building one).
# Needs twine and GNU time (scripts/test-deps installs twine).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export BENCH_DIR=${BENCH_DIR:-/tmp/releaser-bench}
export BENCH_SIZE_MIB=${BENCH_SIZE_MIB:-2048}
mkdir -p "$BENCH_DIR"
if [[ -z ${RELEASER:-} ]]; then
	RELEASER=$BENCH_DIR/releaser
	(cd "$ROOT" && go build -trimpath -o "$RELEASER" ./cmd/releaser)
fi
export RELEASER BENCH_OUT=$BENCH_DIR/upload.md RELEASER_REQUIRE_TOOLS=1
(cd "$ROOT" && go test -tags releaserbench -count=1 -timeout 60m -run TestUploadBench ./bench/upload) >&2
cat "$BENCH_OUT"
