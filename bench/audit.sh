#!/usr/bin/env bash
# Audit throughput: `releaser audit` over a generated corpus of release logs
# (BENCH_RELEASES, default 10000, or 1000 when BENCH_SIZE_MIB is below 2048;
# each release a replay of a real publishing run). Prints the section on
# stdout (see bench/lib.sh for the environment). The corpus is kept between
# runs, in /dev/shm when there is one (BENCH_CORPUS_DIR): generating it
# fsyncs every line, as the audit log does, which on a disk would dominate.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
if ((BENCH_SIZE_MIB >= 2048)); then
	export BENCH_RELEASES=${BENCH_RELEASES:-10000}
else
	export BENCH_RELEASES=${BENCH_RELEASES:-1000}
fi
if [[ -z ${BENCH_CORPUS_DIR:-} ]]; then
	if [[ -d /dev/shm ]]; then BENCH_CORPUS_DIR=/dev/shm/releaser-bench; else BENCH_CORPUS_DIR=$BENCH_DIR; fi
fi
export BENCH_CORPUS_DIR
mkdir -p "$BENCH_CORPUS_DIR"
need_releaser
go_harness audit ./bench/audit TestAuditBench
