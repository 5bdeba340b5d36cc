#!/usr/bin/env bash
# Digest pass over the release's 60 files, warm page cache: `releaser digest`
# (sha256 + sha512 + blake2b-256 in one pass per file, one file after
# another) against `sha256sum` in one process and against
# `xargs -P$(nproc) sha256sum` (one sha256sum per file, nproc at a time).
# Each tool runs twice; the better wall time counts, peak RSS is the larger.
# Prints the section on stdout (see bench/lib.sh for the environment).
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
command -v sha256sum >/dev/null || die "sha256sum not found (GNU coreutils)"
need_releaser
need_release

files=("$BENCH_RELEASE_DIR"/*)
list=$BENCH_DIR/hash-files.list
printf '%s\0' "${files[@]}" >"$list"
bytes=$(du -cb "${files[@]}" | tail -n 1 | cut -f1)
mib=$(awk -v b="$bytes" 'BEGIN { printf "%.0f", b / 1048576 }')
procs=$(nproc)

log "warming the page cache ($mib MiB)"
cat "${files[@]}" >/dev/null

# measure NAME CMD...: runs CMD twice under GNU time, stdout kept in
# $RAW/hash-NAME.out; sets WALL (best, seconds), CPU (user + system seconds
# of that run) and RSS (peak, KiB).
measure() {
	local name=$1 run t0 t1 wall rss cpu
	shift
	WALL="" CPU="" RSS=0
	for run in 1 2; do
		log "$name, run $run"
		t0=$(date +%s%N)
		/usr/bin/time -v -o "$RAW/hash-$name.time" "$@" >"$RAW/hash-$name.out"
		t1=$(date +%s%N)
		wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
		rss=$(max_rss_kib "$RAW/hash-$name.time")
		cpu=$(awk -F': ' '/(User|System) time \(seconds\)/ { s += $2 } END { printf "%.2f", s }' "$RAW/hash-$name.time")
		[[ $rss =~ ^[0-9]+$ ]] || die "no peak RSS in $RAW/hash-$name.time"
		if [[ -z $WALL ]] || awk -v a="$wall" -v b="$WALL" 'BEGIN { exit !(a < b) }'; then
			WALL=$wall CPU=$cpu
		fi
		# An if, not `((...)) && ...`: a false test as the loop's last
		# command would make measure fail under set -e.
		if ((rss > RSS)); then
			RSS=$rss
		fi
	done
}

measure sha256sum sha256sum "${files[@]}"
sha_wall=$WALL sha_cpu=$CPU sha_rss=$RSS
measure xargs xargs -0 -a "$list" -P "$procs" -n 1 sha256sum
par_wall=$WALL par_cpu=$CPU par_rss=$RSS
measure releaser "$RELEASER" digest "${files[@]}"
rel_wall=$WALL rel_cpu=$CPU rel_rss=$RSS

# releaser digest prints sha256sum's line ("<sha256>  <file>") first for each
# file: every line sha256sum printed must be there, or the figure is
# meaningless.
n=$(grep -cFxf "$RAW/hash-sha256sum.out" "$RAW/hash-releaser.out" || true)
((n == ${#files[@]})) || die "releaser digest agrees with sha256sum on $n of ${#files[@]} files ($RAW/hash-*.out)"
n=$(sort "$RAW/hash-xargs.out" | grep -cFxf "$RAW/hash-sha256sum.out" || true)
((n == ${#files[@]})) || die "xargs sha256sum printed $n of ${#files[@]} digests"

ratio=$(awk -v a="$sha_wall" -v b="$rel_wall" 'BEGIN { printf "%.2f", a / b }')
met=$(awk -v r="$ratio" 'BEGIN { print (r >= 0.9) ? 1 : 0 }')
target 1-hash "hashing ≥ 0.9× sha256sum's throughput" "${ratio}× ($(awk -v m="$mib" -v w="$rel_wall" 'BEGIN { printf "%.0f", m / w }') vs $(awk -v m="$mib" -v w="$sha_wall" 'BEGIN { printf "%.0f", m / w }') MiB/s)" "$met"
rss_target "releaser digest, 60 files" "$rel_rss"

row() {
	awk -v tool="$1" -v wall="$2" -v cpu="$3" -v rss="$4" -v mib="$mib" -v base="$sha_wall" 'BEGIN {
		printf "| %s | %.2f | %.0f | %.2f | %d | %.2f× |\n", tool, wall, mib / wall, cpu, rss, base / wall
	}'
}
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | sort -u | paste -sd/)
printf '### Digest pass over the release\n\n'
printf 'The %d files of the release (%s MiB), warm page cache, best of 2 runs; %s CPUs (%s); %s. ' \
	"${#files[@]}" "$mib" "$procs" "${cpu:-unknown CPU}" "$(sha256sum --version | sed -n 1p)"
# shellcheck disable=SC2016 # backquotes are markdown
printf '`releaser digest` computes sha256, sha512 and blake2b-256 of each file in one pass and printed the same sha256 as sha256sum for every file. CPU s is user + system time of the run counted.\n\n'
printf '| tool | wall s | MiB/s | CPU s | peak RSS KiB | throughput vs sha256sum |\n|---|---:|---:|---:|---:|---:|\n'
row 'sha256sum (one process)' "$sha_wall" "$sha_cpu" "$sha_rss"
row "xargs -P$procs sha256sum" "$par_wall" "$par_cpu" "$par_rss"
row 'releaser digest' "$rel_wall" "$rel_cpu" "$rel_rss"
