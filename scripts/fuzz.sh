#!/usr/bin/env bash
# `make fuzz`: builds the libFuzzer harnesses in Fuzz/ with coverage and AddressSanitizer and runs each for
# FUZZ_SECONDS (default 60) from a seed corpus of valid files. Inputs that crash, trap or hang are kept in
# .cache/fuzz/artifacts/; the run fails if there is any. Found crashes belong, minimised, in
# Tests/Fixtures/fuzz/<harness>/, which the normal test suite replays.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${FUZZ_SECONDS:-60}"
work=.cache/fuzz
mkdir -p "$work/artifacts"

(cd Fuzz && swift build --scratch-path ../.build-fuzz -Xswiftc -sanitize=address \
    -Xswiftc -sanitize-coverage=edge,inline-8bit-counters,pc-table,trace-cmp 2>&1 | grep -E "error|Compiling|Build" | tail -n 3)

seed() {
    local name=$1; shift
    mkdir -p "$work/corpus/$name"
    for file in "$@"; do [ -e "$file" ] && cp "$file" "$work/corpus/$name/"; done
    cp Tests/Fixtures/fuzz/"$name"/* "$work/corpus/$name/" 2>/dev/null || true
}
seed cascade models/haarcascade_frontalface_default.xml /usr/share/opencv4/haarcascades/haarcascade_frontalface_alt2.xml \
    /usr/share/opencv4/haarcascades/haarcascade_eye.xml
timelines="$work/timelines"
mkdir -p "$timelines"
[ -s "$timelines/single_face.emotions.csv" ] || .build/debug/facemood analyze samples/media/single_face.jpg \
    samples/generated/vfr.mp4 -o "$timelines" --quiet
seed timeline "$timelines"/*.emotions.csv "$timelines"/*.emotions.json
[ -s "$timelines/batch/facemood-batch.csv" ] || .build/debug/facemood analyze samples/media/single_face.jpg \
    samples/generated/text.mp4 -o "$timelines/batch" --quiet 2>/dev/null || true
seed manifest "$timelines/batch/facemood-batch.csv" "$timelines"/*.emotions.json
seed keras Tests/Fixtures/keras/dense_activations.h5.json Tests/Fixtures/keras/conv_functional.h5.json
seed tflite models/face_detection_short_range.tflite

status=0
for pair in cascade:FuzzCascade timeline:FuzzTimeline manifest:FuzzManifest keras:FuzzKerasModel tflite:FuzzTFLite; do
    name=${pair%%:*} harness=${pair##*:}
    log="$work/$name.log"
    set +e
    SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0 .build-fuzz/debug/"$harness" -max_total_time="$seconds" \
        -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 -artifact_prefix="$work/artifacts/$name-" \
        "$work/corpus/$name" > "$log" 2>&1
    code=$?
    set -e
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    found=$(ls "$work/artifacts" | grep -c "^$name-" || true)
    echo "fuzz $name: ${runs:-0} executions in ${seconds} s, $found crashing inputs kept (exit $code; log $log)"
    if [ "$code" != 0 ] || [ "$found" != 0 ]; then status=1; fi
done
exit $status
