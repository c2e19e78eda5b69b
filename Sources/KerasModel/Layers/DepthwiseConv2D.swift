/// `DepthwiseConv2D`: each input channel convolved with its own `depth_multiplier` kernels;
/// output channel `c * multiplier + m`, as TensorFlow orders them.
struct DepthwiseConv2D: Layer {
    let name: String
    let kerasClass = "DepthwiseConv2D"
    let outputShape: [Int]
    let parameterCount: Int
    let depthwise: DepthwiseKernel
    let bias: [Float]
    let activation: ActivationFunction

    init(_ spec: LayerSpec) throws {
        try spec.requireChannelsLast()
        name = spec.name
        // Keras 2 names the weight depthwise_kernel, Keras 3 kernel.
        depthwise = try DepthwiseKernel(spec: spec, weightKey: spec.weights["kernel"] != nil ? "kernel" : "depthwise_kernel")
        let channels = depthwise.outputChannels
        let useBias = try spec.bool("use_bias", default: true)
        bias = try spec.optionalWeight("bias", shape: [channels], when: useBias) ?? [Float](repeating: 0, count: channels)
        activation = try spec.activation()
        outputShape = [depthwise.geometry.rows.output, depthwise.geometry.columns.output, channels]
        parameterCount = depthwise.kernel.count + (useBias ? channels : 0)
    }

    private init(folding layer: DepthwiseConv2D, scale: [Float], shift: [Float]) {
        name = layer.name
        outputShape = layer.outputShape
        parameterCount = layer.parameterCount
        depthwise = layer.depthwise.scaled(by: scale)
        bias = (0..<layer.bias.count).map { layer.bias[$0] * scale[$0] + shift[$0] }
        activation = layer.activation
    }

    func callAsFunction(_ inputs: [Tensor]) -> Tensor {
        var output = depthwise.apply(inputs[0].data, bias: bias)
        activation.apply(&output, channels: depthwise.outputChannels)
        return Tensor(shape: outputShape, data: output)
    }
}

extension DepthwiseConv2D: BatchNormFoldable {
    var foldableActivation: ActivationFunction { activation }
    var foldedChannels: Int { depthwise.outputChannels }
    func folded(scale: [Float], shift: [Float]) -> Layer { DepthwiseConv2D(folding: self, scale: scale, shift: shift) }
}

/// The depthwise half shared by DepthwiseConv2D and SeparableConv2D: kernel `[kh, kw, in, multiplier]`.
struct DepthwiseKernel: Sendable {
    let geometry: WindowGeometry
    let inputChannels: Int
    let multiplier: Int
    let kernel: [Float]
    var outputChannels: Int { inputChannels * multiplier }

    init(spec: LayerSpec, weightKey: String) throws {
        let input = try spec.imageInputShape
        let size = try spec.pair("kernel_size")
        inputChannels = input.channels
        multiplier = try spec.int("depth_multiplier", default: 1)
        geometry = try WindowGeometry(spec: spec, height: input.height, width: input.width, kernel: size,
                                      stride: try spec.pair("strides", default: 1), dilation: try spec.pair("dilation_rate", default: 1))
        kernel = try spec.weight(weightKey, shape: [size.0, size.1, input.channels, multiplier])
    }

    private init(geometry: WindowGeometry, inputChannels: Int, multiplier: Int, kernel: [Float]) {
        self.geometry = geometry
        self.inputChannels = inputChannels
        self.multiplier = multiplier
        self.kernel = kernel
    }

    /// The kernel with output channel `k` multiplied by `scale[k]`.
    func scaled(by scale: [Float]) -> DepthwiseKernel {
        var kernel = self.kernel
        for index in kernel.indices { kernel[index] *= scale[index % outputChannels] }
        return DepthwiseKernel(geometry: geometry, inputChannels: inputChannels, multiplier: multiplier, kernel: kernel)
    }

    func apply(_ input: [Float], bias: [Float]?) -> [Float] {
        let rows = geometry.rows, columns = geometry.columns
        let channels = outputChannels
        var output = [Float](repeating: 0, count: rows.output * columns.output * channels)
        input.withUnsafeBufferPointer { source in
            kernel.withUnsafeBufferPointer { weights in
                output.withUnsafeMutableBufferPointer { target in
                    for oy in 0..<rows.output {
                        for ox in 0..<columns.output {
                            let out = target.baseAddress! + (oy * columns.output + ox) * channels
                            if let bias { for c in 0..<channels { out[c] = bias[c] } }
                            for ky in 0..<rows.kernel {
                                let iy = oy * rows.stride + ky * rows.dilation - rows.padBefore
                                if iy < 0 || iy >= rows.input { continue }
                                for kx in 0..<columns.kernel {
                                    let ix = ox * columns.stride + kx * columns.dilation - columns.padBefore
                                    if ix < 0 || ix >= columns.input { continue }
                                    let pixel = source.baseAddress! + (iy * columns.input + ix) * inputChannels
                                    let tap = weights.baseAddress! + (ky * columns.kernel + kx) * channels
                                    if multiplier == 1 {
                                        for c in 0..<channels { out[c] += pixel[c] * tap[c] }
                                    } else {
                                        for c in 0..<channels { out[c] += pixel[c / multiplier] * tap[c] }
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
}
