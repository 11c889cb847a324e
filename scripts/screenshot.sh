#!/usr/bin/env bash
# Renders the HTML report of every sample profile in headless Chromium and saves PNGs, so
# that a person can look at the chart, the map and the table. Not a CI step.
#
#   scripts/screenshot.sh [OUT_DIR]      # default target/screenshots
#
# Needs Debian's chromium (apt-get install chromium); the flags keep it off the network.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-target/screenshots}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
if [ -z "$CHROMIUM" ]; then
  echo "chromium not found: apt-get install chromium" >&2
  exit 1
fi
cargo build --quiet --release --bin eccp-china
for f in data/samples/*.json; do
  name=$(basename "$f" .json)
  target/release/eccp-china --profile "$f" --format html > "$OUT/$name.html"
  "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$(mktemp -d)" --hide-scrollbars --window-size=1280,2600 \
    --screenshot="$OUT/$name.png" "file://$OUT/$name.html" >/dev/null 2>&1
  echo "$OUT/$name.png"
done
