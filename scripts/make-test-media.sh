#!/usr/bin/env bash
# Derives the test videos that the samples do not cover from samples/media with the ffmpeg CLI:
# other containers and codecs, variable frame rate, a display-matrix rotation, audio only, truncation.
# Output goes to samples/generated/ (ignored by git); each file is made once.
set -euo pipefail
cd "$(dirname "$0")/.."

source=samples/media/single_face.mp4
out=samples/generated
mkdir -p "$out"

make_once() {
    local target=$1; shift
    [[ -s $out/$target ]] && return 0
    ffmpeg -nostdin -v error -y "$@" "$out/$target.tmp.${target##*.}"
    mv "$out/$target.tmp.${target##*.}" "$out/$target"
}

# Frames 0-19 at 30 fps, 20-39 spaced 0.1 s apart, 40-47 at 60 fps: three different intervals.
make_once vfr.mp4 -i "$source" -an -frames:v 48 \
    -vf "setpts='(if(lt(N,20),N/30,if(lt(N,40),20/30+(N-20)*0.1,20/30+2+(N-40)/60)))/TB'" \
    -fps_mode passthrough -enc_time_base 1:600 -c:v libx264 -preset ultrafast -video_track_timescale 600
# A phone-style file: the coded frames stay landscape, a display matrix asks for a quarter turn.
make_once rotated90.mp4 -i "$source" -c copy -metadata:s:v:0 rotate=90
make_once rotated180.mov -i "$source" -c copy -metadata:s:v:0 rotate=180
# A phone recording held sideways: coded frames turned a quarter, the display matrix turns them upright.
make_once sideways.mp4 -i "$source" -vf transpose=clock -c:v libx264 -preset ultrafast -c:a copy
make_once phone_rotated.mp4 -i "$out/sideways.mp4" -c copy -metadata:s:v:0 rotate=90
make_once clip.mkv -i "$source" -t 1 -c:v libx264 -preset ultrafast -c:a copy
make_once clip.webm -i "$source" -t 1 -c:v libvpx-vp9 -deadline realtime -cpu-used 8 -c:a libopus
make_once clip.avi -i "$source" -t 1 -c:v mpeg4 -q:v 5 -c:a copy
make_once pcm_audio.mov -i "$source" -c:v copy -c:a pcm_s16le
make_once audio_only.m4a -i samples/media/WolfgangLanger_Pexels.mp4 -vn -c:a copy

# Truncated: the index (at the end of the file) is kept, the media data is cut short.
if [[ ! -s $out/truncated_data.mp4 ]]; then
    ffmpeg -nostdin -v error -y -i "$source" -c copy -movflags +faststart "$out/faststart.tmp.mp4"
    size=$(stat -c %s "$out/faststart.tmp.mp4")
    head -c $((size / 2)) "$out/faststart.tmp.mp4" > "$out/truncated_data.mp4"
    rm "$out/faststart.tmp.mp4"
fi
# Truncated before the index: nothing to decode.
[[ -s $out/truncated_index.mp4 ]] || head -c 100000 "$source" > "$out/truncated_index.mp4"
printf 'this is not a video\n' > "$out/text.mp4"
: > "$out/empty.mp4"
echo "test media ready in $out/"
