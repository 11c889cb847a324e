#!/usr/bin/env bash
# The HTML report's what-if controls, checked in a real browser: headless Chromium opens
# each sample report with random settings in its address, and the order the page shows
# (table, chart, map) must equal the library's for those settings.
#
#   scripts/whatif-browser.sh [N]      # N random settings (default 25), plus each sample's own
#
# Needs Debian's chromium (apt-get install chromium), or CHROMIUM=/path/to/chrome. Without
# it the check says so and is skipped (exit 0), so that CI runs it where it can.
set -euo pipefail
cd "$(dirname "$0")/.."
CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
if [ -z "$CHROMIUM" ]; then
  echo "what-if browser check skipped: chromium is not installed (apt-get install chromium)"
  exit 0
fi
echo "what-if browser check with $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
cargo run --quiet --example whatif_browser -- --settings "${1:-25}" --chromium "$CHROMIUM"
