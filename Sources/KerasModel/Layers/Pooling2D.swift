/// `MaxPooling2D` and `AveragePooling2D`. With "same" padding the padded cells take no part: the maximum
/// ignores them and the average divides by the number of real cells, as TensorFlow's pooling does.
struct Pooling2D: Layer {
    enum Kind: Sendable { case max, average }

    let name: String
    let kerasClass: String
    let outputShape: [Int]
    let parameterCount = 0
    let kind: Kind
    let geometry: WindowGeometry
    let channels: Int

    init(_ spec: LayerSpec, kind: Kind) throws {
        try spec.requireChannelsLast()
        let input = try spec.imageInputShape
        let size = try spec.pair("pool_size", default: 2)
        // Keras: strides default to the pool size.
        let stridesGiven = !(spec.config["strides"]?.isNull ?? true)
        let strides = stridesGiven ? try spec.pair("strides") : size
        name = spec.name
        kerasClass = kind == .max ? "MaxPooling2D" : "AveragePooling2D"
        self.kind = kind
        channels = input.channels
        geometry = try WindowGeometry(spec: spec, height: input.height, width: input.width, kernel: size, stride: strides)
        outputShape = [geometry.rows.output, geometry.columns.output, channels]
    }

    func callAsFunction(_ inputs: [Tensor]) -> Tensor {
        let rows = geometry.rows, columns = geometry.columns
        var output = [Float](repeating: 0, count: rows.output * columns.output * channels)
        var accumulator = [Float](repeating: 0, count: channels)
        inputs[0].data.withUnsafeBufferPointer { source in
            for oy in 0..<rows.output {
                let y0 = max(oy * rows.stride - rows.padBefore, 0)
                let y1 = min(oy * rows.stride - rows.padBefore + rows.kernel, rows.input)
                for ox in 0..<columns.output {
                    let x0 = max(ox * columns.stride - columns.padBefore, 0)
                    let x1 = min(ox * columns.stride - columns.padBefore + columns.kernel, columns.input)
                    for c in 0..<channels { accumulator[c] = kind == .max ? -.infinity : 0 }
                    for y in y0..<y1 {
                        for x in x0..<x1 {
                            let pixel = (y * columns.input + x) * channels
                            for c in 0..<channels {
                                accumulator[c] = kind == .max ? max(accumulator[c], source[pixel + c]) : accumulator[c] + source[pixel + c]
                            }
                        }
                    }
                    let count = Float((y1 - y0) * (x1 - x0))
                    let out = (oy * columns.output + ox) * channels
                    for c in 0..<channels { output[out + c] = kind == .max ? accumulator[c] : accumulator[c] / count }
                }
            }
        }
        return Tensor(shape: outputShape, data: output)
    }
}
