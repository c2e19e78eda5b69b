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

    func callAsFunction(_ inputs: [Tensor]) -> Tensor {
        var data = inputs[0].data
        function.apply(&data, channels: inputs[0].channels)
        return Tensor(shape: outputShape, data: data)
    }
}
