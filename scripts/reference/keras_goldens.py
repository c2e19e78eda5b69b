"""Writes the Keras golden fixtures under Tests/Fixtures/keras/ with TensorFlow as the reference.

(a) builds small models that together use every layer facemood supports, Sequential and Functional,
    with random but seeded weights, saves them as HDF5 with Keras 3 (legacy .h5 format) and keeps each
    as a JSON description (`<name>.h5.json`, see h5_to_json.py) from which the tests rebuild the file;
(b) writes seeded inputs and Keras's outputs (and the logits before the final softmax, scaled so that
    no output is saturated) for them, and for the default model (random inputs and real face crops from
    the sample media, converted to gray by the ffmpeg CLI like facemood does);
(c) writes cv2.resize INTER_LINEAR results on 8-bit images, the resize facemood must reproduce.

Run with `make goldens` (creates a virtual environment from requirements.txt beside this file).
"""
import json
import os
import subprocess
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from tensorflow import keras  # noqa: E402
from keras import layers  # noqa: E402

import h5_to_json  # noqa: E402  (beside this script)

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "keras")
MEDIA = os.path.join(ROOT, "samples", "media")
rng = np.random.default_rng(20261125)


def f32(values):
    """Shortest text that reads back as the same float32."""
    return [float(np.format_float_positional(np.float32(v), unique=True, trim="-")) for v in np.ravel(values)]


def randomize_weights(model):
    """Replaces every weight with seeded noise; BatchNorm statistics stay plausible (variance > 0)."""
    for layer in model.layers:
        new = []
        for weight in layer.weights:
            shape = tuple(weight.shape)
            name = weight.name
            if "moving_variance" in name:
                new.append(rng.uniform(0.5, 2.0, shape))
            elif "gamma" in name:
                new.append(rng.uniform(0.5, 1.5, shape))
            elif "alpha" in name:
                new.append(rng.uniform(0.0, 0.5, shape))
            else:
                new.append(rng.normal(0, 0.4, shape))
        if new:
            layer.set_weights([w.astype(np.float32) for w in new])


def dense_activations():
    inputs = keras.Input(shape=(10,), name="features")
    hidden = layers.Dense(12, name="hidden")(inputs)
    names = ["linear", "relu", "relu6", "elu", "selu", "tanh", "sigmoid", "hard_sigmoid", "softmax", "swish"]
    branches = [layers.Activation(name, name=f"act_{name}")(hidden) for name in names]
    merged = layers.Concatenate(name="all_activations")(branches)
    noisy = layers.GaussianNoise(0.5, name="noise")(merged)
    dropped = layers.Dropout(0.5, name="drop")(noisy)
    outputs = layers.Dense(5, activation="softmax", name="probabilities")(dropped)
    return keras.Model(inputs, outputs, name="dense_activations")


def conv_functional():
    inputs = keras.Input(shape=(17, 20, 3), name="image")
    x = layers.Conv2D(6, 3, strides=2, padding="same", name="conv_same_s2")(inputs)
    x = layers.BatchNormalization(name="bn_after_conv")(x)
    x = layers.ReLU(max_value=6.0, negative_slope=0.1, threshold=0.05, name="relu_capped")(x)
    x = layers.DepthwiseConv2D(3, depth_multiplier=2, padding="same", name="depthwise")(x)
    x = layers.LeakyReLU(negative_slope=0.2, name="leaky")(x)
    x = layers.SeparableConv2D(8, 3, padding="valid", dilation_rate=2, name="separable_dilated")(x)
    x = layers.PReLU(shared_axes=[1, 2], name="prelu")(x)
    x = layers.ZeroPadding2D(((1, 0), (2, 1)), name="pad")(x)
    x = layers.MaxPooling2D(2, strides=2, padding="same", name="max_same")(x)
    x = layers.AveragePooling2D(2, strides=1, padding="same", name="avg_same")(x)
    a = layers.Conv2D(8, 1, activation="tanh", name="branch_a")(x)
    b = layers.Conv2D(8, 3, padding="same", dilation_rate=(1, 2), use_bias=False, name="branch_b")(x)
    b = layers.BatchNormalization(center=False, name="bn_no_center")(b)
    added = layers.Add(name="add")([a, b, x])
    multiplied = layers.Multiply(name="multiply")([a, b])
    x = layers.Concatenate(axis=-1, name="concat")([added, multiplied])
    x = layers.SpatialDropout2D(0.3, name="spatial_drop")(x)
    x = layers.Conv2D(4, 2, strides=(2, 1), padding="valid", activation="elu", name="conv_valid_strided")(x)
    pooled_max = layers.GlobalMaxPooling2D(name="gmax")(x)
    pooled_avg = layers.GlobalAveragePooling2D(name="gavg")(x)
    x = layers.Concatenate(name="pooled")([pooled_max, pooled_avg])
    outputs = layers.Dense(3, activation="softmax", name="probabilities")(x)
    return keras.Model(inputs, outputs, name="conv_functional")


