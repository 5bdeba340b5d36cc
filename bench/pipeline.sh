#!/usr/bin/env bash
# The whole pipeline on the release: `releaser run --dry-run`, then a full
# run of every stage against internal/testenv's emulators, and the time a
# plain client needs for the same uploads (the overhead's baseline). Prints
# the section on stdout (see bench/lib.sh for the environment). Needs
# verdaccio and twine's friends from scripts/test-deps.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_releaser
need_release
go_harness pipeline ./bench/pipeline TestPipelineBench
