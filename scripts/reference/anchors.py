"""Prints three speed anchors measured on this machine, to read beside `make bench`'s figures for facemood:

1. fer: frames/s of the fer package's own per-frame call, `FER(mtcnn=False).detect_emotions(frame)`, on
   the sample videos. Frames are decoded beforehand with cv2.VideoCapture (BGR, as fer's own Video class
   reads them) and only fer's calls are timed, after one untimed call on the first frame. With fer 25.10.3's
   defaults that is OpenCV's cascade (the copy in cv2.data, scale 1.1, 5 neighbours, min size 50, not 30)
   and the TensorFlow Lite model emotion_model_quantized.tflite (use_tflite=True). Measured with one thread
   (cv2.setNumThreads(1), the TFLite interpreter made with num_threads=1 and handed to fer through its own
   interpreter cache), with the default threads, and, one thread, with use_tflite=False: fer's Keras path
   on emotion_model.hdf5, the model facemood reads (fer's default before 25.x).
2. OpenCV: detectMultiScale ms per frame, one thread, scale 1.1, 5 neighbours, min size 30, the cascade in
   models/, on the first 60 gray frames of each video: what `make bench-opencv` (haar_goldens.py --bench)
   times, whose frame reader and parameters are reused here, plus the 960x540 face_noface.mov.
3. TensorFlow Lite: ms per face of fer's emotion_model_quantized.tflite with the XNNPACK delegate and
   num_threads=1, on one 1x64x64x1 float input in [-1, 1] (as `make bench`'s model section), the median of
   batch means after a warm-up. The model is dynamic-range quantized: float input, output and activations,
   int8 weights for the larger convolutions. Also without XNNPACK (TFLite's own kernels), for comparison.

Usage: anchors.py [ROOT] [--json PATH] [--frames N] [--facemood FIGURES]
  ROOT        the repository (default: two levels above this file)
  --json      also write the anchors as JSON
  --frames    time fer on the first N frames of each video only (default: all)
  --facemood  facemood's figures from the same run (facemood-bench --figures=FILE, as `make bench-anchors`
              writes them): prints the ratios of facemood to each anchor at the end

Needs the environment from requirements.txt, then requirements-anchors.txt installed with --no-deps (see
that file for why). Figures from a machine busy with something else (a build) are slower and noisier.
"""
import json
import os
import platform
import statistics
import sys
import time
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

# Known, harmless warnings, hidden so the output stays the anchors: fer.fer imports pkg_resources
# (deprecated, still in the pinned setuptools); TensorFlow announces tf.lite.Interpreter's move to
# LiteRT (still present in 2.21); fer's Keras path calls the model on (n, 64, 64) and Keras 3 notes that
# the input structure differs from the model's (n, 64, 64, 1), and runs it all the same.
warnings.filterwarnings("ignore", message=r"pkg_resources is deprecated")
warnings.filterwarnings("ignore", message=r"\s*Warning: tf\.lite\.Interpreter is deprecated")
warnings.filterwarnings("ignore", message=r"The structure of `inputs` doesn't match")

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

# TensorFlow's thread pools are fixed when its runtime first starts, so this comes before anything runs an
# op. It only concerns fer's Keras path; the TFLite interpreter and OpenCV have their own threads, set below.
tf.config.threading.set_intra_op_parallelism_threads(1)
tf.config.threading.set_inter_op_parallelism_threads(1)

import fer  # noqa: E402
# fer 25.x's package __init__ imports nothing; FER lives in fer.fer, which needs only cv2, numpy,
# tensorflow, requests, pkg_resources and (through fer.utils) Pillow. fer.classes (Video: pandas, tqdm,
# moviepy) and facenet_pytorch (only for mtcnn=True) are never imported.
from fer.fer import FER  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import haar_goldens  # noqa: E402  (its gray frame reader and detection parameters, for the OpenCV anchor)

FER_VIDEOS = ["single_face.mp4", "WolfgangLanger_Pexels.mp4", "face_noface.mov"]
OPENCV_FRAMES = 60  # as haar_goldens.py --bench and `make bench`'s detection section
TFLITE_WARMUP, TFLITE_BATCHES, TFLITE_RUNS = 200, 21, 300


def arguments(argv):
    root = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    json_path, frames, facemood = None, None, None
    rest = list(argv)
    while rest:
        item = rest.pop(0)
        if item == "--json":
            json_path = rest.pop(0)
        elif item == "--facemood":
            facemood = rest.pop(0)
        elif item == "--frames":
            frames = int(rest.pop(0))
        elif item.startswith("-"):
            sys.exit(__doc__)
        else:
            root = os.path.abspath(item)
    return root, json_path, frames, facemood


def decoded_frames(path, limit):
    capture = cv2.VideoCapture(path)
    frames = []
    while limit is None or len(frames) < limit:
        ok, frame = capture.read()
        if not ok:
            break
        frames.append(frame)
    capture.release()
    if not frames:
        sys.exit(f"no frames decoded from {path}")
    return frames


