/// `Activation`: one of the named activation functions.
struct Activation: Layer {
    let name: String
    let kerasClass = "Activation"
    let outputShape: [Int]
    let parameterCount = 0
    let function: ActivationFunction

    init(_ spec: LayerSpec) throws {
        name = spec.name
        outputShape = try spec.singleInputShape
        function = try spec.activation()
    }

    func forward(_ inputs: [UnsafePointer<Float>], into output: UnsafeMutablePointer<Float>, scratch: Scratch) {
        output.update(from: inputs[0], count: outputCount)
        function.apply(output, count: outputCount, channels: outputShape.last ?? 1)
    }
}
