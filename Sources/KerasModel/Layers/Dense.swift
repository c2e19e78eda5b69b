/// `Dense` on the last axis: kernel `[in, units]`, optional bias and fused activation.
struct Dense: Layer {
    let name: String
    let kerasClass = "Dense"
    let outputShape: [Int]
    let parameterCount: Int
    let inputFeatures: Int
    let units: Int
    let kernel: [Float]
    let bias: [Float]
    let activation: ActivationFunction

    init(_ spec: LayerSpec) throws {
        let shape = try spec.singleInputShape
        name = spec.name
        units = try spec.int("units")
        inputFeatures = shape.last ?? 1
        kernel = try spec.weight("kernel", shape: [inputFeatures, units])
        let useBias = try spec.bool("use_bias", default: true)
        bias = try spec.optionalWeight("bias", shape: [units], when: useBias) ?? [Float](repeating: 0, count: units)
        activation = try spec.activation()
        outputShape = Array(shape.dropLast()) + [units]
        parameterCount = kernel.count + (useBias ? units : 0)
    }

    func callAsFunction(_ inputs: [Tensor]) -> Tensor {
        var output = pointwiseProduct(inputs[0].data, inputChannels: inputFeatures, outputChannels: units, weights: kernel, bias: bias)
        activation.apply(&output, channels: units)
        return Tensor(shape: outputShape, data: output)
    }
}