def fer_rate(detector, frames, threads):
    """Frames/s of detector.detect_emotions over frames, and the faces it found. threads: OpenCV's."""
    cv2.setNumThreads(threads)
    detector.detect_emotions(frames[0])  # untimed: first-call costs are start-up, not per frame
    start = time.perf_counter()
    faces = sum(len(detector.detect_emotions(frame)) for frame in frames)
    elapsed = time.perf_counter() - start
    return len(frames) / elapsed, faces


def fer_anchor(root, limit):
    model_path = os.path.join(os.path.dirname(fer.__file__), "data", "emotion_model_quantized.tflite")
    default_threads = cv2.getNumThreads()
    # FER keeps its TFLite interpreter in a class-level cache and makes it with the default threads only
    # when the cache is empty: the first detector gets fer's own, the second the one-thread interpreter.
    FER._tflite_interpreter_cache = None
    shipped = FER(mtcnn=False)
    one_thread = tf.lite.Interpreter(model_path=model_path, num_threads=1)
    one_thread.allocate_tensors()
    FER._tflite_interpreter_cache = one_thread
    single = FER(mtcnn=False)
    keras_path = FER(mtcnn=False, use_tflite=False)
    results = {"one_thread": {}, "default_threads": {}, "keras_one_thread": {}}
    for name in FER_VIDEOS:
        frames = decoded_frames(os.path.join(root, "samples", "media", name), limit)
        height, width = frames[0].shape[:2]
        runs = [("one_thread", single, 1), ("default_threads", shipped, default_threads),
                ("keras_one_thread", keras_path, 1)]
        for key, detector, threads in runs:
            rate, faces = fer_rate(detector, frames, threads)
            results[key][name] = rate
            label = {"one_thread": "TFLite, 1 thread", "default_threads": f"TFLite, default threads ({default_threads} OpenCV)",
                     "keras_one_thread": "Keras .hdf5, 1 thread"}[key]
            print(f"  {name:28s} {width}x{height} {len(frames):4d} frames {faces:4d} faces  {rate:7.1f} frames/s  ({label})",
                  flush=True)
        del frames
    cv2.setNumThreads(default_threads)
    return results


def opencv_anchor(root):
    classifier = cv2.CascadeClassifier(os.path.join(root, "models", "haarcascade_frontalface_default.xml"))
    # haar_goldens' first run is facemood's default: the default cascade, scale 1.1, 5 neighbours, min size 30.
    cascade, scale, neighbours, size = haar_goldens.RUNS[0]
    assert cascade == "haarcascade_frontalface_default.xml"
    cv2.setNumThreads(1)
    results = {}
    for name in FER_VIDEOS:
        frames = haar_goldens.gray_frames(os.path.join(root, "samples", "media", name))[:OPENCV_FRAMES]
        start = time.perf_counter()
        for frame in frames:
            classifier.detectMultiScale(np.ascontiguousarray(frame), scaleFactor=scale, minNeighbors=neighbours,
                                        minSize=(size, size))
        elapsed = time.perf_counter() - start
        results[name] = elapsed / len(frames) * 1000
        print(f"  {name:28s} {frames.shape[2]}x{frames.shape[1]}  {results[name]:7.2f} ms per frame "
              f"(first {len(frames)} frames, 1 thread)", flush=True)
    return results


def tflite_ms_per_face(model_path, resolver):
    interpreter = tf.lite.Interpreter(model_path=model_path, num_threads=1, experimental_op_resolver_type=resolver)
    interpreter.allocate_tensors()
    detail = interpreter.get_input_details()[0]
    assert list(detail["shape"]) == [1, 64, 64, 1] and detail["dtype"] == np.float32, detail
    face = np.random.default_rng(1).uniform(-1, 1, size=(1, 64, 64, 1)).astype(np.float32)
    for _ in range(TFLITE_WARMUP):
        interpreter.set_tensor(detail["index"], face)
        interpreter.invoke()
    batches = []
    for _ in range(TFLITE_BATCHES):
        start = time.perf_counter()
        for _ in range(TFLITE_RUNS):
            interpreter.set_tensor(detail["index"], face)
            interpreter.invoke()
        batches.append((time.perf_counter() - start) / TFLITE_RUNS * 1000)
    # The delegate shows up as DELEGATE nodes beside the graph's own: none means XNNPACK took nothing.
    delegated = sum(1 for op in interpreter._get_ops_details() if op["op_name"] == "DELEGATE")
    return statistics.median(batches), delegated, interpreter