def vgg48_sequential():
    """The original real-time script's kind of model: VGG-style, 48×48 gray, six classes."""
    return keras.Sequential([
        keras.Input(shape=(48, 48, 1)),
        layers.Conv2D(8, 3, padding="same", activation="elu", name="block1_conv1"),
        layers.BatchNormalization(name="block1_bn1"),
        layers.Conv2D(8, 3, padding="same", activation="relu", name="block1_conv2"),
        layers.BatchNormalization(name="block1_bn2"),
        layers.MaxPooling2D(2, name="block1_pool"),
        layers.Dropout(0.25, name="block1_drop"),
        layers.Conv2D(16, 3, padding="same", activation="elu", name="block2_conv1"),
        layers.BatchNormalization(name="block2_bn1"),
        layers.AveragePooling2D(3, strides=2, name="block2_pool"),
        layers.Reshape((11, 11 * 16), name="rows"),
        layers.Reshape((11, 11, 16), name="back"),
        layers.Flatten(name="flatten"),
        layers.Dense(32, activation="relu", name="fc1"),
        layers.BatchNormalization(name="fc1_bn"),
        layers.Dropout(0.5, name="fc1_drop"),
        layers.Dense(6, activation="softmax", name="predictions"),
    ], name="vgg48")


def unsupported_layer():
    inputs = keras.Input(shape=(6, 6, 2))
    x = layers.Conv2D(2, 3, name="conv")(inputs)
    x = layers.LayerNormalization(name="layer_norm")(x)
    return keras.Model(inputs, layers.Flatten()(x), name="unsupported")


def keep_as_json(path):
    """Replaces an HDF5 file by its committed JSON description."""
    with open(path + ".json", "w") as handle:
        json.dump(h5_to_json.dump(path), handle, separators=(",", ":"))
        handle.write("\n")
    os.remove(path)


def final_features(model):
    """A model giving what the last (softmax Dense) layer reads, to compute its logits."""
    return keras.Model(model.inputs, model.layers[-1].input)


def unsaturate(model, inputs, spread=1.0):
    """Scales the softmax layer so that its logits spread by about `spread` on `inputs`.

    With random weights the logits grow with depth and the softmax saturates (one-hot to 1e-21), and a
    saturated output hides a wrong layer at any tolerance. Scaling the last layer keeps every other layer
    as drawn and leaves every class a probability that an error anywhere upstream would move.
    """
    last = model.layers[-1]
    kernel, bias = last.get_weights()
    features = final_features(model).predict(inputs, verbose=0)
    logits = features @ kernel + bias
    scale = spread / max(float(np.std(logits, axis=1).mean()), 1e-6)
    last.set_weights([(kernel * scale).astype(np.float32), (bias * scale).astype(np.float32)])


def save_case(model, name, inputs):
    unsaturate(model, inputs)
    path = os.path.join(OUT, name + ".h5")
    model.save(path)
    reloaded = keras.models.load_model(path, compile=False)
    outputs = reloaded.predict(inputs, verbose=0)
    kernel, bias = reloaded.layers[-1].get_weights()
    logits = final_features(reloaded).predict(inputs, verbose=0) @ kernel + bias
    keep_as_json(path)
    write_json(name + ".golden.json", {
        "model": name + ".h5",
        "input_shape": list(inputs.shape[1:]),
        "inputs": [f32(sample) for sample in inputs],
        "outputs": [f32(sample) for sample in outputs],
        "logits": [f32(sample) for sample in logits],
    })


