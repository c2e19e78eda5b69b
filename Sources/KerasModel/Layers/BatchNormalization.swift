/// A layer whose output channels can absorb a following per-channel affine map (`x * scale + shift`).
protocol BatchNormFoldable: Layer {
    /// Folding is only exact when nothing non-linear sits between the layer and the BatchNormalization.
    var foldableActivation: ActivationFunction { get }
    var foldedChannels: Int { get }
    func folded(scale: [Float], shift: [Float]) -> Layer
}

/// A layer that can apply an activation to its own output, saving a separate pass.
protocol ActivationFusable: Layer {
    var activation: ActivationFunction { get set }
}

extension Conv2D: ActivationFusable {}
extension DepthwiseConv2D: ActivationFusable {}
extension SeparableConv2D: ActivationFusable {}
extension Dense: ActivationFusable {}

/// `BatchNormalization` at inference: `gamma * (x - mean) / sqrt(variance + epsilon) + beta`, along the last axis.
struct BatchNormalization: Layer {
    let name: String
    let kerasClass = "BatchNormalization"
    let outputShape: [Int]
    let parameterCount: Int
    /// The normalisation as one multiply-add per channel.
    let scale: [Float]
    let shift: [Float]

    init(_ spec: LayerSpec) throws {
        let shape = try spec.singleInputShape
        let axis = spec.config["axis"]?.int ?? spec.config["axis"]?.array?.first?.int ?? -1
        guard axis == -1 || axis == shape.count else {
            throw ModelError.unsupportedConfiguration(path: spec.path, layer: spec.name, setting: "axis", value: "\(axis) (only the last axis)")
        }
        name = spec.name
        outputShape = shape
        let channels = shape.last ?? 1
        let center = try spec.bool("center", default: true)
        let useScale = try spec.bool("scale", default: true)
        let epsilon = try spec.double("epsilon", default: 1e-3)
        let gamma = try spec.optionalWeight("gamma", shape: [channels], when: useScale)
        let beta = try spec.optionalWeight("beta", shape: [channels], when: center)
        let mean = try spec.weight("moving_mean", shape: [channels])
        let variance = try spec.weight("moving_variance", shape: [channels])
        // TensorFlow computes rsqrt(variance + epsilon) * gamma in float32, then x * that + (beta - mean * that).
        var scale = [Float](repeating: 0, count: channels), shift = [Float](repeating: 0, count: channels)
        for c in 0..<channels {
            let inverse = 1 / (variance[c] + Float(epsilon)).squareRoot()
            scale[c] = inverse * (gamma?[c] ?? 1)
            shift[c] = (beta?[c] ?? 0) - mean[c] * scale[c]
        }
        self.scale = scale
        self.shift = shift
        parameterCount = channels * 2 + (gamma == nil ? 0 : channels) + (beta == nil ? 0 : channels)
    }

    func forward(_ inputs: [UnsafePointer<Float>], into output: UnsafeMutablePointer<Float>, scratch: Scratch) {
        let channels = scale.count
        let source = inputs[0]
        scale.withUnsafeBufferPointer { scale in
            shift.withUnsafeBufferPointer { shift in
                var start = 0
                let count = outputCount
                while start < count {
                    for c in 0..<channels { output[start + c] = source[start + c] * scale[c] + shift[c] }
                    start += channels
                }
            }
        }
    }
}
