#!/usr/bin/env bash
# Replays, against the `eccp-china` command, each defect issue 11 found in files from
# strangers, and checks that it is fixed. Every check prints the command it runs; the
# script exits non-zero if any check fails.
#
#   scripts/hostile-inputs.sh
#
# Needs: cargo, python3 (to write the large inputs), GNU time (/usr/bin/time) for peak
# memory. Large inputs go to a temporary directory that is removed at the end.
set -uo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet --release --bin eccp-china
BIN=target/release/eccp-china
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
FAILED=0

say() { printf '\n== %s\n' "$1"; }
ok() { printf '   ok: %s\n' "$1"; }
bad() { printf '   FAILED: %s\n' "$1"; FAILED=1; }
# Runs a command with GNU time; sets CODE, SECS, KB and keeps stdout/stderr in $TMP.
timed() {
  printf '   $'
  printf ' %q' "$@"
  printf '\n'
  /usr/bin/time -f '%e %M' -o "$TMP/time" "$@" >"$TMP/out" 2>"$TMP/err"
  CODE=$?
  read -r SECS KB < <(tail -n 1 "$TMP/time")
}

say "Caps that a pipe bypasses: endless input exits 2 in under a second, under 64 MB"
for flag in --profile --profiles --partners; do
  timed "$BIN" "$flag" /dev/zero
  if [ "$CODE" = 2 ] && awk "BEGIN{exit !($SECS < 1 && $KB < 65536)}"; then
    ok "$flag /dev/zero: exit $CODE, ${SECS} s, $((KB / 1024)) MB peak"
  else
    bad "$flag /dev/zero: exit $CODE, ${SECS} s, ${KB} KB peak ($(head -c 200 "$TMP/err"))"
  fi
done

say "Silent row loss: an unterminated quote costs its own row only; a row that does not resolve is skipped"
printf 'name,country,sectors\nOne,DE,wind energy\n"Two unterminated,DE,solar\nThree,FR,pharmaceuticals\nFour,IT,zzzzqqq\nFive,ES,automotive\n' >"$TMP/rows.csv"
timed "$BIN" --profiles "$TMP/rows.csv" --skip-bad-rows --top 1
if [ "$CODE" = 0 ] && grep -q 'skipped line 3' "$TMP/err" && grep -q 'skipped line 5' "$TMP/err" \
  && grep -q '5 rows read, 3 written, 2 skipped' "$TMP/err" && [ "$(wc -l <"$TMP/out")" = 4 ]; then
  ok "$(tail -1 "$TMP/err")"
else
  bad "$(cat "$TMP/err")"
fi
printf 'name,country,sectors,sectors\nx,DE,wind,solar\n' >"$TMP/dup.csv"
timed "$BIN" --profiles "$TMP/dup.csv"
if [ "$CODE" = 2 ] && grep -q 'named twice' "$TMP/err"; then ok "$(cat "$TMP/err")"; else bad "$(cat "$TMP/err")"; fi

say "CSV formula injection: cells a spreadsheet would evaluate start with '"
printf 'name,country,sectors\n"=HYPERLINK(""http://evil"",""x"")",DE,wind energy\n@SUM(1),FR,solar\n' >"$TMP/evil.csv"
timed "$BIN" --profiles "$TMP/evil.csv" --top 1
if [ "$CODE" = 0 ] && ! cut -c1 "$TMP/out" | grep -q '[=+@-]' && grep -q "^\"'=HYPERLINK" "$TMP/out" && grep -q "^'@SUM" "$TMP/out"; then
  ok "$(cut -c1-40 "$TMP/out" | tail -2 | tr '\n' ' ')"
else
  bad "$(cat "$TMP/out")"
fi

say "Batch mode streams: memory does not grow with the rows"
python3 scripts/gen-profiles.py 20000 >"$TMP/p20k.csv"
timed "$BIN" --profiles "$TMP/p20k.csv" --top 3
if [ "$CODE" = 0 ] && [ "$KB" -lt 102400 ]; then
  ok "20,000 rows: ${SECS} s, $((KB / 1024)) MB peak; $(tail -1 "$TMP/err")"
else
  bad "exit $CODE, $KB KB"
fi

say "Quadratic paths: 100,000 partners of a user's file, all in the profile's field"
python3 scripts/gen-partners.py 100000 >"$TMP/partners.json"
timed "$BIN" --partners "$TMP/partners.json" --format json --sensitivity
if [ "$CODE" = 0 ] && awk "BEGIN{exit !($SECS < 20)}"; then
  ok "load, recommend, Pareto view and sensitivity in one process: ${SECS} s, $((KB / 1024)) MB peak"
else
  bad "exit $CODE, ${SECS} s: $(head -c 300 "$TMP/err")"
