# shellcheck shell=bash
# Shared by the bench/*.sh scripts (sourced, not run). Every script can run
# alone (it builds releaser and generates the release if bench/run has not
# done it) and prints its section of RESULTS.md on stdout; progress goes to
# stderr, raw output to $BENCH_DIR/raw, Targets rows to $BENCH_TARGETS.
#
# Environment (defaults in brackets):
#   BENCH_DIR       work directory, kept between runs [/tmp/releaser-bench]
#   BENCH_SIZE_MIB  size of the generated release and of the single-file
#                   upload [2048]; e.g. 64 for a quick look
#   RELEASER        a releaser binary to measure [built from this checkout]
#   BENCH_TARGETS   where Targets rows go [$BENCH_DIR/targets.tsv]

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export BENCH_DIR=${BENCH_DIR:-/tmp/releaser-bench}
export BENCH_SIZE_MIB=${BENCH_SIZE_MIB:-2048}
export BENCH_TARGETS=${BENCH_TARGETS:-$BENCH_DIR/targets.tsv}
RAW=$BENCH_DIR/raw
mkdir -p "$BENCH_DIR" "$RAW"

log() { printf '%s: %s\n' "$(basename "$0")" "$*" >&2; }
die() {
	log "$*"
	exit 1
}

[[ $BENCH_SIZE_MIB =~ ^[1-9][0-9]*$ ]] || die "BENCH_SIZE_MIB=$BENCH_SIZE_MIB is not a positive integer"
[[ -x /usr/bin/time ]] || die "/usr/bin/time (GNU time) is needed for peak RSS: apt-get install time"

# need_releaser: sets and exports RELEASER, building ./cmd/releaser once.
need_releaser() {
	if [[ -z ${RELEASER:-} ]]; then
		RELEASER=$BENCH_DIR/releaser
		log "building $RELEASER"
		(cd "$ROOT" && go build -trimpath -o "$RELEASER" ./cmd/releaser)
	fi
	export RELEASER
}

# need_release: sets and exports BENCH_RELEASE_DIR, the generated release of
# BENCH_SIZE_MIB (made once, reused while its stamp matches).
need_release() {
	if [[ -z ${BENCH_RELEASE_DIR:-} ]]; then
		BENCH_RELEASE_DIR=$(cd "$ROOT" && go run -tags releaserbench ./bench/genrelease \
			-example testdata/example -dir "$BENCH_DIR/release-${BENCH_SIZE_MIB}MiB" -size-mib "$BENCH_SIZE_MIB")
	fi
	export BENCH_RELEASE_DIR
}

# go_harness NAME PKG TEST: runs one releaserbench harness, which writes its
# section to $BENCH_DIR/NAME.md; prints the section. The test log is kept in
# $RAW/NAME.log.
go_harness() {
	local name=$1 pkg=$2 test=$3
	export BENCH_OUT=$BENCH_DIR/$name.md
	rm -f "$BENCH_OUT"
	log "$name: go test -run $test $pkg (log: $RAW/$name.log)"
	if ! (cd "$ROOT" && RELEASER_REQUIRE_TOOLS=1 go test -tags releaserbench -count=1 -timeout 60m -run "^$test\$" "$pkg") >"$RAW/$name.log" 2>&1; then
		tail -n 60 "$RAW/$name.log" >&2
		die "$name failed (whole log: $RAW/$name.log)"
	fi
	cat "$BENCH_OUT"
}

# target GROUP TARGET FIGURE MET(0|1): one row of the Targets table.
target() {
	local verdict="not met"
	if [[ $4 == 1 ]]; then verdict=met; fi
	printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$verdict" >>"$BENCH_TARGETS"
}

# rss_target ROW KIB: the peak-RSS row of one releaser measurement.
rss_target() {
	local met=0
	if (($2 <= 64 * 1024)); then met=1; fi
	target 2-rss "peak RSS ≤ 64 MiB: $1" "$(awk -v k="$2" 'BEGIN { printf "%.1f MiB", k / 1024 }')" "$met"
}

# max_rss_kib FILE: GNU time's "Maximum resident set size (kbytes): N".
max_rss_kib() {
	sed -n 's/^.*Maximum resident set size (kbytes): //p' "$1"
}
