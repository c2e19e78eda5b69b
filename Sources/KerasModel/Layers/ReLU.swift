/// `ReLU` with Keras's options: `x` for `x >= threshold` (capped at `max_value`), else
/// `negative_slope * (x - threshold)`.
struct ReLU: Layer {
    let name: String
    let kerasClass = "ReLU"
    let outputShape: [Int]
    let parameterCount = 0
    let maxValue: Float?
    let negativeSlope: Float
    let threshold: Float

    init(_ spec: LayerSpec) throws {
        name = spec.name
        outputShape = try spec.singleInputShape
        maxValue = try spec.optionalDouble("max_value").map(Float.init)
        negativeSlope = Float(try spec.double("negative_slope", default: 0))
        threshold = Float(try spec.double("threshold", default: 0))
    }

    func forward(_ inputs: [UnsafePointer<Float>], into output: UnsafeMutablePointer<Float>, scratch: Scratch) {
        let cap = maxValue ?? .infinity
        let source = inputs[0]
        for index in 0..<outputCount {
            let x = source[index]
            output[index] = x >= threshold ? min(x, cap) : negativeSlope * (x - threshold)
        }
    }
}
