/// `Flatten` and `Reshape`: the values stay in row-major (channels-last) order; only the shape changes.
struct Reshape: Layer {
    let name: String
    let kerasClass: String
    let outputShape: [Int]
    let parameterCount = 0

    init(flatten spec: LayerSpec) throws {
        try spec.requireChannelsLast()
        name = spec.name
        kerasClass = "Flatten"
        guard let count = ModelLimits.elementCount(try spec.singleInputShape) else { throw spec.invalid("input shape") }
        outputShape = [count]
    }

    init(reshape spec: LayerSpec) throws {
        name = spec.name
        kerasClass = "Reshape"
        guard let count = ModelLimits.elementCount(try spec.singleInputShape) else { throw spec.invalid("input shape") }
        guard var target = spec.config["target_shape"]?.array?.map({ $0.int ?? 0 }) else { throw spec.invalid("target_shape") }
        let known = ModelLimits.elementCount(target.filter { $0 != -1 }) ?? 0
        if let unknown = target.firstIndex(of: -1), known > 0 { target[unknown] = count / known }
        guard ModelLimits.elementCount(target) == count else {
            throw ModelError.shapeMismatch(path: spec.path, layer: spec.name, expected: "a target shape holding \(count) values",
                                           found: spec.config["target_shape"]?.summary ?? "none")
        }
        outputShape = target
    }

    func forward(_ inputs: [UnsafePointer<Float>], into output: UnsafeMutablePointer<Float>, scratch: Scratch) {
        output.update(from: inputs[0], count: outputCount)
    }
}

/// `ZeroPadding2D`: `padding` as one number, (rows, columns), or ((top, bottom), (left, right)).
struct ZeroPadding2D: Layer {
    let name: String
    let kerasClass = "ZeroPadding2D"
    let outputShape: [Int]
    let parameterCount = 0
    let top: Int, bottom: Int, left: Int, right: Int
    let inputShape: (height: Int, width: Int, channels: Int)

    init(_ spec: LayerSpec) throws {
        try spec.requireChannelsLast()
        inputShape = try spec.imageInputShape
        name = spec.name
        let padding = spec.config["padding"] ?? .number(1)
        if let all = padding.int {
            (top, bottom, left, right) = (all, all, all, all)
        } else if let pair = padding.intList(count: 2) {
            (top, bottom, left, right) = (pair[0], pair[0], pair[1], pair[1])
        } else if let rows = padding[0]?.intList(count: 2), let columns = padding[1]?.intList(count: 2) {
            (top, bottom, left, right) = (rows[0], rows[1], columns[0], columns[1])
        } else {
            throw spec.invalid("padding")
        }
        outputShape = [inputShape.height + top + bottom, inputShape.width + left + right, inputShape.channels]
    }

    func forward(_ inputs: [UnsafePointer<Float>], into output: UnsafeMutablePointer<Float>, scratch: Scratch) {
        zeroPad(inputs[0], height: inputShape.height, width: inputShape.width, channels: inputShape.channels,
                rows: (top, bottom), columns: (left, right), into: output)
    }
}

/// Zero padding of a channels-last image: rows, columns and (TensorFlow Lite's PAD) channels added before
/// and after.
package func zeroPad(_ source: UnsafePointer<Float>, height: Int, width: Int, channels: Int, rows: (Int, Int), columns: (Int, Int),
                     channelsAround: (Int, Int) = (0, 0), into output: UnsafeMutablePointer<Float>) {
    let outputChannels = channels + channelsAround.0 + channelsAround.1
    let rowLength = (width + columns.0 + columns.1) * outputChannels
    output.update(repeating: 0, count: rows.0 * rowLength)
    (output + (rows.0 + height) * rowLength).update(repeating: 0, count: rows.1 * rowLength)
    for y in 0..<height {
        let target = output + (y + rows.0) * rowLength
        target.update(repeating: 0, count: columns.0 * outputChannels)
        (target + (columns.0 + width) * outputChannels).update(repeating: 0, count: columns.1 * outputChannels)
        if outputChannels == channels {
            (target + columns.0 * outputChannels).update(from: source + y * width * channels, count: width * channels)
            continue
        }
        // Channels added around each pixel's: inline copies, since a library call per pixel costs more than its few floats.
        var pixel = target + columns.0 * outputChannels, from = source + y * width * channels
        for _ in 0..<width {
            fillZeros(pixel, count: channelsAround.0)
            copyChannels(from: from, to: pixel + channelsAround.0, count: channels)
            fillZeros(pixel + channelsAround.0 + channels, count: channelsAround.1)
            pixel += outputChannels
            from += channels
        }
    }
}

@inline(__always)
func fillZeros(_ target: UnsafeMutablePointer<Float>, count: Int) {
    var c = 0
    while c + 8 <= count {
        store8(Vector8(), target + c)
        c += 8
    }
    while c < count {
        target[c] = 0
        c += 1
    }
}

/// Layers that only act during training (`Dropout`, `SpatialDropout2D`, `GaussianNoise`, …) and `InputLayer`.
struct Identity: Layer {
    let name: String
    let kerasClass: String
    let outputShape: [Int]
    let parameterCount = 0

    init(_ spec: LayerSpec) throws {
        name = spec.name
        kerasClass = spec.kerasClass
        outputShape = try spec.singleInputShape
    }

    func forward(_ inputs: [UnsafePointer<Float>], into output: UnsafeMutablePointer<Float>, scratch: Scratch) {
        output.update(from: inputs[0], count: outputCount)
    }
}
