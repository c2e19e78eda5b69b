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

    func forward(_ inputs: [UnsafePointer<Float>], into output: UnsafeMutablePointer<Float>, scratch: Scratch) {
        let source = inputs[0]
        for index in 0..<outputCount {
            let x = source[index]
            output[index] = x > 0 ? x : slope * x
        }
    }
}
