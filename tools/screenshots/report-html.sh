#!/usr/bin/env bash
# Regenerates the README's pictures of report.html: a content run against the reference with a
# fault in its message-ID formula, rendered by headless Chromium (Debian's `chromium`) and cropped
# with Pillow (`pip install pillow`). Usage: tools/screenshots/report-html.sh [path/to/mimi-conformance]
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${1:-target/release/mimi-conformance}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" run -q --suite content --fault message-id-wrong-revision --out "$work/run" >/dev/null || true
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --user-data-dir="$work/profile" --hide-scrollbars \
  --window-size=1280,3000 --screenshot="$work/full.png" \
  "file://$work/run/report.html?status=fail&q=message-id-example-original" 2>/dev/null
python3 - "$work/full.png" <<'PY'
import sys
from PIL import Image
im = Image.open(sys.argv[1])
im.crop((0, 0, 1280, 900)).save("docs/images/report-html-summary.png", optimize=True)
im.crop((0, 1930, 1280, 2700)).save("docs/images/report-html-failure.png", optimize=True)
PY
echo "wrote docs/images/report-html-summary.png, docs/images/report-html-failure.png"
