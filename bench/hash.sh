#!/usr/bin/env bash
# Digest throughput: `releaser digest` (sha256 + sha512 + blake2b-256 in one
# pass) against `sha256sum` on the same file of random data. Prints a
# markdown table on stdout (bench/RESULTS.md is assembled from it); progress
# and errors go to stderr.
#
# Each tool runs twice under GNU time; the better wall time counts (the first
# run may still pay for cold caches), and peak RSS is the larger of the two.
# The file is read once beforehand so both tools hash from the page cache:
# this measures hashing, not the disk.
#
# Environment:
#   BENCH_DIR       work directory (default /tmp/releaser-bench); the data
#                   file is kept there between runs
#   BENCH_SIZE_MIB  size of the data file (default 2048)
#   RELEASER        use this binary instead of building ./cmd/releaser
set -euo pipefail

BENCH_DIR=${BENCH_DIR:-/tmp/releaser-bench}
SIZE_MIB=${BENCH_SIZE_MIB:-2048}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DATA=$BENCH_DIR/random-${SIZE_MIB}MiB.bin

log() { printf 'hash.sh: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

[[ $SIZE_MIB =~ ^[1-9][0-9]*$ ]] || die "BENCH_SIZE_MIB=$SIZE_MIB is not a positive integer"
[[ -x /usr/bin/time ]] || die "/usr/bin/time (GNU time) is needed for peak RSS: apt-get install time"
command -v sha256sum >/dev/null || die "sha256sum not found (GNU coreutils)"

mkdir -p "$BENCH_DIR"
bytes=$((SIZE_MIB * 1024 * 1024))
if [[ ! -f $DATA || $(stat -c %s "$DATA") -ne $bytes ]]; then
	log "creating $DATA ($SIZE_MIB MiB of random data)"
	# Through a temp name, so an interrupted run never leaves a short file
	# that a later run would take for the real one.
	head -c "$bytes" /dev/urandom >"$DATA.tmp"
	mv "$DATA.tmp" "$DATA"
fi

if [[ -n ${RELEASER:-} ]]; then
	releaser=$RELEASER
else
	releaser=$BENCH_DIR/releaser
	log "building $releaser"
	(cd "$ROOT" && go build -trimpath -o "$releaser" ./cmd/releaser)
fi

log "warming the page cache"
cat "$DATA" >/dev/null

# wall_seconds FILE: GNU time's "Elapsed (wall clock) time (h:mm:ss or
# m:ss): 1:02.34" as seconds. The greedy match stops at the last ": ".
wall_seconds() {
	sed -n 's/^.*Elapsed (wall clock) time.*: //p' "$1" |
		awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.2f\n", s }'
}

# max_rss_kib FILE: GNU time's "Maximum resident set size (kbytes): N".
max_rss_kib() {
	sed -n 's/^.*Maximum resident set size (kbytes): //p' "$1"
}

# measure NAME CMD...: runs CMD twice under GNU time with stdout in
# $BENCH_DIR/NAME.out; sets WALL (best) and RSS (peak).
measure() {
	local name=$1 run wall rss
	shift
	WALL="" RSS=0
	for run in 1 2; do
		log "$name, run $run: $*"
		/usr/bin/time -v -o "$BENCH_DIR/$name.time" "$@" >"$BENCH_DIR/$name.out"
		wall=$(wall_seconds "$BENCH_DIR/$name.time")
		rss=$(max_rss_kib "$BENCH_DIR/$name.time")
		[[ $wall =~ ^[0-9]+\.[0-9]+$ && $rss =~ ^[0-9]+$ ]] ||
			die "cannot read wall time / peak RSS from $BENCH_DIR/$name.time"
		if [[ -z $WALL ]] || awk -v a="$wall" -v b="$WALL" 'BEGIN { exit !(a < b) }'; then
			WALL=$wall
		fi
		# An if, not `((...)) && ...`: a false test as the loop's last
		# command would make measure fail under set -e.
		if ((rss > RSS)); then
			RSS=$rss
		fi
	done
}

measure sha256sum sha256sum "$DATA"
sha_wall=$WALL sha_rss=$RSS
read -r want _ <"$BENCH_DIR/sha256sum.out"
[[ $want =~ ^[0-9a-f]{64}$ ]] || die "unexpected sha256sum output: $(head -c 200 "$BENCH_DIR/sha256sum.out")"

measure releaser "$releaser" digest "$DATA"
rel_wall=$WALL rel_rss=$RSS
# Whatever the layout of `releaser digest`, it must print sha256sum's digest
# as a whole word; a wrong sha256 (or none) fails the benchmark rather than
# producing a fast but meaningless number.
if ! grep -qw -- "$want" "$BENCH_DIR/releaser.out"; then
	log "sha256sum:       $want"
	log "releaser digest: $(head -c 1000 "$BENCH_DIR/releaser.out")"
	die "releaser digest did not print the sha256 that sha256sum computed"
fi

# row TOOL WALL RSS: one table line; throughput ratio is against sha256sum.
row() {
	awk -v tool="$1" -v wall="$2" -v rss="$3" -v mib="$SIZE_MIB" -v base="$sha_wall" 'BEGIN {
		if (wall < 0.01) wall = 0.01   # GNU time has 10 ms resolution
		if (base < 0.01) base = 0.01
		printf "| %s | %.2f | %.0f | %d | %.2fx |\n", tool, wall, mib / wall, rss, base / wall
	}'
}

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | sort -u | paste -sd/)
printf '### Digest throughput\n\n'
printf '%s MiB of random data, warm page cache, best of 2 runs; %s CPUs (%s); %s.\n' \
	"$SIZE_MIB" "$(nproc)" "${cpu:-unknown CPU}" "$(sha256sum --version | sed -n 1p)"
printf '`releaser digest` computes sha256, sha512 and blake2b-256 in one pass; both printed sha256 %s.\n\n' "$want"
printf '| tool | wall s | MiB/s | peak RSS KiB | throughput vs sha256sum |\n'
printf '|---|---:|---:|---:|---:|\n'
row 'sha256sum' "$sha_wall" "$sha_rss"
row 'releaser digest' "$rel_wall" "$rel_rss"
