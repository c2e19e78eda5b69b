/// `Conv2D`: kernel `[kh, kw, in, out]`, optional bias, optional fused activation.
struct Conv2D: Layer {
    let name: String
    let kerasClass = "Conv2D"
    let outputShape: [Int]
    let parameterCount: Int
    let geometry: WindowGeometry
    let inputChannels: Int
    let filters: Int
    /// Keras's layout `[kh][kw][in][out]`: the output channels of one tap are contiguous.
    let kernel: [Float]
    let bias: [Float]
    let activation: ActivationFunction

    init(_ spec: LayerSpec) throws {
        try spec.requireChannelsLast()
        let input = try spec.imageInputShape
        let size = try spec.pair("kernel_size")
        let groups = try spec.int("groups", default: 1)
        guard groups == 1 else { throw spec.invalid("groups") }
        name = spec.name
        filters = try spec.int("filters")
        inputChannels = input.channels
        geometry = try WindowGeometry(spec: spec, height: input.height, width: input.width, kernel: size,
                                      stride: try spec.pair("strides", default: 1), dilation: try spec.pair("dilation_rate", default: 1))
        kernel = try spec.weight("kernel", shape: [size.0, size.1, input.channels, filters])
        let useBias = try spec.bool("use_bias", default: true)
        bias = try spec.optionalWeight("bias", shape: [filters], when: useBias) ?? [Float](repeating: 0, count: filters)
        activation = try spec.activation()
        outputShape = [geometry.rows.output, geometry.columns.output, filters]
        parameterCount = kernel.count + (useBias ? filters : 0)
    }

    init(folding conv: Conv2D, scale: [Float], shift: [Float]) {
        name = conv.name
        outputShape = conv.outputShape
        parameterCount = conv.parameterCount
        geometry = conv.geometry
        inputChannels = conv.inputChannels
        filters = conv.filters
        activation = conv.activation
        var kernel = conv.kernel
        for index in kernel.indices { kernel[index] *= scale[index % conv.filters] }
        self.kernel = kernel
        bias = (0..<conv.filters).map { conv.bias[$0] * scale[$0] + shift[$0] }
    }

    func callAsFunction(_ inputs: [Tensor]) -> Tensor {
        var output = convolve(inputs[0].data, geometry: geometry, inputChannels: inputChannels, outputChannels: filters,
                              kernel: kernel, bias: bias)
        activation.apply(&output, channels: filters)
        return Tensor(shape: outputShape, data: output)
    }
}

extension Conv2D: BatchNormFoldable {
    var foldableActivation: ActivationFunction { activation }
    var foldedChannels: Int { filters }
    func folded(scale: [Float], shift: [Float]) -> Layer { Conv2D(folding: self, scale: scale, shift: shift) }
}

/// Dense convolution, channels last: every output pixel accumulates, tap by tap, input channel by input
/// channel, a row of `outputChannels` weights (a contiguous, vectorisable inner loop).
func convolve(_ input: [Float], geometry: WindowGeometry, inputChannels: Int, outputChannels: Int,
              kernel: [Float], bias: [Float]) -> [Float] {
    let rows = geometry.rows, columns = geometry.columns
    var output = [Float](repeating: 0, count: rows.output * columns.output * outputChannels)
    input.withUnsafeBufferPointer { source in
        kernel.withUnsafeBufferPointer { weights in
            output.withUnsafeMutableBufferPointer { target in
                for oy in 0..<rows.output {
                    for ox in 0..<columns.output {
                        let out = target.baseAddress! + (oy * columns.output + ox) * outputChannels
                        for co in 0..<outputChannels { out[co] = bias[co] }
                        for ky in 0..<rows.kernel {
                            let iy = oy * rows.stride + ky * rows.dilation - rows.padBefore
                            if iy < 0 || iy >= rows.input { continue }
                            for kx in 0..<columns.kernel {
                                let ix = ox * columns.stride + kx * columns.dilation - columns.padBefore
                                if ix < 0 || ix >= columns.input { continue }
                                let pixel = source.baseAddress! + (iy * columns.input + ix) * inputChannels
                                let tap = weights.baseAddress! + ((ky * columns.kernel + kx) * inputChannels) * outputChannels
                                for ci in 0..<inputChannels {
                                    let value = pixel[ci]
                                    let row = tap + ci * outputChannels
                                    for co in 0..<outputChannels { out[co] += value * row[co] }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    return output
}
