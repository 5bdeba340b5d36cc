#!/usr/bin/env bash
# Startup: `releaser version`, with hyperfine (installed with apt-get when
# missing and possible), else a loop of 50 runs under GNU time. Prints the
# section on stdout (see bench/lib.sh for the environment).
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_releaser
runs=50

# BENCH_HYPERFINE=0 takes the fallback (to check it still works).
use_hyperfine() { [[ ${BENCH_HYPERFINE:-1} != 0 ]] && command -v hyperfine >/dev/null; }
if [[ ${BENCH_HYPERFINE:-1} != 0 ]] && ! use_hyperfine && [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
	log "installing hyperfine"
	apt-get install -y -qq hyperfine >"$RAW/startup-apt.log" 2>&1 || log "apt-get install hyperfine failed ($RAW/startup-apt.log); timing a loop instead"
fi

/usr/bin/time -v -o "$RAW/startup.time" "$RELEASER" version >"$RAW/startup.out"
rss=$(max_rss_kib "$RAW/startup.time")
if use_hyperfine; then
	log "hyperfine: $runs runs of releaser version"
	hyperfine -N --warmup 5 --runs "$runs" --export-csv "$RAW/startup.csv" "$RELEASER version" >"$RAW/startup-hyperfine.txt" 2>&1
	# command,mean,stddev,median,user,system,min,max (seconds)
	IFS=, read -r _ mean sd median _ _ min max < <(sed -n 2p "$RAW/startup.csv")
	[[ $mean =~ ^[0-9.e-]+$ ]] || die "unexpected hyperfine CSV: $RAW/startup.csv"
	how="hyperfine $(hyperfine --version | awk '{print $2}'), $runs runs after 5 warm-up runs"
	figures=$(awk -v m="$mean" -v s="$sd" -v md="$median" -v lo="$min" -v hi="$max" \
		'BEGIN { printf "%.1f ± %.1f | %.1f | %.1f | %.1f", m * 1000, s * 1000, md * 1000, lo * 1000, hi * 1000 }')
else
	log "no hyperfine: a loop of $runs runs under GNU time"
	# shellcheck disable=SC2016 # expanded by the inner sh
	/usr/bin/time -f %e -o "$RAW/startup-loop.time" sh -c 'i=0; while [ $i -lt "$2" ]; do "$1" version >/dev/null; i=$((i + 1)); done' sh "$RELEASER" "$runs"
	total=$(tail -n 1 "$RAW/startup-loop.time")
	how="a loop of $runs runs under GNU time (no hyperfine): the mean only"
	figures=$(awk -v t="$total" -v n="$runs" 'BEGIN { printf "%.1f | — | — | —", t * 1000 / n }')
fi
rss_target "releaser version" "$rss"

# shellcheck disable=SC2016 # backquotes are markdown
printf '### Startup\n\n`releaser version`: %s; peak RSS from one run under GNU time.\n\n' "$how"
printf '| mean ± σ ms | median ms | min ms | max ms | peak RSS KiB |\n|---:|---:|---:|---:|---:|\n'
printf '| %s | %s |\n' "$figures" "$rss"