fi
timed "$BIN" --partners "$TMP/partners.json" --top 5000 --sensitivity --format json
if [ "$CODE" = 0 ] && awk "BEGIN{exit !($SECS < 20)}"; then
  ok "sensitivity of a top 5,000 over 64 weightings (no k-squared step): ${SECS} s"
else
  bad "exit $CODE, ${SECS} s: $(head -c 300 "$TMP/err")"
fi
python3 - "$TMP/chain.json" <<'PY'
import json, sys
n = 100_000
with open(sys.argv[1], "w") as f:
    f.write('{"partners": [\n')
    for i in range(n):
        rec = {"id": f"chain-{i}", "kind": "industrial_cluster", "name": f"Chain member {i}",
               "province": "guangdong", "place": "foshan", "sectors": ["furniture"],
               "formal_organisation": False, "part_of": f"chain-{i + 1}" if i + 1 < n else "chain-0",
               "sources": [{"ref": "External: synthetic chain"}]}
        f.write(("," if i else "") + json.dumps(rec) + "\n")
    f.write("]}\n")
PY
timed "$BIN" --partners "$TMP/chain.json"
if [ "$CODE" = 2 ] && grep -q 'part_of links form a cycle' "$TMP/err" && awk "BEGIN{exit !($SECS < 10)}"; then
  ok "a part_of cycle through 100,000 records found in ${SECS} s"
else
  bad "exit $CODE, ${SECS} s: $(head -c 300 "$TMP/err")"
fi

say "Non-determinism: a region typo reads the same in every process"
printf '{"name": "Typo", "country": "DE", "sectors": ["automotive"], "preferred_regions": ["Anhuixprovince"]}' >"$TMP/typo.json"
printf '   $ %s (x10)\n' "$BIN --profile $TMP/typo.json"
DISTINCT=$(for _ in $(seq 10); do "$BIN" --profile "$TMP/typo.json" | grep 'was read as'; done | sort -u)
if [ "$(printf '%s\n' "$DISTINCT" | wc -l)" = 1 ]; then ok "$DISTINCT"; else bad "$DISTINCT"; fi

say "Smaller: --max-per-city 0 admits no partner with a city"
timed "$BIN" --max-per-city 0 --format csv
if [ "$CODE" = 0 ] && python3 -c "
import csv, sys
rows = list(csv.DictReader(open('$TMP/out')))
sys.exit(0 if rows and all(r['city'] == '' for r in rows) else 1)"; then
  ok "$(($(wc -l <"$TMP/out") - 1)) matches, none with a city"
else
  bad "$(head -5 "$TMP/out")"
fi

say "Smaller: --sensitivity measures the filtered list"
timed "$BIN" --kind industrial_cluster --top 3 --sensitivity --format json
if [ "$CODE" = 0 ] && python3 -c "
import json, sys
v = json.load(open('$TMP/out'))
sys.exit(0 if [m['id'] for m in v['matches']] == v['sensitivity']['baseline'] else 1)"; then
  ok "the baseline is the list shown"
else
  bad "$(head -c 300 "$TMP/out")"
fi

say "Smaller: control characters and escape sequences are refused, and never echoed raw"
printf '{"name": "Evil\\u001b[2J\\r", "country": "DE", "sectors": ["wind"]}' >"$TMP/ctl.json"
timed "$BIN" --profile "$TMP/ctl.json" --format html
if [ "$CODE" = 2 ] && ! grep -q $'\x1b' "$TMP/err" && grep -q 'U+001B' "$TMP/err"; then ok "$(cat "$TMP/err")"; else bad "$(cat -v "$TMP/err")"; fi
timed "$BIN" --province $'Guang\x1b[31mdong'
if [ "$CODE" = 2 ] && ! grep -q $'\x1b' "$TMP/err"; then ok "$(cat "$TMP/err")"; else bad "$(cat -v "$TMP/err")"; fi

say "Smaller: a JSON byte-order mark is not an error"
printf '\xef\xbb\xbf{"name": "BOM", "country": "DE", "sectors": ["wind"]}' >"$TMP/bom.json"
timed "$BIN" --profile "$TMP/bom.json" --top 1
if [ "$CODE" = 0 ]; then ok "read"; else bad "$(cat "$TMP/err")"; fi

say "Smaller: the CSV round trip keeps ';' inside a field; the fast path keeps exact ties"
printf '   $ %s\n' "cargo test --release --test report profiles_round_trip"
if cargo test --quiet --release --test report profiles_round_trip >"$TMP/out" 2>&1; then ok "passed"; else bad "$(tail -20 "$TMP/out")"; fi
printf '   $ %s\n' "cargo test --release --test properties exact_ties"
if cargo test --quiet --release --test properties exact_ties >"$TMP/out" 2>&1; then ok "passed"; else bad "$(tail -20 "$TMP/out")"; fi

echo
if [ "$FAILED" = 0 ]; then echo "all checks passed"; else echo "some checks FAILED"; fi
exit "$FAILED"
