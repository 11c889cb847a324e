#!/usr/bin/env bash
# Batch mode's time and peak memory against the number of rows: one process per size, on
# profiles CSVs written by scripts/gen-profiles.py. Streaming means the peak stays flat and
# the time grows linearly.
#
#   scripts/batch-scaling.sh              # 10,000 and 100,000 rows, top 10
#   scripts/batch-scaling.sh 1000 10000   # other sizes
#
# Needs: cargo, python3, GNU time (/usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet --release --bin eccp-china
BIN=target/release/eccp-china
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(10000 100000)
echo "| rows | CSV in | matches out | wall time | per 1,000 rows | peak RSS |"
echo "|---:|---:|---:|---:|---:|---:|"
for n in "${SIZES[@]}"; do
  python3 scripts/gen-profiles.py "$n" >"$TMP/p.csv"
  /usr/bin/time -f '%e %M' -o "$TMP/time" "$BIN" --profiles "$TMP/p.csv" >"$TMP/out" 2>"$TMP/err"
  read -r secs kb < <(tail -n 1 "$TMP/time")
  grep -q "$n rows read, $n written, 0 skipped" "$TMP/err"
  awk -v n="$n" -v s="$secs" -v kb="$kb" -v in_b="$(stat -c %s "$TMP/p.csv")" -v out_b="$(stat -c %s "$TMP/out")" \
    'BEGIN { printf "| %d | %.1f MB | %.0f MB | %.1f s | %.3f s | %.1f MB |\n", n, in_b / 1e6, out_b / 1e6, s, s / n * 1000, kb / 1024 }'
done
