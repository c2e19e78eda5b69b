"""Writes Tests/Fixtures/analysis/<video>.reference.csv: the emotion timeline of each sample video as
the reference pipeline computes it, for facemood's end-to-end agreement tests.

The recipe is fer 25.10.3's `FER.detect_emotions`, applied to the largest face, with facemood's settings where
they differ from fer's defaults (fer's minimum face is 50 pixels and its default model the int8 TensorFlow Lite
one; `make bench-anchors` times fer with its own defaults):
OpenCV 4.x `detectMultiScale(scaleFactor=1.1, minNeighbors=5, minSize=(30, 30))` with fer's cascade;
the frame padded by 40 pixels with the mean of its two bottom rows; the box squared (`tosquare`), grown
by 10 pixels, cut, `cv2.resize` to 64x64 (INTER_LINEAR), x/255 then (x-0.5)*2; TensorFlow on fer's
`emotion_model.hdf5`. Gray frames come from the ffmpeg command (facemood's reader reproduces them byte
for byte) and times from ffprobe's best_effort_timestamp_time.

Run with `make goldens` (creates a virtual environment from requirements.txt beside this file).
"""
import csv
import json
import os
import subprocess
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

import cv2  # noqa: E402
import numpy as np  # noqa: E402
from tensorflow import keras  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MEDIA = os.path.join(ROOT, "samples", "media")
OUT = os.path.join(ROOT, "Tests", "Fixtures", "analysis")
VIDEOS = ["single_face.mp4", "WolfgangLanger_Pexels.mp4", "no_face.mp4", "face_noface.mov", "noface_face.mov"]
LABELS = ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]
PADDING = 40
OFFSET = 10


def frames_and_times(path):
    probe = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height,start_time",
                            "-show_entries", "frame=best_effort_timestamp_time", "-of", "json", path],
                           capture_output=True, check=True, text=True)
    info = json.loads(probe.stdout)
    stream = info["streams"][0]
    start = float(stream.get("start_time", 0) or 0)
    times = [float(f["best_effort_timestamp_time"]) - start for f in info["frames"]]
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", path, "-map", "0:v:0", "-fps_mode", "passthrough",
                          "-pix_fmt", "gray", "-f", "rawvideo", "-"], capture_output=True, check=True).stdout
    frames = np.frombuffer(raw, dtype=np.uint8).reshape(-1, stream["height"], stream["width"])
    assert len(frames) == len(times), (path, len(frames), len(times))
    return frames, times


def crop(gray, box):
    rows, cols = gray.shape
    mean = cv2.mean(gray[rows - 2:rows, 0:cols])[0]
    padded = cv2.copyMakeBorder(gray, PADDING, PADDING, PADDING, PADDING, cv2.BORDER_CONSTANT, value=[mean, mean, mean])
    x, y, w, h = box
    if h > w:
        x -= (h - w) // 2
        w = h
    elif w > h:
        y -= (w - h) // 2
        h = w
    x1, x2, y1, y2 = x - OFFSET + PADDING, x + w + OFFSET + PADDING, y - OFFSET + PADDING, y + h + OFFSET + PADDING
    return padded[max(0, y1):y2, max(0, x1):x2]


def main():
    cv2.setNumThreads(1)
    os.makedirs(OUT, exist_ok=True)
    cascade = cv2.CascadeClassifier(os.path.join(ROOT, "models", "haarcascade_frontalface_default.xml"))
    model = keras.models.load_model(os.path.join(ROOT, "models", "emotion_model.hdf5"), compile=False)
    for name in VIDEOS:
        frames, times = frames_and_times(os.path.join(MEDIA, name))
        rows = []
        for index, (frame, time) in enumerate(zip(frames, times)):
            frame = np.ascontiguousarray(frame)
            faces = cascade.detectMultiScale(frame, scaleFactor=1.1, minNeighbors=5, minSize=(30, 30))
            row = [index, f"{time:.6f}", len(faces)]
            if len(faces):
                # The largest by area; ties go to the top-most, then left-most box (facemood's order).
                box = sorted((list(map(int, f)) for f in faces), key=lambda b: (-b[2] * b[3], b[1], b[0], b[2]))[0]
                face = cv2.resize(crop(frame, box), (64, 64))
                x = (face.astype(np.float32) / 255.0 - 0.5) * 2.0
                probabilities = model.predict(x.reshape(1, 64, 64, 1), verbose=0)[0]
                row += box + [LABELS[int(np.argmax(probabilities))]] + [f"{p:.6f}" for p in probabilities]
            else:
                row += [""] * 5 + [""] * len(LABELS)
            rows.append(row)
        with open(os.path.join(OUT, os.path.splitext(name)[0] + ".reference.csv"), "w", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(["frame", "time_s", "faces", "x", "y", "w", "h", "emotion"] + LABELS)
            writer.writerows(rows)
        print(f"{name}: {len(rows)} frames, {sum(1 for r in rows if r[2])} with a face")


if __name__ == "__main__":
    sys.exit(main())
