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

# Messy real-world media. Two MPEG-TS recordings one after the other, as DVRs and stream dumps leave them:
# the second restarts its clock (a backward jump the ffmpeg command corrects).
concat_ts() {
    local target=$1; shift
    [[ -s $out/$target ]] && return 0
    local first=$1 second=$2
    ffmpeg -nostdin -v error -y -i "$source" -t 1.2 $first -f mpegts "$out/part1.tmp.ts"
    ffmpeg -nostdin -v error -y -ss 1 -i "$source" -t 1.2 $second -f mpegts "$out/part2.tmp.ts"
    cat "$out/part1.tmp.ts" "$out/part2.tmp.ts" > "$out/$target"
    rm "$out/part1.tmp.ts" "$out/part2.tmp.ts"
}
concat_ts discontinuous.ts "-c:v libx264 -preset ultrafast -c:a aac" "-c:v libx264 -preset ultrafast -c:a aac"
# The picture size changes mid-stream, both ways, and the pixel format (the second part without audio).
concat_ts small_then_large.ts "-vf scale=320:180 -c:v libx264 -preset ultrafast -an" "-c:v libx264 -preset ultrafast -an -output_ts_offset 1.2"
concat_ts large_then_small.ts "-c:v libx264 -preset ultrafast -an" "-vf scale=320:180 -c:v libx264 -preset ultrafast -an -output_ts_offset 1.2"
concat_ts pixel_format_change.ts "-c:v libx264 -preset ultrafast -pix_fmt yuv420p -an" "-c:v libx264 -preset ultrafast -pix_fmt yuv444p -an -output_ts_offset 1.2"
# Video that starts 0.852 s after the audio (an MP4 edit list): the first frame is at 0.852 s on the file's clock.
make_once video_after_audio.mp4 -i samples/media/WolfgangLanger_Pexels.mp4 -itsoffset 0.852 -i samples/media/WolfgangLanger_Pexels.mp4 \
    -map 1:v -map 0:a -t 4 -c copy
# A video stream with a header and not one frame.
printf 'YUV4MPEG2 W64 H64 F25:1 Ip A1:1 C420jpeg\n' > "$out/no_frames.y4m"

# Truncated: the index (at the end of the file) is kept, the media data is cut short.
if [[ ! -s $out/truncated_data.mp4 ]]; then
    ffmpeg -nostdin -v error -y -i "$source" -c copy -movflags +faststart "$out/faststart.tmp.mp4"
    size=$(stat -c %s "$out/faststart.tmp.mp4")
    head -c $((size / 2)) "$out/faststart.tmp.mp4" > "$out/truncated_data.mp4"
    rm "$out/faststart.tmp.mp4"
fi
# Truncated before the index: nothing to decode.
[[ -s $out/truncated_index.mp4 ]] || head -c 100000 "$source" > "$out/truncated_index.mp4"
# Tilted heads: the samples rotated by ±20° and ±40° (black corners), for the detectors' figures.
for angle in -40 -20 20 40; do
    for sample in single_face WolfgangLanger_Pexels; do
        make_once "${sample}_rotated${angle}.mp4" -i "samples/media/$sample.mp4" -vf "rotate=${angle}*PI/180" -an -c:v libx264 -preset veryfast -crf 18
    done
done
# Face-free and face stretches cut together (a room, a face, the room again, another face, black, the first face):
# where the default mode's frame-wide detections and its screen meet faces appearing and leaving.
make_once face_stretches.mp4 -i samples/media/no_face.mp4 -i "$source" -i samples/media/WolfgangLanger_Pexels.mp4 -filter_complex \
    "[0:v]trim=0:1.5,setpts=PTS-STARTPTS,scale=640:360,fps=30,setsar=1[a];[1:v]trim=0:1.2,setpts=PTS-STARTPTS,fps=30,setsar=1[b];
     [0:v]trim=1.5:2.7,setpts=PTS-STARTPTS,scale=640:360,fps=30,setsar=1[c];[2:v]trim=3:4.5,setpts=PTS-STARTPTS,fps=30,setsar=1[d];
     color=black:s=640x360:r=30:d=0.5,format=yuv420p,setsar=1[e];[1:v]trim=1.2:2.4,setpts=PTS-STARTPTS,fps=30,setsar=1[f];
     [a][b][c][d][e][f]concat=n=6:v=1:a=0,format=yuv420p[v]" -map "[v]" -c:v libx264 -preset veryfast -crf 20
printf 'this is not a video\n' > "$out/text.mp4"
: > "$out/empty.mp4"
echo "test media ready in $out/"
