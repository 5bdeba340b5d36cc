#!/usr/bin/env bash
# The whole pipeline on the release: `releaser run --dry-run`, then a full
# run of every stage against internal/testenv's emulators; the overhead is
# the wall time less the build command and the uploads, both timed by the
# run's own audit log. Prints the section on stdout (see bench/lib.sh for
# the environment). Needs verdaccio (scripts/test-deps installs it).
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_releaser
need_release
go_harness pipeline ./bench/pipeline TestPipelineBench