def write_json(name, document):
    with open(os.path.join(OUT, name), "w") as handle:
        json.dump(document, handle, separators=(",", ":"))
        handle.write("\n")


def gray_frame(path):
    """The image as facemood's decoder sees it: ffmpeg's GRAY8 conversion."""
    probe = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                            "stream=width,height", "-of", "csv=p=0", path], capture_output=True, check=True, text=True)
    width, height = map(int, probe.stdout.strip().split(","))
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", path, "-frames:v", "1", "-pix_fmt", "gray", "-f", "rawvideo", "-"],
                         capture_output=True, check=True).stdout
    return np.frombuffer(raw, dtype=np.uint8).reshape(height, width)


def default_model_goldens():
    model = keras.models.load_model(os.path.join(ROOT, "models", "emotion_model.hdf5"), compile=False)
    random_inputs = rng.uniform(-1, 1, (4, 64, 64, 1)).astype(np.float32)
    random_outputs = model.predict(random_inputs, verbose=0)
    crops = []
    for name in ["0-f1-su-ph.jpg", "0-f15-hao-ph.jpg", "15-f13-anc-ph.jpg", "45-m7-di-ph.jpg", "single_face.jpg"]:
        gray = gray_frame(os.path.join(MEDIA, name))
        resized = cv2.resize(gray, (64, 64), interpolation=cv2.INTER_LINEAR)
        normalized = (resized.astype(np.float32) / 255.0 - 0.5) * 2.0
        probabilities = model.predict(normalized.reshape(1, 64, 64, 1), verbose=0)[0]
        crops.append({"image": name, "resized": resized.ravel().tolist(), "probabilities": f32(probabilities)})
    write_json("emotion_model.golden.json", {
        "model": "models/emotion_model.hdf5",
        "input_shape": [64, 64, 1],
        "inputs": [f32(sample) for sample in random_inputs],
        "outputs": [f32(sample) for sample in random_outputs],
        "crops": crops,
    })


def resize_goldens():
    cases = []
    for (width, height, out_width, out_height) in [(96, 80, 64, 64), (31, 29, 64, 64), (64, 64, 48, 48),
                                                   (128, 128, 64, 64), (200, 150, 64, 64), (7, 13, 5, 17),
                                                   (64, 64, 64, 64), (101, 57, 48, 48), (40, 40, 64, 64),
                                                   (157, 157, 64, 64), (83, 83, 64, 64), (251, 251, 64, 64),
                                                   (120, 120, 48, 48), (33, 33, 64, 64), (66, 66, 64, 64)]:
        image = rng.integers(0, 256, (height, width), dtype=np.uint8)
        resized = cv2.resize(image, (out_width, out_height), interpolation=cv2.INTER_LINEAR)
        cases.append({"width": width, "height": height, "out_width": out_width, "out_height": out_height,
                      "image": image.ravel().tolist(), "resized": resized.ravel().tolist()})
    with open(os.path.join(ROOT, "Tests", "Fixtures", "resize.golden.json"), "w") as handle:
        json.dump({"reference": f"cv2.resize INTER_LINEAR, OpenCV {cv2.__version__}", "cases": cases}, handle,
                  separators=(",", ":"))
        handle.write("\n")


def main():
    os.makedirs(OUT, exist_ok=True)
    tf.keras.utils.set_random_seed(1)
    for build, name, shape in [(dense_activations, "dense_activations", (10,)),
                               (conv_functional, "conv_functional", (17, 20, 3)),
                               (vgg48_sequential, "vgg48_sequential", (48, 48, 1))]:
        model = build()
        randomize_weights(model)
        save_case(model, name, rng.normal(0, 1, (3,) + shape).astype(np.float32))
    unsupported = unsupported_layer()
    unsupported.save(os.path.join(OUT, "unsupported_layer.h5"))
    unsupported.save_weights(os.path.join(OUT, "weights_only.weights.h5"))
    keep_as_json(os.path.join(OUT, "unsupported_layer.h5"))
    keep_as_json(os.path.join(OUT, "weights_only.weights.h5"))
    default_model_goldens()
    resize_goldens()
    print(f"golden fixtures written with TensorFlow {tf.__version__}, Keras {keras.__version__}, OpenCV {cv2.__version__}")


if __name__ == "__main__":
    sys.exit(main())
