#!/usr/bin/env bash
# `make test-browser`: the HTML report and the SVG plot checked in real renderers. Analyses two samples with
# their overlays and plots, writes the report, and has headless Chromium (through the DevTools protocol) check
# that the index and a video page render, that the index sorts, that the video loads and that a click on the
# chart seeks the video and moves the playhead (scripts/browser/check_report.py); rsvg-convert must render
# the plot. Screenshots are kept in .build/test-browser/.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
facemood="$root/.build/debug/facemood"
shots="$root/.build/test-browser"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "test-browser: $*" >&2; exit 1; }
mkdir -p "$shots"

"$facemood" analyze "$root/samples/media/single_face.mp4" "$root/samples/media/face_noface.mov" -o "$work/out" --overlay --plot --quiet
"$facemood" report "$work/out" -o "$work/report" > /dev/null
[ -f "$work/report/index.html" ] && [ -f "$work/report/single_face.html" ] && [ -f "$work/report/face_noface.html" ] \
    || fail "the report is missing pages: $(ls "$work/report")"
# No network resources: nothing is fetched from elsewhere.
if grep -E -o '(src|href)="(https?:)?//[^"]*"' "$work/report"/*.html; then fail "the report links network resources"; fi

python3 "$root/scripts/browser/check_report.py" "$work/report" single_face.html 2 "$shots"

# The plot renders outside a browser too, at its stated size, and is not blank.
rsvg-convert "$work/out/face_noface.emotions.svg" -o "$shots/plot.png" || fail "rsvg-convert cannot render the plot"
size=$(identify -format '%wx%h' "$shots/plot.png")
[ "$size" = "1200x420" ] || fail "the plot rendered at $size, expected 1200x420"
colors=$(convert "$shots/plot.png" -format '%k' info:)
[ "$colors" -gt 20 ] || fail "the plot rendered with only $colors colours"
echo "test-browser: the report and the plot render (screenshots in .build/test-browser/)"
