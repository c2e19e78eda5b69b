/// `Dense` on the last axis: kernel `[in, units]`, optional bias and fused activation.
struct Dense: Layer {
    let name: String
    let kerasClass = "Dense"
    let outputShape: [Int]
    let parameterCount: Int
    let inputFeatures: Int
    let units: Int
    let matrix: PackedMatrix
    var activation: ActivationFunction

    init(_ spec: LayerSpec) throws {
        let shape = try spec.singleInputShape
        name = spec.name
        units = try spec.int("units")
        inputFeatures = shape.last ?? 1
        let kernel = try spec.weight("kernel", shape: [inputFeatures, units])
        let useBias = try spec.bool("use_bias", default: true)
        let bias = try spec.optionalWeight("bias", shape: [units], when: useBias) ?? [Float](repeating: 0, count: units)
        matrix = PackedMatrix(rows: inputFeatures, columns: units, values: kernel, bias: bias)
        activation = try spec.activation()
        outputShape = Array(shape.dropLast()) + [units]
        parameterCount = kernel.count + (useBias ? units : 0)
    }

    func forward(_ inputs: [UnsafePointer<Float>], into output: UnsafeMutablePointer<Float>, scratch: Scratch) {
        matrix.multiply(inputs[0], count: outputCount / units, into: output)
        activation.apply(output, count: outputCount, channels: units)
    }
}
