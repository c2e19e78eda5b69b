import FuzzSupport
import TFLiteModel

// TensorFlow Lite FlatBuffers → TFLiteModel; a model that loads with a small input is also run once on zeros
// (running BlazeFace itself under the sanitizer and coverage would leave a few executions a second).
fuzz { data in
    guard let model = try? TFLiteModel(bytes: [UInt8](data), path: "fuzz.tflite") else { return }
    let count = model.inputShape.reduce(1, *)
    guard count <= 1 << 12 else { return }
    _ = try? TFLiteSession(model: model).run([Float](repeating: 0, count: count))
}
