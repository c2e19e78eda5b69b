/// `LeakyReLU`: `x` for positive inputs, `slope * x` otherwise. Keras 2 calls the slope `alpha`,
/// Keras 3 `negative_slope`; both default to 0.3.
struct LeakyReLU: Layer {
    let name: String
    let kerasClass = "LeakyReLU"
    let outputShape: [Int]
    let parameterCount = 0
    let slope: Float

    init(_ spec: LayerSpec) throws {
        name = spec.name
        outputShape = try spec.singleInputShape
        slope = Float(try spec.optionalDouble("negative_slope") ?? spec.optionalDouble("alpha") ?? 0.3)
    }

    func callAsFunction(_ inputs: [Tensor]) -> Tensor {
        var data = inputs[0].data
        mapInPlace(&data) { $0 > 0 ? $0 : slope * $0 }
        return Tensor(shape: outputShape, data: data)
    }
}
