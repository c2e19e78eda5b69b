/// `GlobalAveragePooling2D` and `GlobalMaxPooling2D`: one value per channel (`keepdims` honoured).
struct GlobalPooling2D: Layer {
    let name: String
    let kerasClass: String
    let outputShape: [Int]
    let parameterCount = 0
    let kind: Pooling2D.Kind
    let channels: Int

    init(_ spec: LayerSpec, kind: Pooling2D.Kind) throws {
        try spec.requireChannelsLast()
        let input = try spec.imageInputShape
        name = spec.name
        kerasClass = kind == .max ? "GlobalMaxPooling2D" : "GlobalAveragePooling2D"
        self.kind = kind
        channels = input.channels
        outputShape = try spec.bool("keepdims", default: false) ? [1, 1, channels] : [channels]
    }

    func callAsFunction(_ inputs: [Tensor]) -> Tensor {
        let source = inputs[0].data
        let positions = source.count / channels
        var output = [Float](repeating: kind == .max ? -.infinity : 0, count: channels)
        for position in 0..<positions {
            for c in 0..<channels {
                let value = source[position * channels + c]
                output[c] = kind == .max ? max(output[c], value) : output[c] + value
            }
        }
        if kind == .average {
            for c in 0..<channels { output[c] /= Float(positions) }
        }
        return Tensor(shape: outputShape, data: output)
    }
}