def tflite_anchor():
    model_path = os.path.join(os.path.dirname(fer.__file__), "data", "emotion_model_quantized.tflite")
    resolvers = tf.lite.experimental.OpResolverType
    # AUTO is TFLite's builtin kernels with its default delegate, XNNPACK on this CPU.
    xnnpack, delegated, interpreter = tflite_ms_per_face(model_path, resolvers.AUTO)
    plain, _, plain_interpreter = tflite_ms_per_face(model_path, resolvers.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
    int8 = [t for t in plain_interpreter.get_tensor_details()
            if t["dtype"] == np.int8 and len(t["quantization_parameters"]["scales"])]
    detail = interpreter.get_input_details()[0]
    print(f"  fer/data/emotion_model_quantized.tflite: input {'x'.join(map(str, detail['shape']))} "
          f"{detail['dtype'].__name__}, {len(int8)} int8 weight tensors (per-channel scales), float activations")
    print(f"  {xnnpack:.3f} ms per face with XNNPACK ({delegated} delegate nodes), 1 thread "
          f"(median of {TFLITE_BATCHES} batches of {TFLITE_RUNS}, after {TFLITE_WARMUP} warm-up invocations)")
    print(f"  {plain:.3f} ms per face without XNNPACK (TFLite's builtin kernels), 1 thread")
    return xnnpack, plain


def comparison(facemood, fer_rates, opencv, tflite_ms):
    """facemood's figures over the anchors: how many times fer's frames/s, OpenCV's speed, TFLite's speed."""
    analyze = {mode: facemood[f"analyze_fps.{mode}"] for mode in ("default", "exact", "exact, 1 thread")}
    ratios = {"default_over_fer": {}, "exact_over_fer": {}, "exact_one_thread_over_fer_one_thread": {},
              "opencv_over_facemood_detect": {}}
    print(f"facemood ({facemood['machine']}) beside the anchors: facemood's frames/s over fer's, "
          "with fer's default threads and facemood's (2 on this machine); one thread each")
    for name in FER_VIDEOS:
        fer_default, fer_one = fer_rates["default_threads"][name], fer_rates["one_thread"][name]
        ratios["default_over_fer"][name] = analyze["default"][name] / fer_default
        ratios["exact_over_fer"][name] = analyze["exact"][name] / fer_default
        ratios["exact_one_thread_over_fer_one_thread"][name] = analyze["exact, 1 thread"][name] / fer_one
        print(f"  {name:28s} fer {fer_default:6.1f} frames/s: default {analyze['default'][name]:7.1f} "
              f"({ratios['default_over_fer'][name]:5.1f}x), exact {analyze['exact'][name]:6.1f} "
              f"({ratios['exact_over_fer'][name]:4.1f}x); one thread: fer {fer_one:5.1f}, exact "
              f"{analyze['exact, 1 thread'][name]:6.1f} ({ratios['exact_one_thread_over_fer_one_thread'][name]:4.1f}x)")
    print("  full Haar scan, one thread, ms per frame:")
    for name, opencv_ms in opencv.items():
        ours = facemood["detect_ms_per_frame"][name]
        ratios["opencv_over_facemood_detect"][name] = opencv_ms / ours
        print(f"    {name:28s} facemood {ours:6.2f}, OpenCV {opencv_ms:6.2f}: {opencv_ms / ours:.1f}x OpenCV's speed")
    ours = facemood["model_ms_per_face"]
    ratios["facemood_cnn_over_tflite_int8"] = ours / tflite_ms
    print(f"  emotion CNN, one thread: facemood {ours:.3f} ms per face, TensorFlow Lite int8 {tflite_ms:.3f}: "
          f"{ours / tflite_ms:.2f} times its time")
    return ratios


def cpu_name():
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def main():
    root, json_path, limit, facemood_path = arguments(sys.argv[1:])
    facemood = None
    if facemood_path:
        with open(facemood_path) as handle:
            facemood = json.load(handle)
    import keras
    versions = {"python": platform.python_version(), "fer": fer.__version__, "tensorflow": tf.__version__,
                "keras": keras.__version__, "opencv": cv2.__version__, "numpy": np.__version__}
    print(f"anchors on {cpu_name()}, {os.cpu_count()} cores: " + ", ".join(f"{k} {v}" for k, v in versions.items()))
    began = time.perf_counter()

    print("")
    print("fer: FER(mtcnn=False).detect_emotions per decoded frame, frames/s"
          + (f", first {limit} frames" if limit else ", all frames"))
    fer_rates = fer_anchor(root, limit)
    print("")
    print("OpenCV detectMultiScale (scale 1.1, 5 neighbours, min size 30, models/ cascade), ms per frame")
    opencv = opencv_anchor(root)
    print("")
    print("TensorFlow Lite, fer's int8 emotion model, ms per face")
    xnnpack, plain = tflite_anchor()
    print("")
    print(f"measured in {time.perf_counter() - began:.0f} s")
    ratios = None
    if facemood:
        print("")
        ratios = comparison(facemood, fer_rates, opencv, xnnpack)

    if json_path:
        document = {
            "fer_fps": fer_rates["one_thread"],
            "fer_fps_default_threads": fer_rates["default_threads"],
            "fer_keras_fps": fer_rates["keras_one_thread"],
            "opencv_ms_per_frame": opencv,
            "tflite_int8_ms_per_face": xnnpack,
            "tflite_int8_ms_per_face_without_xnnpack": plain,
            "frames": {"fer": limit or "all", "opencv": OPENCV_FRAMES},
            "machine": {"cpu": cpu_name(), "cores": os.cpu_count()},
            "versions": versions,
        }
        if facemood:
            document["facemood"] = facemood
            document["ratios"] = ratios
        with open(json_path, "w") as handle:
            json.dump(document, handle, indent=2)
            handle.write("\n")


if __name__ == "__main__":
    sys.exit(main())
