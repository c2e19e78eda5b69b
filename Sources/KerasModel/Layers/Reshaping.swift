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
    let outputWidth = width + columns.0 + columns.1
    output.update(repeating: 0, count: (height + rows.0 + rows.1) * outputWidth * outputChannels)
    for y in 0..<height {
        let target = output + ((y + rows.0) * outputWidth + columns.0) * outputChannels
        if outputChannels == channels {
            target.update(from: source + y * width * channels, count: width * channels)
            continue
        }
        for x in 0..<width {
            (target + x * outputChannels + channelsAround.0).update(from: source + (y * width + x) * channels, count: channels)
        }
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
