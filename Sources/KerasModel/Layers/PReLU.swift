/// `PReLU`: a learned slope for negative inputs, shaped like the input with `shared_axes` collapsed to 1.
struct PReLU: Layer {
    let name: String
    let kerasClass = "PReLU"
    let outputShape: [Int]
    let parameterCount: Int
    let alphaShape: [Int]
    let alphaStrides: [Int]
    let alpha: [Float]

    init(_ spec: LayerSpec) throws {
        name = spec.name
        let shape = try spec.singleInputShape
        outputShape = shape
        var alphaShape = shape
        let shared = spec.config["shared_axes"]?.array?.compactMap(\.int) ?? spec.config["shared_axes"]?.int.map { [$0] } ?? []
        for axis in shared {
            // Keras counts the batch axis as 0.
            guard axis >= 1 && axis <= shape.count else { throw spec.invalid("shared_axes") }
            alphaShape[axis - 1] = 1
        }
        self.alphaShape = alphaShape
        alphaStrides = broadcastStrides(from: alphaShape, to: shape)
        alpha = try spec.weight("alpha", shape: alphaShape)
        parameterCount = alpha.count
    }

    func forward(_ inputs: [UnsafePointer<Float>], into output: UnsafeMutablePointer<Float>, scratch: Scratch) {
        let source = inputs[0]
        for index in 0..<outputCount {
            let x = source[index]
            output[index] = x >= 0 ? x : x * alpha[broadcastIndex(index, shape: outputShape, strides: alphaStrides)]
        }
    }
}

/// Strides into a tensor of `small` shape (each axis equal to `large`'s or 1) for indices of `large`.
func broadcastStrides(from small: [Int], to large: [Int]) -> [Int] {
    var strides = [Int](repeating: 0, count: large.count)
    var step = 1
    for axis in stride(from: large.count - 1, through: 0, by: -1) {
        strides[axis] = small[axis] == 1 ? 0 : step
        step *= small[axis]
    }
    return strides
}

func broadcastIndex(_ flat: Int, shape: [Int], strides: [Int]) -> Int {
    var remainder = flat, index = 0
    for axis in stride(from: shape.count - 1, through: 0, by: -1) {
        index += (remainder % shape[axis]) * strides[axis]
        remainder /= shape[axis]
    }
    return index
}
