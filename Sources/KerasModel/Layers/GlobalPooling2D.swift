/// `GlobalAveragePooling2D` and `GlobalMaxPooling2D`: one value per channel (`keepdims` honoured).
struct GlobalPooling2D: Layer {
    let name: String
    let kerasClass: String
    let outputShape: [Int]
    let parameterCount = 0
    let kind: Pooling2D.Kind
    let channels: Int
    let inputCount: Int

    init(_ spec: LayerSpec, kind: Pooling2D.Kind) throws {
        try spec.requireChannelsLast()
        let input = try spec.imageInputShape
        name = spec.name
        kerasClass = kind == .max ? "GlobalMaxPooling2D" : "GlobalAveragePooling2D"
        self.kind = kind
        channels = input.channels
        inputCount = input.height * input.width * input.channels
        outputShape = try spec.bool("keepdims", default: false) ? [1, 1, channels] : [channels]
    }

    func forward(_ inputs: [UnsafePointer<Float>], into output: UnsafeMutablePointer<Float>, scratch: Scratch) {
        let source = inputs[0]
        let positions = inputCount / channels
        output.update(repeating: kind == .max ? -.infinity : 0, count: channels)
        for position in 0..<positions {
            let pixel = source + position * channels
            for c in 0..<channels {
                output[c] = kind == .max ? max(output[c], pixel[c]) : output[c] + pixel[c]
            }
        }
        if kind == .average {
            for c in 0..<channels { output[c] /= Float(positions) }
        }
    }
}
