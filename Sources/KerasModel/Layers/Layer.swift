/// A Keras layer at inference time. Instances are immutable once built, so one model serves many threads.
protocol Layer: Sendable {
    var name: String { get }
    /// Keras's `class_name`.
    var kerasClass: String { get }
    var outputShape: [Int] { get }
    var parameterCount: Int { get }
    /// Writes the output for `inputs` (each laid out as its input shape) into `output`, which holds
    /// `outputShape`'s element count. Nothing is allocated here: temporary space comes from `scratch`.
    func forward(_ inputs: [UnsafePointer<Float>], into output: UnsafeMutablePointer<Float>, scratch: Scratch)
}

/// Reusable temporary memory for one inference thread (im2col patches, depthwise intermediates).
/// Activation buffers of the given sizes (floats, zeroed), allocated once and freed in deinit: a session's
/// working memory, one buffer per slot of its memory plan.
package final class ActivationBuffers {
    private let buffers: [UnsafeMutablePointer<Float>]

    package init(sizes: [Int]) {
        buffers = sizes.map { size in
            let buffer = UnsafeMutablePointer<Float>.allocate(capacity: max(size, 1))
            buffer.initialize(repeating: 0, count: max(size, 1))
            return buffer
        }
    }

    package subscript(slot: Int) -> UnsafeMutablePointer<Float> { buffers[slot] }

    deinit {
        for buffer in buffers { buffer.deallocate() }
    }
}

package final class Scratch {
    package init() {}

    private(set) var capacity = 0
    private var storage: UnsafeMutablePointer<Float>?

    /// At least `count` floats, valid until the next call.
    package func floats(_ count: Int) -> UnsafeMutablePointer<Float> {
        if count > capacity || storage == nil {
            storage?.deallocate()
            storage = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
            capacity = max(count, 1)
        }
        return storage!
    }

    deinit {
        storage?.deallocate()
    }
}

extension Layer {
    var outputCount: Int { outputShape.reduce(1, *) }
}

/// Everything a layer constructor gets: its configuration, its weights by short name
/// (`kernel`, `bias`, `gamma`, …) and the shapes of its inputs.
struct LayerSpec {
    let path: String
    let name: String
    let kerasClass: String
    let config: JSONValue
    let weights: [String: Weight]
    let inputShapes: [[Int]]
    /// 2 or 3: a few defaults and formulas changed between Keras 2 and Keras 3.
    let kerasMajorVersion: Int

    struct Weight {
        let shape: [Int]
        let values: [Float]
    }

    var singleInputShape: [Int] {
        get throws {
            guard inputShapes.count == 1 else {
                throw ModelError.shapeMismatch(path: path, layer: name, expected: "one input", found: "\(inputShapes.count)")
            }
            return inputShapes[0]
        }
    }

    /// The input as height × width × channels.
    var imageInputShape: (height: Int, width: Int, channels: Int) {
        get throws {
            let shape = try singleInputShape
            guard shape.count == 3 else {
                throw ModelError.shapeMismatch(path: path, layer: name, expected: "an image input (height, width, channels)",
                                               found: kerasShape(shape))
            }
            return (shape[0], shape[1], shape[2])
        }
    }

    func weight(_ key: String, shape expected: [Int]) throws -> [Float] {
        guard let weight = weights[key] else {
            throw ModelError.malformed(path: path, expected: "a '\(key)' weight for layer '\(name)'",
                                       found: weights.isEmpty ? "no weights" : "only " + weights.keys.sorted().joined(separator: ", "))
        }
        guard weight.shape == expected else {
            throw ModelError.shapeMismatch(path: path, layer: name, expected: "\(key) of shape \(expected)", found: "\(weight.shape)")
        }
        return weight.values
    }

    func optionalWeight(_ key: String, shape: [Int], when present: Bool) throws -> [Float]? {
        present ? try weight(key, shape: shape) : nil
    }

    func int(_ key: String, default fallback: Int? = nil) throws -> Int {
        if let value = config[key]?.int { return value }
        if let fallback, config[key] == nil || config[key]!.isNull { return fallback }
        throw invalid(key)
    }

    func double(_ key: String, default fallback: Double) throws -> Double {
        guard let value = config[key], !value.isNull else { return fallback }
        guard let number = value.double else { throw invalid(key) }
        return number
    }

    func optionalDouble(_ key: String) throws -> Double? {
        guard let value = config[key], !value.isNull else { return nil }
        guard let number = value.double else { throw invalid(key) }
        return number
    }

    func bool(_ key: String, default fallback: Bool) throws -> Bool {
        guard let value = config[key], !value.isNull else { return fallback }
        guard let flag = value.bool else { throw invalid(key) }
        return flag
    }

    func string(_ key: String, default fallback: String) throws -> String {
        guard let value = config[key], !value.isNull else { return fallback }
        guard let text = value.string else { throw invalid(key) }
        return text
    }

    func pair(_ key: String, default fallback: Int? = nil) throws -> (Int, Int) {
        if let fallback, config[key] == nil || config[key]!.isNull { return (fallback, fallback) }
        guard let values = config[key]?.intList(count: 2) else { throw invalid(key) }
        return (values[0], values[1])
    }

    func invalid(_ key: String) -> ModelError {
        ModelError.unsupportedConfiguration(path: path, layer: name, setting: key, value: config[key]?.summary ?? "missing")
    }

    /// Only channels_last is implemented; Keras's default is channels_last.
    func requireChannelsLast() throws {
        let format = try string("data_format", default: "channels_last")
        guard format == "channels_last" else {
            throw ModelError.unsupportedConfiguration(path: path, layer: name, setting: "data_format", value: "'\(format)' (only channels_last)")
        }
    }

    func activation(_ key: String = "activation") throws -> ActivationFunction {
        try ActivationFunction(config: config[key], spec: self)
    }
}
