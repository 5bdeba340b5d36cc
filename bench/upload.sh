#!/usr/bin/env bash
# Upload: releaser's publishing job against twine and against a plain Go
# client (the floor), each to its own PyPI emulator: the release's PyPI share
# (30 wheels and the sdist), then, unless BENCH_UPLOAD_SINGLE=0, one wheel of
# BENCH_SIZE_MIB. Wall time and the client's peak RSS. Prints the section on
# stdout (see bench/lib.sh for the environment). Needs twine
# (scripts/test-deps installs it).
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_releaser
need_release
go_harness upload-release ./bench/upload TestUploadReleaseBench
if [[ ${BENCH_UPLOAD_SINGLE:-1} != 0 ]]; then
	echo
	go_harness upload-single ./bench/upload TestUploadBench
fi
