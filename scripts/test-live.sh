#!/usr/bin/env bash
# The README's "Live input" commands, run as a user runs them, on this machine only: standard input, an HTTP
# stream and an MPEG-TS stream over UDP served on 127.0.0.1 by ffmpeg, a screen (x11grab) of an Xvfb display on
# which ffplay plays a sample, the --preview window under Xvfb captured with ImageMagick's `import`, the overlay
# written to stdout, and Ctrl-C ending a live capture with its outputs complete. Every wait is bounded.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
facemood="$root/.build/debug/facemood"
sample="$root/samples/media/single_face.mp4"
work="$(mktemp -d)"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
cd "$work"

fail() { echo "test-live: $*" >&2; exit 1; }
# Ports and displays unlikely to be taken, different for each run.
port=$((20000 + $$ % 20000))
# Frames of the sample (30 fps, 2.43 s).
sample_frames=$(ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames -of csv=p=0 "$sample")

# rows FILE: NDJSON lines; faces FILE: lines with a face.
rows() { wc -l < "$1" | tr -d ' '; }
faces() { grep -c '"emotion":"' "$1" || true; }

wait_for_port() {
    for _ in $(seq 100); do ss -ltn | grep -q ":$1 " && return 0; sleep 0.05; done
    fail "nothing listens on 127.0.0.1:$1"
}

# A fresh Xvfb display; sets $display.
start_display() {
    local number
    for number in $(seq 90 119); do
        [ -e "/tmp/.X11-unix/X$number" ] || [ -e "/tmp/.X$number-lock" ] || break
    done
    Xvfb ":$number" -screen 0 1024x768x24 -nolisten tcp >/dev/null 2>&1 &
    pids+=($!)
    for _ in $(seq 100); do [ -e "/tmp/.X11-unix/X$number" ] && break; sleep 0.05; done
    [ -e "/tmp/.X11-unix/X$number" ] || fail "Xvfb :$number did not start"
    display=":$number"
}

# 1. Standard input (a container that streams: Matroska; an MP4 with its index at the end cannot be piped):
# every frame gets its line, at once, as NDJSON on stdout.
piped="$root/samples/generated/clip.mkv"
piped_frames=$(ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames -of csv=p=0 "$piped")
cat "$piped" | "$facemood" analyze - --ndjson - --no-csv --no-json > stdin.ndjson 2> stdin.err || fail "stdin: $(cat stdin.err)"
[ "$(rows stdin.ndjson)" = "$piped_frames" ] || fail "stdin: expected $piped_frames lines, found $(rows stdin.ndjson)"
grep -q '^stdin$' stdin.err || fail "stdin: the summary table must go to stderr with --ndjson -"
echo "test-live: stdin gave $piped_frames NDJSON lines"

# 2. An HTTP stream (MPEG-TS) served by ffmpeg at real-time pace: 3 s of it, then the capture ends by itself.
# (The server complains on stderr when the capture hangs up after 3 s; that is expected.)
ffmpeg -v error -re -stream_loop -1 -i "$sample" -c copy -f mpegts -listen 1 "http://127.0.0.1:$port" 2> /dev/null &
pids+=($!)
wait_for_port "$port"
timeout 20 "$facemood" analyze "http://127.0.0.1:$port" --duration 3 -o http 2> http.err > /dev/null \
    || fail "http: $(cat http.err)"
http_rows=$(($(wc -l < "http/http-127.0.0.1-$port.emotions.csv") - 1))
python3 - "http/http-127.0.0.1-$port.emotions.json" <<'EOF' || fail "http: the JSON timeline does not add up"
import json, sys
timeline = json.load(open(sys.argv[1]))
frames, dropped = timeline["frames"], timeline["decoding"]["frames_dropped"]
assert timeline["input"]["live"] is True
# 3 s at 30 fps, every frame analysed or counted as dropped, on the stream's clock.
assert len(frames) + dropped == frames[-1]["frame"] + 1 == 90, (len(frames), dropped, frames[-1]["frame"])
assert frames[-1]["time_s"] - frames[0]["time_s"] > 2.0
assert sum(1 for frame in frames if frame["emotion"]) >= 0.9 * len(frames)
EOF
echo "test-live: HTTP stream gave $http_rows rows in 3 s"

# 3. MPEG-TS over UDP: facemood listens, ffmpeg sends.
udp_port=$((port + 1))
timeout 20 "$facemood" analyze "udp://127.0.0.1:$udp_port" --duration 3 --ndjson - --no-csv --no-json > udp.ndjson 2> udp.err &
analysis=$!
sleep 0.5
ffmpeg -v error -re -stream_loop -1 -i "$sample" -c copy -f mpegts "udp://127.0.0.1:$udp_port?pkt_size=1316" &
pids+=($!)
wait "$analysis" || fail "udp: $(cat udp.err)"
[ "$(rows udp.ndjson)" -ge 45 ] || fail "udp: expected most of 90 frames, found $(rows udp.ndjson)"
[ "$(faces udp.ndjson)" -ge $(($(rows udp.ndjson) * 9 / 10)) ] || fail "udp: expected a face in most frames"
echo "test-live: UDP stream gave $(rows udp.ndjson) rows in 3 s"

