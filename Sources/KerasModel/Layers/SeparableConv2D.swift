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
    let pointwiseMatrix: PackedMatrix
    /// Keras's separable convolution adds its bias once, after the pointwise step.
    let zeroBias: [Float]
    var activation: ActivationFunction

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
        pointwiseMatrix = PackedMatrix(rows: depthwise.outputChannels, columns: filters, values: pointwise, bias: bias)
        zeroBias = [Float](repeating: 0, count: depthwise.outputChannels)
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
        pointwiseMatrix = PackedMatrix(rows: layer.depthwise.outputChannels, columns: layer.filters, values: pointwise, bias: bias)
        zeroBias = layer.zeroBias
        activation = layer.activation
    }

    func forward(_ inputs: [UnsafePointer<Float>], into output: UnsafeMutablePointer<Float>, scratch: Scratch) {
        let positions = outputShape[0] * outputShape[1]
        let spatial = scratch.floats(positions * depthwise.outputChannels)
        zeroBias.withUnsafeBufferPointer { depthwise.apply(inputs[0], bias: $0.baseAddress!, into: spatial) }
        pointwiseMatrix.multiply(spatial, count: positions, into: output, epilogue: activation.epilogue ?? .none)
        activation.applyUnlessFused(output, count: outputCount, channels: filters)
    }
}

extension SeparableConv2D: BatchNormFoldable {
    var foldableActivation: ActivationFunction { activation }
    var foldedChannels: Int { filters }
    func folded(scale: [Float], shift: [Float]) -> Layer { SeparableConv2D(folding: self, scale: scale, shift: shift) }
}
