import Foundation

/// The element-wise (and softmax) activations Keras layers name by string.
enum ActivationFunction: Sendable, Equatable {
    case linear, relu, relu6, elu, selu, tanh, sigmoid, softmax, swish
    /// Keras 2: clip(0.2x + 0.5, 0, 1); Keras 3: relu6(x + 3) / 6.
    case hardSigmoid(keras3: Bool)

    static let names = ["linear", "relu", "relu6", "elu", "selu", "tanh", "sigmoid", "hard_sigmoid", "softmax", "swish", "silu"]

    init(config: JSONValue?, spec: LayerSpec) throws {
        var name = config?.string
        // Keras 3 may serialise an activation as {"class_name": "function", "config": "relu"}.
        if name == nil, let serialized = config?["config"]?.string { name = serialized }
        guard let config, !config.isNull else {
            self = .linear
            return
        }
        switch name {
        case "linear": self = .linear
        case "relu": self = .relu
        case "relu6": self = .relu6
        case "elu": self = .elu
        case "selu": self = .selu
        case "tanh": self = .tanh
        case "sigmoid": self = .sigmoid
        case "hard_sigmoid": self = .hardSigmoid(keras3: spec.kerasMajorVersion >= 3)
        case "softmax": self = .softmax
        case "swish", "silu": self = .swish
        default:
            throw ModelError.unsupportedConfiguration(path: spec.path, layer: spec.name, setting: "activation",
                                                      value: config.summary + " (supported: " + Self.names.joined(separator: ", ") + ")")
        }
    }

    /// The function as the epilogue of the kernel that produces its input, for those that are a clamp
    /// (linear, ReLU, ReLU6); nil for the others, which `apply` runs over the kernel's output.
    var epilogue: Epilogue? {
        switch self {
        case .linear: return Epilogue.none
        case .relu: return Epilogue.relu
        case .relu6: return Epilogue.relu6
        default: return nil
        }
    }

    /// `apply` for a kernel that was given `epilogue`: nothing left to do when the kernel ran the function.
    func applyUnlessFused(_ values: UnsafeMutablePointer<Float>, count: Int, channels: Int) {
        if epilogue == nil { apply(values, count: count, channels: channels) }
    }

    /// Applies the function in place to `count` values; softmax works along the last axis of `channels` values.
    func apply(_ values: UnsafeMutablePointer<Float>, count: Int, channels: Int) {
        let values = UnsafeMutableBufferPointer(start: values, count: count)
        switch self {
        case .linear: return
        case .relu: mapInPlace(values) { max($0, 0) }
        case .relu6: mapInPlace(values) { min(max($0, 0), 6) }
        case .elu: mapInPlace(values) { $0 > 0 ? $0 : expm1f($0) }
        case .selu:
            // The constants of Klambauer et al. as Keras states them.
            let alpha: Float = 1.6732632423543772848170429916717
            let scale: Float = 1.0507009873554804934193349852946
            mapInPlace(values) { $0 > 0 ? scale * $0 : scale * alpha * expm1f($0) }
        case .tanh: mapInPlace(values) { tanhf($0) }
        case .sigmoid: mapInPlace(values) { Self.sigmoid($0) }
        case let .hardSigmoid(keras3):
            if keras3 {
                mapInPlace(values) { min(max($0 + 3, 0), 6) / 6 }
            } else {
                mapInPlace(values) { min(max(0.2 * $0 + 0.5, 0), 1) }
            }
        case .swish: mapInPlace(values) { $0 * Self.sigmoid($0) }
        case .softmax: Self.softmax(values, channels: channels)
        }
    }

    static func sigmoid(_ x: Float) -> Float { 1 / (1 + expf(-x)) }

    /// Subtracts the maximum first, as TensorFlow does, so large logits do not overflow.
    static func softmax(_ buffer: UnsafeMutableBufferPointer<Float>, channels: Int) {
        guard channels > 0 else { return }
        do {
            var start = 0
            while start < buffer.count {
                let row = UnsafeMutableBufferPointer(rebasing: buffer[start..<(start + channels)])
                let peak = row.max() ?? 0
                var sum: Float = 0
                for index in row.indices {
                    row[index] = expf(row[index] - peak)
                    sum += row[index]
                }
                for index in row.indices { row[index] /= sum }
                start += channels
            }
        }
    }
}

@inline(__always)
func mapInPlace(_ buffer: UnsafeMutableBufferPointer<Float>, _ transform: (Float) -> Float) {
    for index in buffer.indices { buffer[index] = transform(buffer[index]) }
}
