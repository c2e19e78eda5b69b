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

    func forward(_ inputs: [UnsafePointer<Float>], into target: UnsafeMutablePointer<Float>, scratch: Scratch) {
        pool2D(inputs[0], geometry: geometry, channels: channels, maximum: kind == .max, into: target)
    }
}

/// Max or average pooling, channels last; cells of "same" padding take no part (see `Pooling2D`).
package func pool2D(_ source: UnsafePointer<Float>, geometry: WindowGeometry, channels: Int, maximum isMax: Bool,
                    into target: UnsafeMutablePointer<Float>) {
    // Two copies of the loops, each with its kind fixed, so that no cell tests the kind.
    if isMax {
        pool2D(source, geometry: geometry, channels: channels, into: target, maximum: true)
    } else {
        pool2D(source, geometry: geometry, channels: channels, into: target, maximum: false)
    }
}

@inline(__always)
private func pool2D(_ source: UnsafePointer<Float>, geometry: WindowGeometry, channels: Int, into target: UnsafeMutablePointer<Float>,
                    maximum isMax: Bool) {
    let rows = geometry.rows, columns = geometry.columns
    let vectorChannels = channels / 8 * 8
    let rowStep = columns.input &* channels
    for oy in 0..<rows.output {
        let y0 = max(oy * rows.stride - rows.padBefore, 0)
        let y1 = min(oy * rows.stride - rows.padBefore + rows.kernel, rows.input)
        for ox in 0..<columns.output {
            let x0 = max(ox * columns.stride - columns.padBefore, 0)
            let x1 = min(ox * columns.stride - columns.padBefore + columns.kernel, columns.input)
            let out = target + (oy * columns.output + ox) * channels
            let count = Float((y1 - y0) * (x1 - x0))
            let corner = source + (y0 * columns.input + x0) * channels
            let height = y1 - y0, width = x1 - x0
            // A cell replaces the maximum only when greater (NaN never does), so the first of equal maxima stays.
            var c = 0
            #if FACEMOOD_AVX512
            while c + 16 <= channels {
                var value = Vector16(repeating: isMax ? -.infinity : 0)
                for y in 0..<height {
                    let row = corner + (y &* rowStep &+ c)
                    for x in 0..<width {
                        let cell = load16(row + x &* channels)
                        value = isMax ? value.replacing(with: cell, where: cell .> value) : value + cell
                    }
                }
                store16(isMax ? value : value / Vector16(repeating: count), out + c)
                c += 16
            }
            #endif
            while c < vectorChannels {
                var value = Vector8(repeating: isMax ? -.infinity : 0)
                for y in 0..<height {
                    let row = corner + (y &* rowStep &+ c)
                    for x in 0..<width {
                        let cell = load8(row + x &* channels)
                        value = isMax ? value.replacing(with: cell, where: cell .> value) : value + cell
                    }
                }
                store8(isMax ? value : value / Vector8(repeating: count), out + c)
                c += 8
            }
            if c + 4 <= channels {
                // A tail of four channels (BlazeFace's 12, 28, 36) in a half-width vector.
                var value = SIMD4<Float>(repeating: isMax ? -.infinity : 0)
                for y in 0..<height {
                    let row = corner + (y &* rowStep &+ c)
                    for x in 0..<width {
                        let cell = UnsafeRawPointer(row + x &* channels).loadUnaligned(as: SIMD4<Float>.self)
                        value = isMax ? value.replacing(with: cell, where: cell .> value) : value + cell
                    }
                }
                UnsafeMutableRawPointer(out + c).storeBytes(of: isMax ? value : value / SIMD4(repeating: count), as: SIMD4<Float>.self)
                c += 4
            }
            for channel in c..<channels {
                var value: Float = isMax ? -.infinity : 0
                for y in 0..<height {
                    for x in 0..<width {
                        let cell = corner[y &* rowStep &+ x &* channels &+ channel]
                        value = isMax ? (cell > value ? cell : value) : value + cell
                    }
                }
                out[channel] = isMax ? value : value / count
            }
        }
    }
}