# 4. Ctrl-C ends a live capture (the lavfi device playing the sample in a loop at real-time pace): exit 0, the
# outputs complete under their final names, nothing partial left.
live_graph="movie=$sample:loop=0,setpts=N/(FRAME_RATE*TB),realtime"
"$facemood" analyze --input-format lavfi "$live_graph" -o interrupted > /dev/null 2> interrupted.err &
analysis=$!
sleep 2.5
ls -A interrupted | grep -q 'partial' || fail "interrupt: a live capture must write under temporary names while it runs"
kill -INT "$analysis"
status=0; wait "$analysis" || status=$?
[ "$status" = 0 ] || fail "interrupt: expected exit 0 after Ctrl-C on a live capture, found $status: $(cat interrupted.err)"
[ "$(ls -A interrupted)" = "$(printf 'lavfi.emotions.csv\nlavfi.emotions.json')" ] || fail "interrupt: found $(ls -A interrupted)"
python3 -c "import json,sys; t=json.load(open('interrupted/lavfi.emotions.json')); assert len(t['frames']) >= 30" \
    || fail "interrupt: the JSON timeline is not complete"
echo "test-live: Ctrl-C ended a live capture with its outputs complete"

# 5. The overlay to stdout, as Matroska, for `| ffplay -`.
"$facemood" analyze "$sample" --overlay - --no-csv --no-json 2> /dev/null > overlay.mkv
overlay_frames=$(ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames -of csv=p=0 overlay.mkv)
[ "$overlay_frames" = "$sample_frames" ] || fail "overlay -: expected $sample_frames frames, found $overlay_frames"
ffprobe -v error -show_entries format=format_name -of csv=p=0 overlay.mkv | grep -q matroska || fail "overlay -: not Matroska"
echo "test-live: --overlay - wrote $overlay_frames frames of Matroska to stdout"

# 6. A screen: ffplay shows the sample on an Xvfb display, facemood reads the screen with x11grab.
start_display
DISPLAY=$display ffplay -v error -loop 0 -an -noborder -left 0 -top 0 "$sample" &
pids+=($!)
sleep 1
timeout 20 "$facemood" analyze --input-format x11grab --input-option video_size=640x360 --input-option framerate=15 \
    "$display.0+0,0" --duration 3 --ndjson - --no-csv --no-json > screen.ndjson 2> screen.err || fail "x11grab: $(cat screen.err)"
[ "$(rows screen.ndjson)" -ge 40 ] || fail "x11grab: expected about 45 rows at 15 fps, found $(rows screen.ndjson)"
[ "$(faces screen.ndjson)" -ge $(($(rows screen.ndjson) * 9 / 10)) ] || fail "x11grab: expected the face in most frames, found $(faces screen.ndjson)"
echo "test-live: x11grab of the screen found the face in $(faces screen.ndjson) of $(rows screen.ndjson) frames"

# 7. The preview window, captured while it plays: it must show the overlay (panel and box), not the bare video.
start_display
DISPLAY=$display "$facemood" analyze "$sample" --preview --no-csv --no-json > /dev/null 2> preview.err &
analysis=$!
sleep 1.2
geometry=$(DISPLAY=$display xwininfo -name "facemood: $sample" | awk '/Absolute upper-left X/ {x=$NF} /Absolute upper-left Y/ {y=$NF} /Width:/ {w=$NF} /Height:/ {h=$NF} END {print w "x" h "+" x "+" y}')
DISPLAY=$display import -window root preview.png
wait "$analysis" || fail "preview: $(cat preview.err)"
[ "${geometry%%+*}" = "640x360" ] || fail "preview: expected a 640x360 window, found '$geometry'"
convert preview.png -crop "$geometry" +repage -scale 25% window.png
"$facemood" analyze "$sample" --overlay-file overlay.mp4 --no-csv --no-json --quiet
ffmpeg -v error -i overlay.mp4 -vf scale=160:90 annotated-%03d.png
ffmpeg -v error -i "$sample" -vf scale=160:90 bare-%03d.png
# The closest frame of each kind, by root-mean-square difference (0 to 1).
closest() { for frame in "$@"; do compare -metric RMSE window.png "$frame" null: 2>&1 | sed 's/.*(\(.*\))/\1/'; echo; done | grep . | sort -g | head -1; }
annotated=$(closest annotated-*.png)
bare=$(closest bare-*.png)
python3 -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); sys.exit(0 if a < 0.04 and a < b / 2 else 1)" "$annotated" "$bare" \
    || fail "preview: the window should match an annotated frame (closest $annotated) far better than a bare one (closest $bare)"
echo "test-live: the preview window shows the overlay (difference $annotated to the closest annotated frame, $bare to a bare one)"
