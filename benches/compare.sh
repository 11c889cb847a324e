#!/usr/bin/env bash
# Runs the crate's kernel and batch benches and ../shared/bench/peers.py (numpy, faiss) on
# the same N, D and thread count, in one run on this machine, and prints the ratios.
#
#   benches/compare.sh            # 1 thread, N = 10^6 (single query), M = 1000 x N = 10^5 (batch)
#
# Needs a Python venv with numpy, faiss-cpu, scikit-learn and threadpoolctl; set PEERS_PY to
# its python (default /tmp/peers-venv/bin/python, made by the set-up lines of PERFORMANCE.md). The
# single-query peers run on a dense f32 matrix as wide as the crate's feature layout (D = the
# feature matrix's columns); the batch peers on D = 64, as the targets are stated.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PEERS_PY:-/tmp/peers-venv/bin/python}
PEERS=${PEERS_SCRIPT:-../shared/bench/peers.py}
OUT=target/compare
mkdir -p "$OUT"

D=$(cargo run --quiet --release --example scale -- 0 --width 2>/dev/null | sed -n 's/.*width \([0-9]*\).*/\1/p')
D=${D:-403}
echo "feature layout width D = $D" >&2

# The crate: criterion medians (ns), 1 thread, then 2 threads with the rayon feature.
cargo bench --quiet --bench recommender -- 'kernel/(top10|stream_read)/1000000$|batch/m1000' >/dev/null 2>&1
RAYON_NUM_THREADS=2 cargo bench --quiet --features rayon --bench recommender -- 'kernel/top10_parallel/1000000$' >/dev/null 2>&1
med() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['median']['point_estimate'])" "target/criterion/$1/new/estimates.json"; }
K1=$(med kernel/top10/1000000)
KS=$(med kernel/stream_read/1000000)
K2=$(med kernel/top10_parallel/1000000)
B1=$(med batch/m1000_n100000_top10)
K4=$(med kernel/top10/10000)

# The peers, same machine, same run.
"$PY" "$PEERS" topk --d "$D" --n 1000000 --threads 1 --methods numpy,faiss > "$OUT/peers_topk.jsonl"
"$PY" "$PEERS" batch --m 1000 --n 100000 --d 64 --threads 1 > "$OUT/peers_batch.jsonl"
# faiss tuned as ../shared/bench/README.md says: its bundled OpenBLAS needs the core type set.
OPENBLAS_CORETYPE=SkylakeX "$PY" "$PEERS" batch --m 1000 --n 100000 --d 64 --threads 1 \
  | sed 's/"method": "faiss/"method": "skylakex_faiss/' | grep skylakex_faiss >> "$OUT/peers_batch.jsonl"

python3 - "$K1" "$KS" "$K2" "$B1" "$K4" "$OUT" <<'PY'
import json, sys
k1, ks, k2, b1, k4 = (float(x) / 1e6 for x in sys.argv[1:6])  # ms
out = sys.argv[6]
def rows(f):
    return [json.loads(l) for l in open(f) if l.strip() and '"median_ms"' in l]
topk = {r["method"]: r["median_ms"] for r in rows(f"{out}/peers_topk.jsonl")}
batch = {r["method"]: r["median_ms"] for r in rows(f"{out}/peers_batch.jsonl")}
print(f"kernel, N = 10^6, 1 thread: {k1:.3f} ms (streaming read of the same bytes {ks:.3f} ms: {100 * ks / k1:.0f}% of bandwidth)")
for m, t in sorted(topk.items()):
    print(f"  vs {m} on a dense f32 matrix: {t:.2f} ms, ratio {t / k1:.1f}x")
print(f"kernel, N = 10^6, 2 threads: {k2:.3f} ms, speed-up {k1 / k2:.2f}x")
print(f"per partner: N = 10^6 {1e6 * k1 / 1e6:.2f} ns, N = 10^4 {1e6 * k4 / 1e4:.2f} ns, ratio {(k1 / 1e6) / (k4 / 1e4):.2f}")
print(f"batch, M = 1000 x N = 10^5, 1 thread: {b1:.1f} ms")
for m, t in sorted(batch.items()):
    print(f"  vs {m}: {t:.1f} ms, ratio {t / b1:.2f}x")
PY
