/// `SeparableConv2D`: a depthwise convolution (no bias) followed by a 1×1 pointwise convolution with bias.
struct SeparableConv2D: Layer {
    let name: String
    let kerasClass = "SeparableConv2D"
    let outputShape: [Int]
    let parameterCount: Int
    let depthwise: DepthwiseKernel
    let filters: Int
    /// `[in * multiplier][filters]`.
    let pointwise: [Float]
    let bias: [Float]
    let activation: ActivationFunction

    init(_ spec: LayerSpec) throws {
        try spec.requireChannelsLast()
        name = spec.name
        depthwise = try DepthwiseKernel(spec: spec, weightKey: "depthwise_kernel")
        filters = try spec.int("filters")
        pointwise = try spec.weight("pointwise_kernel", shape: [1, 1, depthwise.outputChannels, filters])
        let useBias = try spec.bool("use_bias", default: true)
        bias = try spec.optionalWeight("bias", shape: [filters], when: useBias) ?? [Float](repeating: 0, count: filters)
        activation = try spec.activation()
        outputShape = [depthwise.geometry.rows.output, depthwise.geometry.columns.output, filters]
        parameterCount = depthwise.kernel.count + pointwise.count + (useBias ? filters : 0)
    }

    private init(folding layer: SeparableConv2D, scale: [Float], shift: [Float]) {
        name = layer.name
        outputShape = layer.outputShape
        parameterCount = layer.parameterCount
        depthwise = layer.depthwise
        filters = layer.filters
        var pointwise = layer.pointwise
        for index in pointwise.indices { pointwise[index] *= scale[index % layer.filters] }
        self.pointwise = pointwise
        bias = (0..<layer.filters).map { layer.bias[$0] * scale[$0] + shift[$0] }
        activation = layer.activation
    }

    func callAsFunction(_ inputs: [Tensor]) -> Tensor {
        let spatial = depthwise.apply(inputs[0].data, bias: nil)
        var output = pointwiseProduct(spatial, inputChannels: depthwise.outputChannels, outputChannels: filters,
                                      weights: pointwise, bias: bias)
        activation.apply(&output, channels: filters)
        return Tensor(shape: outputShape, data: output)
    }
}

extension SeparableConv2D: BatchNormFoldable {
    var foldableActivation: ActivationFunction { activation }
    var foldedChannels: Int { filters }
    func folded(scale: [Float], shift: [Float]) -> Layer { SeparableConv2D(folding: self, scale: scale, shift: shift) }
}

/// `output[p][o] = bias[o] + Σ_i input[p][i] · weights[i][o]` for every position `p`: a 1×1 convolution,
/// and Dense on the last axis.
func pointwiseProduct(_ input: [Float], inputChannels: Int, outputChannels: Int, weights: [Float], bias: [Float]) -> [Float] {
    let positions = input.count / inputChannels
    var output = [Float](repeating: 0, count: positions * outputChannels)
    input.withUnsafeBufferPointer { source in
        weights.withUnsafeBufferPointer { matrix in
            output.withUnsafeMutableBufferPointer { target in
                for position in 0..<positions {
                    let out = target.baseAddress! + position * outputChannels
                    for o in 0..<outputChannels { out[o] = bias[o] }
                    let pixel = source.baseAddress! + position * inputChannels
                    for i in 0..<inputChannels {
                        let value = pixel[i]
                        let row = matrix.baseAddress! + i * outputChannels
                        for o in 0..<outputChannels { out[o] += value * row[o] }
                    }
                }
            }
        }
    }
    return output
}
