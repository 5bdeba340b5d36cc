#!/usr/bin/env bash
# The whole pipeline: `releaser run --dry-run`, then a full run of every
# stage against internal/testenv's emulators; the overhead is the wall time
# less the build command and the uploads, both timed by the run's own audit
# log. First the shipped example (testdata/example with release.toml.example:
# the target of issue #10), BENCH_EXAMPLE_RUNS times [7]; then the generated
# release, where hashing is split out. Prints the section on stdout (see
# bench/lib.sh for the environment). Needs verdaccio (scripts/test-deps
# installs it).
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_releaser
need_release
go_harness pipeline-example ./bench/pipeline TestExampleBench
echo
go_harness pipeline ./bench/pipeline TestPipelineBench
