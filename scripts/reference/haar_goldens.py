"""Writes Tests/Fixtures/haar/detections.golden.json: OpenCV 4.x detectMultiScale boxes on gray frames.

The frames are the sample videos' (every 6th frame) and the still images, converted to GRAY8 by the
ffmpeg command, whose bytes facemood's reader reproduces exactly (VideoIOTests.PixelTests), so colour
conversion is not under test here. Each frame is run with several parameter sets and with the three
frontal-face cascades of Debian's opencv-data. Also times detectMultiScale single-threaded on the
640x360 samples (`--bench`) for `make bench-opencv`.

Run with `make goldens` (creates a virtual environment from requirements.txt beside this file).
"""
import json
import os
import subprocess
import sys
import time

import cv2
import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MEDIA = os.path.join(ROOT, "samples", "media")
CASCADES = "/usr/share/opencv4/haarcascades"
VIDEOS = ["single_face.mp4", "WolfgangLanger_Pexels.mp4", "no_face.mp4", "face_noface.mov", "noface_face.mov"]
IMAGES = ["single_face.jpg", "multi_face.jpg", "BWPictureHuman.jpg", "0-f1-su-ph.jpg", "0-f15-hao-ph.jpg",
          "15-f13-anc-ph.jpg", "45-m7-di-ph.jpg", "free-mountain-vector-01.jpg", "Image_with_alpha.png"]
EVERY = 6
# (cascade, scale factor, min neighbours, min size)
RUNS = [
    ("haarcascade_frontalface_default.xml", 1.1, 5, 30),
    ("haarcascade_frontalface_default.xml", 1.05, 3, 30),
    ("haarcascade_frontalface_default.xml", 1.3, 0, 50),
    ("haarcascade_frontalface_default.xml", 1.1, 3, 80),
    ("haarcascade_frontalface_alt.xml", 1.1, 5, 30),
    ("haarcascade_frontalface_alt2.xml", 1.1, 5, 30),
]


def gray_frames(path):
    probe = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height",
                            "-show_entries", "stream_side_data=rotation", "-of", "json", path],
                           capture_output=True, check=True, text=True)
    stream = json.loads(probe.stdout)["streams"][0]
    width, height = stream["width"], stream["height"]
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", path, "-map", "0:v:0", "-fps_mode", "passthrough",
                          "-pix_fmt", "gray", "-f", "rawvideo", "-"], capture_output=True, check=True).stdout
    frames = np.frombuffer(raw, dtype=np.uint8).reshape(-1, height, width)
    return frames


def sorted_boxes(boxes):
    boxes = [list(map(int, b)) for b in boxes]
    return sorted(boxes, key=lambda b: (-b[2] * b[3], b[1], b[0], b[2]))


def main():
    cv2.setNumThreads(1)
    if "--bench" in sys.argv:
        return bench()
    classifiers = {name: cv2.CascadeClassifier(os.path.join(CASCADES, name)) for name, *_ in RUNS}
    cases = []
    sources = [(name, gray_frames(os.path.join(MEDIA, name)), EVERY) for name in VIDEOS]
    sources += [(name, gray_frames(os.path.join(MEDIA, name)), 1) for name in IMAGES]
    for name, frames, every in sources:
        for index in range(0, len(frames), every):
            frame = np.ascontiguousarray(frames[index])
            results = []
            for cascade, scale, neighbours, size in RUNS:
                boxes = classifiers[cascade].detectMultiScale(frame, scaleFactor=scale, minNeighbors=neighbours,
                                                              minSize=(size, size))
                results.append(sorted_boxes(boxes))
            cases.append({"media": name, "frame": index, "boxes": results})
    out = os.path.join(ROOT, "Tests", "Fixtures", "haar")
    os.makedirs(out, exist_ok=True)
    document = {
        "reference": f"opencv-python-headless {cv2.__version__}, CascadeClassifier.detectMultiScale, cv2.setNumThreads(1)",
        "cascades_from": "Debian opencv-data (" + CASCADES + ")",
        "runs": [{"cascade": c, "scale_factor": s, "min_neighbors": n, "min_size": m} for c, s, n, m in RUNS],
        "frames": cases,
    }
    with open(os.path.join(out, "detections.golden.json"), "w") as handle:
        json.dump(document, handle, separators=(",", ":"))
        handle.write("\n")
    print(f"{len(cases)} frames x {len(RUNS)} runs written with OpenCV {cv2.__version__}")


def bench():
    classifier = cv2.CascadeClassifier(os.path.join(ROOT, "models", "haarcascade_frontalface_default.xml"))
    for name in ["single_face.mp4", "WolfgangLanger_Pexels.mp4"]:
        frames = gray_frames(os.path.join(MEDIA, name))[:60]
        start = time.perf_counter()
        for frame in frames:
            classifier.detectMultiScale(np.ascontiguousarray(frame), scaleFactor=1.1, minNeighbors=5, minSize=(30, 30))
        elapsed = time.perf_counter() - start
        print(f"  {name:28s} {frames.shape[2]}x{frames.shape[1]}  {elapsed / len(frames) * 1000:7.1f} ms per frame "
              f"(OpenCV {cv2.__version__}, 1 thread)")


if __name__ == "__main__":
    sys.exit(main())
